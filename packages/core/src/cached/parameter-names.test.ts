import { describe, expect, it } from 'vitest'
import { declaredParameters } from './parameter-names'

/** Builds a function from source text, for forms TypeScript would rewrite (or minified code). */
const fromSource = (code: string): Function => new Function(`return (${code})`)()

const names = (fn: Function) =>
  declaredParameters(fn)?.map((p) => (p.rest ? `...${p.name}` : (p.name ?? '<d>')))

describe('declaredParameters', () => {
  it('reads function declarations and expressions, async and generator forms', () => {
    function plain(a: number, b: string) {
      return a + b
    }
    async function asyncFn(id: string) {
      return id
    }
    function* gen(x: number) {
      yield x
    }
    expect(names(plain)).toEqual(['a', 'b'])
    expect(names(asyncFn)).toEqual(['id'])
    expect(names(gen)).toEqual(['x'])
    expect(names(() => {})).toEqual([])
  })

  it('reads arrow functions with and without parentheses', () => {
    expect(names((a: number, b: number) => a + b)).toEqual(['a', 'b'])
    expect(names(async (userId: string) => userId)).toEqual(['userId'])
    expect(names(new Function('x', 'return x'))).toEqual(['x'])
    expect(names(fromSource('(value => value)'))).toEqual(['value'])
    expect(names(fromSource('(async value => value)'))).toEqual(['value'])
    expect(names(fromSource('(async => async)'))).toEqual(['async'])
  })

  it('reads methods, computed names, getters, class fields and methods named async', () => {
    const key = 'dyn'
    class Users {
      async byId(id: string) {
        return id
      }
      [`${key}(x)`](first: number) {
        return first
      }
      field = (org: string, team: string) => org + team
    }
    const users = new Users()
    expect(names(users.byId)).toEqual(['id'])
    expect(names((users as unknown as Record<string, Function>)['dyn(x)']!)).toEqual(['first'])
    expect(names(users.field)).toEqual(['org', 'team'])
    const object = fromSource('({ async(a, b) { return a }, get g() { return 1 } })')
    expect(names((object as unknown as Record<string, Function>).async!)).toEqual(['a', 'b'])
  })

  it('handles defaults, rest parameters, destructuring and comments', () => {
    const fn = fromSource(`(function (a /* first ) */, b = ")" + '(' + \`\${1 + (2)}\`, // line )
      { c, d } = {}, [e] = [], f = (x, y) => x, ...rest) {})`)
    expect(names(fn)).toEqual(['a', 'b', '<d>', '<d>', 'f', '...rest'])
    expect(names(fromSource('(function (a, b,) {})'))).toEqual(['a', 'b'])
    expect(names(fromSource('(function (/* nothing */) {})'))).toEqual([])
  })

  it('reads Unicode identifiers', () => {
    expect(names(fromSource('((名前, $x, _y) => 0)'))).toEqual(['名前', '$x', '_y'])
  })

  it('returns undefined for native, bound functions and classes', () => {
    expect(declaredParameters(Math.max)).toBeUndefined()
    expect(declaredParameters(((a: number) => a).bind(null))).toBeUndefined()
    expect(declaredParameters(class Thing {})).toBeUndefined()
  })
})

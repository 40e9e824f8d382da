import { describe, expect, it } from 'vitest'
import { CacheConfigError, CacheKeyError } from '../errors'
import { compileKey } from './key-template'

/** Builds a function from source text, for forms TypeScript would rewrite (or minified code). */
const fromSource = (code: string): Function => new Function(`return (${code})`)()

const keyOf = (template: string, fn: Function, ...args: unknown[]) =>
  compileKey(template, fn, fn.name, '').build(undefined, args)

function caught(run: () => unknown): CacheKeyError {
  try {
    run()
  } catch (error) {
    if (CacheKeyError.isInstance(error)) return error
    throw error
  }
  throw new Error('expected a CacheKeyError')
}

describe('compileKey: templates', () => {
  const getUser = (id: unknown, options?: unknown) => [id, options]

  it('renders positional, automatic and named placeholders', () => {
    expect(keyOf('user:{0}', getUser, 42)).toBe('user:42')
    expect(keyOf('{1}/{0}', getUser, 'a', 'b')).toBe('b/a')
    expect(keyOf('{}-{}', getUser, 'a', 'b')).toBe('a-b')
    expect(keyOf('user:{id}', getUser, 7)).toBe('user:7')
    expect(keyOf('{id}:{}', getUser, 7)).toBe('7:7')
  })

  it('follows paths after an index or a name', () => {
    const byOrg = (user: unknown) => user
    expect(keyOf('org:{0.org.id}', byOrg, { org: { id: 3 } })).toBe('org:3')
    expect(
      keyOf('org:{user.org.id}:{user.name}', (user: unknown) => user, { org: { id: 3 }, name: 'n' }),
    ).toBe('org:3:n')
    expect(keyOf('{0.items.1}', byOrg, { items: ['a', 'b'] })).toBe('b')
    expect(keyOf('x{0.missing.deep}y', byOrg, {})).toBe('xy')
  })

  it('renders values: absent as empty, objects as sorted JSON, dates as ISO strings', () => {
    const f = (a: unknown, b: unknown) => [a, b]
    expect(keyOf('[{0}][{1}]', f, 'only')).toBe('[only][]')
    expect(keyOf('{0}', f, { b: 1, a: 2 })).toBe('{"a":2,"b":1}')
    expect(keyOf('{0}', f, [3, 'x'])).toBe('[3,"x"]')
    expect(keyOf('{0}|{1}', f, null, true)).toBe('null|true')
    expect(keyOf('{0}', f, new Date(0))).toBe('1970-01-01T00:00:00.000Z')
    expect(keyOf('{0}', f, 12n)).toBe('12')
  })

  it('collects a rest parameter into an array', () => {
    const f = (first: string, ...others: string[]) => [first, others]
    expect(keyOf('{first}:{others}', f, 'a', 'b', 'c')).toBe('a:["b","c"]')
    expect(keyOf('{others.0}', f, 'a', 'b')).toBe('b')
  })

  it('accepts doubled braces as literal braces', () => {
    expect(keyOf('{{lit}}:{0}', getUser, 1)).toBe('{lit}:1')
  })

  it('builds a constant for a template without placeholders, with the instance prefix', () => {
    const compiled = compileKey('flags', getUser, 'f', 'app:')
    expect(compiled.constant).toBe('app:flags')
    expect(compileKey('user:{0}:{1}', getUser, 'f', 'app:').build(undefined, [1, 2])).toBe('app:user:1:2')
    expect(compileKey('user:{0}', getUser, 'f', 'app:').build(undefined, [1])).toBe('app:user:1')
  })

  it('throws CacheKeyError at compile time naming the placeholder', () => {
    expect(caught(() => keyOf('user:{nope}', getUser)).placeholder).toBe('{nope}')
    expect(caught(() => keyOf('user:{nope}', getUser)).message).toMatch(/declared: id, options/)
    expect(caught(() => keyOf('{0}{}', getUser)).placeholder).toBe('{}')
    expect(caught(() => keyOf('{}{0}', getUser)).placeholder).toBe('{0}')
    expect(caught(() => keyOf('{0.}', getUser)).placeholder).toBe('{0.}')
    expect(caught(() => keyOf('{a-b}', getUser)).placeholder).toBe('{a-b}')
    expect(() => keyOf('user:{0', getUser)).toThrow(/unclosed/)
    expect(() => keyOf('user:0}', getUser)).toThrow(/unmatched/)
  })

  it('names destructured and minified parameter lists in the error', () => {
    const destructured = ({ id }: { id: number }) => id
    const error = caught(() => keyOf('{id}', destructured))
    expect(error.placeholder).toBe('{id}')
    expect(error.message).toMatch(/destructured/)
    const minified = fromSource('(function(e,t){return e})')
    expect(caught(() => keyOf('user:{userId}', minified)).message).toMatch(/minified/)
    expect(caught(() => keyOf('{x}', Math.max)).message).toMatch(/not readable/)
  })
})

describe('compileKey: functions and omitted keys', () => {
  it('calls a key function with the same this and arguments', () => {
    const self = { tenant: 't1' }
    const compiled = compileKey(
      function (this: typeof self, id: number) {
        return `${this.tenant}:${id}`
      },
      () => 0,
      'f',
      'p:',
    )
    expect(compiled.build(self, [5])).toBe('p:t1:5')
  })

  it('rejects a key function that returns something else than a string', () => {
    const compiled = compileKey((() => 5) as unknown as () => string, () => 0, 'f', '')
    expect(() => compiled.build(undefined, [])).toThrow(CacheKeyError)
  })

  it('uses name:<rendering of the arguments> when the key is omitted', () => {
    const compiled = compileKey(undefined, () => 0, 'getUser', 'app:')
    expect(compiled.build(undefined, [1, { b: 2, a: 1 }])).toBe('app:getUser:1,{"a":1,"b":2}')
  })

  it('refuses an omitted key for an anonymous function without a name', () => {
    expect(() => compileKey(undefined, () => 0, '', '')).toThrow(CacheConfigError)
  })

  it('refuses a key that is neither a string nor a function', () => {
    expect(() => compileKey(42 as unknown as string, () => 0, 'f', '')).toThrow(CacheConfigError)
  })
})

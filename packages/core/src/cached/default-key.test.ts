import { describe, expect, it } from 'vitest'
import { CacheKeyError } from '../errors'
import { defaultKeyBuilder, hash128, MAX_VERBATIM_LENGTH } from './default-key'

const key = (...args: unknown[]) => defaultKeyBuilder('f:')(undefined, args)

describe('defaultKeyBuilder', () => {
  it('renders short arguments as the key itself', () => {
    expect(key()).toBe('f:')
    expect(key(42)).toBe('f:42')
    expect(key('42')).toBe('f:"42"')
    expect(key(1, 'a', true, null, undefined)).toBe('f:1,"a",true,null,undefined')
    expect(key({ org: 'acme', id: 7 })).toBe('f:{"id":7,"org":"acme"}')
    expect(key([1, [2]], 5n)).toBe('f:[1,[2]],5n')
  })

  it('never gives different argument lists one key', () => {
    const lists: unknown[][] = [
      [1],
      ['1'],
      [1n],
      ['1n'],
      [true],
      ['true'],
      [null],
      [undefined],
      ['null'],
      [NaN],
      [[1]],
      [1, 2],
      ['1,2'],
      ['1', '2'],
      ['1","2'],
      [{ a: 1 }],
      [{ a: '1' }],
      [{ a: undefined }],
      [{}],
      [[]],
      [new Map([['a', 1]])],
      [[['a', 1]]],
      [new Set([1])],
      [new Date(0)],
      [0],
      [new Date(0).toISOString()],
      [new Uint8Array([1, 2])],
      [Buffer.from([1, 2])],
      ['0102'],
      [/a/],
      ['/a/'],
      [[undefined]],
      [[null]],
      [],
      [''],
    ]
    const keys = lists.map((args) => key(...args))
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('is independent of property order, Map and Set order, and object identity', () => {
    expect(key({ b: 1, a: { d: 2, c: 3 } })).toBe(key({ a: { c: 3, d: 2 }, b: 1 }))
    expect(
      key(
        new Map([
          ['b', 1],
          ['a', 2],
        ]),
      ),
    ).toBe(
      key(
        new Map([
          ['a', 2],
          ['b', 1],
        ]),
      ),
    )
    expect(key(new Set([2, 1]))).toBe(key(new Set([1, 2])))
    expect(key(Object.assign(Object.create(null), { a: 1 }))).toBe(key({ a: 1 }))
  })

  it('renders objects of one shape alike, whichever came first (the shape memo is only a shortcut)', () => {
    const build = defaultKeyBuilder('f:')
    const first = build(undefined, [{ id: 1, org: 'x' }])
    expect(build(undefined, [{ org: 'x', id: 1 }])).toBe(first)
    expect(build(undefined, [{ id: 1, org: 'x', extra: 2 }])).toBe('f:{"extra":2,"id":1,"org":"x"}')
    expect(build(undefined, [{ id: 1, org: 'x' }])).toBe(first)
  })

  it('hands remembered keys for objects of one shape equal to a fresh rendering, by value, never by identity', () => {
    const build = defaultKeyBuilder('f:')
    const fresh = (object: object) => defaultKeyBuilder('f:')(undefined, [object])
    const values: unknown[] = [
      1,
      '1',
      true,
      'true',
      null,
      'null',
      undefined,
      'undefined',
      0,
      -0,
      Number.NaN,
      1.5,
      'x'.repeat(100),
      { nested: 1 },
      [1],
      2n,
    ]
    const seen = new Map<string, unknown>()
    for (let round = 0; round < 2; round++) {
      for (const a of values) {
        for (const b of values) {
          const object = { a, b }
          const built = build(undefined, [object])
          expect(built).toBe(fresh(object))
          const other = seen.get(built)
          // Only values that render alike share a key: 0 and -0 (as in a Map), nothing else.
          if (other !== undefined && round === 0) expect(fresh(other as object)).toBe(built)
          seen.set(built, object)
        }
      }
    }
    expect(build(undefined, [{ a: 0, b: 1 }])).toBe(build(undefined, [{ a: -0, b: 1 }]))
    expect(new Set([...seen.keys()]).size).toBe(values.length ** 2 - 2 * values.length + 1)
  })

  it('renders an object again after it changed (the memo is keyed by values, not by the object)', () => {
    const build = defaultKeyBuilder('f:')
    const query: Record<string, unknown> = { id: 1, org: 'acme' }
    expect(build(undefined, [query])).toBe('f:{"id":1,"org":"acme"}')
    query.id = 2
    expect(build(undefined, [query])).toBe('f:{"id":2,"org":"acme"}')
    query.org = { name: 'acme' }
    expect(build(undefined, [query])).toBe('f:{"id":2,"org":{"name":"acme"}}')
    ;(query.org as Record<string, unknown>).name = 'other'
    expect(build(undefined, [query])).toBe('f:{"id":2,"org":{"name":"other"}}')
    let reads = 0
    const moving = {
      get id() {
        reads++
        return reads
      },
    }
    const key = build(undefined, [moving])
    expect(key).toMatch(/^f:\{"id":\d+\}$/)
    expect(build(undefined, [{ id: Number(/\d+/.exec(key)?.[0]) }])).toBe(key)
  })

  it('stays exact past the number of keys it remembers, and across shapes', () => {
    const build = defaultKeyBuilder('f:')
    for (let round = 0; round < 2; round++) {
      for (let id = 0; id < 5000; id += 7) {
        expect(build(undefined, [{ id, org: `o${id % 3}` }])).toBe(`f:{"id":${id},"org":"o${id % 3}"}`)
        expect(build(undefined, [{ id }])).toBe(`f:{"id":${id}}`)
      }
    }
    const wide = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, i]))
    expect(build(undefined, [wide])).toBe(defaultKeyBuilder('f:')(undefined, [{ ...wide }]))
  })

  it('escapes strings as JSON does', () => {
    expect(key('a"b\\c\n')).toBe(`f:${JSON.stringify('a"b\\c\n')}`)
    expect(key('\ud800')).toBe(`f:${JSON.stringify('\ud800')}`)
    expect(key('x'.repeat(40))).toBe(`f:${JSON.stringify('x'.repeat(40))}`)
  })

  it('renders class instances with their class name, and by toJSON when they have one', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    class Money {
      toJSON() {
        return '5 EUR'
      }
    }
    expect(key(new Point(1, 2))).toBe('f:@"Point"{"x":1,"y":2}')
    expect(key(new Money())).toBe('f:@"Money"("5 EUR")')
    expect(key(new Point(1, 2))).not.toBe(key({ x: 1, y: 2 }))
  })

  it('hashes a long rendering to # and 32 hex digits, the same for equal arguments', () => {
    const long = 'x'.repeat(MAX_VERBATIM_LENGTH)
    expect(key(long)).toMatch(/^f:#[0-9a-f]{32}$/)
    expect(key(long)).toBe(key(`${long}`))
    expect(key(long)).not.toBe(key(`${long}y`))
    expect(key({ text: long })).toMatch(/^f:#[0-9a-f]{32}$/)
  })

  it('keeps its hash stable: the key format is persisted', () => {
    expect(hash128('')).toBe(hash128(''))
    expect(hash128('"hello"')).toMatchInlineSnapshot(`"299b3fdc234af9e5aa9a617a6dc399b6"`)
  })

  it('throws CacheKeyError for values without a faithful rendering', () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(() => key(() => 1)).toThrow(CacheKeyError)
    expect(() => key(Symbol('s'))).toThrow(CacheKeyError)
    expect(() => key(circular)).toThrow(CacheKeyError)
    expect(() => key(Promise.resolve(1))).toThrow(CacheKeyError)
  })
})

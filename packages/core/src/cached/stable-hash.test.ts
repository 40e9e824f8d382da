import { describe, expect, it } from 'vitest'
import { CacheKeyError } from '../errors'
import { fnv1a64, stableHash } from './stable-hash'
import { stableJson } from './stable-json'

describe('stableJson', () => {
  it('sorts object keys recursively', () => {
    expect(stableJson({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}')
  })

  it('renders the values JSON cannot, deterministically', () => {
    expect(stableJson([undefined, Number.NaN, 10n, new Date(0)])).toBe(
      '[null,null,"10n","1970-01-01T00:00:00.000Z"]',
    )
    expect(stableJson({ a: undefined, b: null })).toBe('{"b":null}')
    expect(
      stableJson(
        new Map<unknown, number>([
          ['z', 1],
          ['a', 2],
        ]),
      ),
    ).toBe('[["a",2],["z",1]]')
    expect(stableJson(new Set([3, 1, 2]))).toBe('[1,2,3]')
  })

  it('refuses functions, symbols and cycles with a CacheKeyError', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => stableJson(() => 1)).toThrow(CacheKeyError)
    expect(() => stableJson({ s: Symbol('x') })).toThrow(CacheKeyError)
    expect(() => stableJson(cyclic)).toThrow(/circular/)
    const shared = { x: 1 }
    expect(stableJson([shared, shared])).toBe('[{"x":1},{"x":1}]')
  })
})

describe('stableHash', () => {
  it('is 64-bit FNV-1a (published test vectors)', () => {
    const utf8 = (text: string) => new TextEncoder().encode(text)
    expect(fnv1a64(utf8(''))).toBe('cbf29ce484222325')
    expect(fnv1a64(utf8('a'))).toBe('af63dc4c8601ec8c')
    expect(fnv1a64(utf8('foobar'))).toBe('85944171f73967e8')
  })

  it('is a pinned function of the stable JSON, whatever the key order', () => {
    expect(stableHash([42, { b: 1, a: 2 }])).toBe(stableHash([42, { a: 2, b: 1 }]))
    // Pinned: entries written by other processes and earlier releases must keep their keys.
    expect(stableHash([42, { a: 2, b: 1 }])).toBe('f85d43d427ab1587')
    expect(stableHash([1])).not.toBe(stableHash(['1']))
  })
})

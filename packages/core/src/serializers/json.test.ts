import { describe, expect, it } from 'vitest'
import { CacheSerializationError } from '../errors'
import { jsonSerializer } from './json'

const roundTrip = (value: unknown): unknown => jsonSerializer.decode(jsonSerializer.encode(value))
const text = (value: unknown): string => new TextDecoder().decode(jsonSerializer.encode(value))
const bytesOf = (json: string): Uint8Array => new TextEncoder().encode(json)

function encodeError(value: unknown): CacheSerializationError {
  try {
    jsonSerializer.encode(value)
  } catch (error) {
    expect(CacheSerializationError.isInstance(error)).toBe(true)
    return error as CacheSerializationError
  }
  throw new Error('expected encode to throw')
}

function decodeError(json: string | Uint8Array): CacheSerializationError {
  try {
    jsonSerializer.decode(typeof json === 'string' ? bytesOf(json) : json)
  } catch (error) {
    expect(CacheSerializationError.isInstance(error)).toBe(true)
    return error as CacheSerializationError
  }
  throw new Error('expected decode to throw')
}

describe('jsonSerializer', () => {
  it('has id 1 and name json', () => {
    expect(jsonSerializer.id).toBe(1)
    expect(jsonSerializer.name).toBe('json')
  })

  it('writes plain JSON-safe values exactly as JSON.stringify does', () => {
    const value = { a: 1, b: 'two', c: [true, false, null], d: { e: 1.5, f: '' }, g: [] }
    expect(text(value)).toBe(JSON.stringify(value))
    expect(roundTrip(value)).toEqual(value)
    for (const primitive of ['', 'x', 0, 42, -3.25, true, false, null])
      expect(roundTrip(primitive)).toBe(primitive)
  })

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['-0', -0],
    ['max', Number.MAX_VALUE],
    ['min', Number.MIN_VALUE],
  ])('keeps the number %s', (_, value) => {
    expect(Object.is(roundTrip(value), value)).toBe(true)
    expect(Object.is((roundTrip([value]) as number[])[0], value)).toBe(true)
  })

  it('keeps undefined at the top level, in arrays and as an object property', () => {
    expect(roundTrip(undefined)).toBeUndefined()
    const array = roundTrip([1, undefined, 3]) as unknown[]
    expect(array).toHaveLength(3)
    expect(array[1]).toBeUndefined()
    const object = roundTrip({ a: undefined, b: 1 }) as Record<string, unknown>
    expect(Object.keys(object)).toEqual(['a', 'b'])
    expect(object.a).toBeUndefined()
  })

  it('turns array holes into undefined', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    const array = roundTrip([1, , 3]) as unknown[]
    expect(array).toHaveLength(3)
    expect(1 in array).toBe(true)
    expect(array[1]).toBeUndefined()
  })

  it('keeps BigInt, Date (valid and invalid), RegExp', () => {
    const big = 2n ** 100n
    expect(roundTrip(big)).toBe(big)
    expect(roundTrip(-5n)).toBe(-5n)
    const date = roundTrip(new Date('2024-02-29T12:34:56.789Z'))
    expect(date).toBeInstanceOf(Date)
    expect((date as Date).toISOString()).toBe('2024-02-29T12:34:56.789Z')
    const invalid = roundTrip(new Date(Number.NaN)) as Date
    expect(invalid).toBeInstanceOf(Date)
    expect(Number.isNaN(invalid.getTime())).toBe(true)
    const regexp = roundTrip(/^a+\/b$/giu) as RegExp
    expect(regexp).toBeInstanceOf(RegExp)
    expect(regexp.source).toBe('^a+\\/b$')
    expect(regexp.flags).toBe('giu')
  })

  it('keeps Map and Set with any keys and members, in order', () => {
    const map = new Map<unknown, unknown>([
      ['a', 1],
      [2, new Date(0)],
      [{ k: 1 }, [undefined]],
      [undefined, Number.NaN],
    ])
    const decoded = roundTrip(map) as Map<unknown, unknown>
    expect(decoded).toBeInstanceOf(Map)
    expect([...decoded]).toEqual([...map])
    const set = new Set<unknown>([1, 'a', 1n, null, undefined, { x: [1] }])
    const decodedSet = roundTrip(set) as Set<unknown>
    expect(decodedSet).toBeInstanceOf(Set)
    expect([...decodedSet]).toEqual([...set])
  })

  it('keeps Uint8Array; a Buffer comes back as a Uint8Array with the same bytes', () => {
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255])
    const decoded = roundTrip(bytes)
    expect(decoded).toBeInstanceOf(Uint8Array)
    expect([...(decoded as Uint8Array)]).toEqual([...bytes])
    expect([...(roundTrip(new Uint8Array(0)) as Uint8Array)]).toEqual([])
    const buffer = Buffer.from('héllo')
    const fromBuffer = roundTrip(buffer) as Uint8Array
    expect(Object.getPrototypeOf(fromBuffer)).toBe(Uint8Array.prototype)
    expect(new TextDecoder().decode(fromBuffer)).toBe('héllo')
  })

  it('keeps only the viewed bytes of a subarray', () => {
    const whole = new Uint8Array([9, 9, 1, 2, 3, 9])
    expect([...(roundTrip(whole.subarray(2, 5)) as Uint8Array)]).toEqual([1, 2, 3])
  })

  it.each([
    new Int8Array([-128, 0, 127]),
    new Uint8ClampedArray([0, 255]),
    new Int16Array([-32768, 32767]),
    new Uint16Array([65535, 1]),
    new Int32Array([-(2 ** 31), 2 ** 31 - 1]),
    new Uint32Array([2 ** 32 - 1]),
    new Float32Array([1.5, Number.NaN, Number.NEGATIVE_INFINITY]),
    new Float64Array([Math.PI, -0]),
    new BigInt64Array([-(2n ** 63n), 1n]),
    new BigUint64Array([2n ** 64n - 1n]),
  ])('keeps %o', (array) => {
    const decoded = roundTrip(array)
    expect(decoded?.constructor).toBe(array.constructor)
    expect(decoded).toEqual(array)
  })

  it('keeps ArrayBuffer', () => {
    const buffer = new Uint8Array([1, 2, 3]).buffer
    const decoded = roundTrip(buffer)
    expect(decoded).toBeInstanceOf(ArrayBuffer)
    expect([...new Uint8Array(decoded as ArrayBuffer)]).toEqual([1, 2, 3])
  })

  it('keeps Unicode strings, lone surrogates included', () => {
    const value = ['héllo wörld', '日本語', '👩‍👩‍👧', '\u0000\u001f"\\', '\ud800', 'a\udc00b']
    expect(roundTrip(value)).toEqual(value)
  })

  it('round-trips nested and mixed values at any depth', () => {
    const value = {
      users: [
        {
          id: 1n,
          joined: new Date(1e12),
          roles: new Set(['admin']),
          avatar: new Uint8Array([1]),
          bio: undefined,
        },
        { id: 2n, joined: new Date(0), roles: new Set<string>(), avatar: null, score: Number.NaN },
      ],
      index: new Map([['by-id', new Map([[1n, { nested: [[[{ deep: -0 }]]] }]])]]),
      plain: { a: [1, 2, { b: 'c' }] },
    }
    expect(roundTrip(value)).toEqual(value)
    let deep: unknown = { leaf: new Date(7) }
    for (let i = 0; i < 1000; i++) deep = i % 2 === 0 ? [deep] : { next: deep }
    expect(roundTrip(deep)).toEqual(deep)
  })

  it('never mistakes user data for a type tag', () => {
    const values = [
      { $$t: 'Date', v: 0 },
      { $$t: 'undefined' },
      { $$t: 'object', v: { $$t: 'bigint', v: '1' } },
      { $$t: 'number', v: 'NaN' },
      { $$t: 'unknown-tag' },
      { $$t: { $$t: { $$t: 'Map', v: [] } } },
      [{ $$t: 'Set', v: [1] }, '$$t', '"$$t"', { '"$$t"': 1 }],
      new Map([
        [
          { $$t: 'RegExp', v: ['a', ''] },
          { $$t: 'ArrayBuffer', v: '' },
        ],
      ]),
      { v: 1, $$t: 'Date', when: new Date(3) },
      '{"$$t":"Date","v":0}',
      { a$$t: 1, s: 'x$$t"y' },
      { a$$t: new Date(1), s: '$$t"' },
    ]
    for (const value of values) expect(roundTrip(value)).toEqual(value)
  })

  it('keeps a __proto__ own key as data, never as the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "when": 1}') as Record<string, unknown>
    value.when = new Date(1)
    const decoded = roundTrip(value) as Record<string, unknown>
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect(Object.keys(decoded)).toEqual(['__proto__', 'when'])
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ polluted: true })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('returns null-prototype objects as plain objects', () => {
    const value = Object.assign(Object.create(null) as object, { a: 1, d: new Date(2) })
    const decoded = roundTrip(value)
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect(decoded).toEqual({ a: 1, d: new Date(2) })
  })

  it('copies shared references instead of failing on them', () => {
    const shared = { n: 1 }
    const decoded = roundTrip({ a: shared, b: shared, c: [shared] }) as Record<string, unknown>
    expect(decoded).toEqual({ a: { n: 1 }, b: { n: 1 }, c: [{ n: 1 }] })
  })

  it('does not modify the value it encodes', () => {
    const value = { a: [undefined, new Date(1)], b: { c: Number.NaN }, $$t: 1 }
    const snapshot = structuredClone(value)
    jsonSerializer.encode(value)
    expect(value).toEqual(snapshot)
  })

  describe('errors naming the path', () => {
    it.each([
      ['a function property', { user: { cb: () => 1 } }, 'value.user.cb', 'is a function'],
      ['a symbol in an array', { list: [1, Symbol('s')] }, 'value.list[1]', 'is a symbol'],
      ['a function at the top', () => 1, 'value ', 'is a function'],
      ['an odd key', { 'my key': { 'x-y': Symbol() } }, 'value["my key"]["x-y"]', 'is a symbol'],
      ['a Map value', { m: new Map([['k', () => 1]]) }, 'value.m.get("k")', 'is a function'],
      ['a Map object key', { m: new Map([[() => 1, 1]]) }, 'value.m.keys()[0]', 'is a function'],
      ['a Set member', { s: new Set([1, Symbol()]) }, 'value.s.values()[1]', 'is a symbol'],
      ['a class instance', { list: [new (class User {})()] }, 'value.list[0]', 'is an instance of User'],
      ['a WeakMap', { w: new WeakMap() }, 'value.w', 'is an instance of WeakMap'],
      ['a DataView', { v: new DataView(new ArrayBuffer(1)) }, 'value.v', 'is an instance of DataView'],
      ['a Promise', { p: Promise.resolve() }, 'value.p', 'is an instance of Promise'],
    ])('%s', (_, value, path, problem) => {
      const error = encodeError(value)
      expect(error.message).toContain(`Cannot encode ${path}`)
      expect(error.message).toContain(problem)
    })

    it('a cyclic reference, with both ends of the cycle', () => {
      const value: Record<string, any> = { a: { b: [1] } }
      value.a.b.push(value.a)
      const error = encodeError(value)
      expect(error.message).toContain('cyclic reference')
      expect(error.message).toContain('value.a.b[1] refers back to value.a')
      const self: Record<string, unknown> = {}
      self.self = self
      expect(encodeError(self).message).toContain('value.self refers back to value')
      const map = new Map<string, unknown>()
      map.set('me', map)
      expect(encodeError({ map }).message).toContain('value.map.values()[0] refers back to value.map')
    })

    it('a value nested deeper than the stack allows', () => {
      let deep: unknown[] = []
      for (let i = 0; i < 100_000; i++) deep = [deep]
      expect(encodeError(deep).message).toContain('nested too deeply')
    })

    it('a getter that throws', () => {
      const value = {
        get broken(): never {
          throw new Error('nope')
        },
      }
      const error = encodeError({ outer: value })
      expect(error.message).toContain('Cannot encode value.outer.broken')
      expect(error.message).toContain('could not be read: nope')
      expect((error.cause as Error).message).toBe('nope')
    })
  })

  describe('decoding bad bytes', () => {
    it.each([
      ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
      ['not JSON', '{"a":'],
      ['empty', ''],
      ['an unknown tag', '{"$$t":"Nope"}'],
      ['a non-string tag', '{"$$t":5}'],
      ['a bad special number', '{"$$t":"number","v":"12"}'],
      ['a bad bigint', '{"$$t":"bigint","v":"1e3"}'],
      ['a bad Date', '{"$$t":"Date","v":"yesterday"}'],
      ['an odd Map', '{"$$t":"Map","v":[1]}'],
      ['a Map that is not an array', '{"$$t":"Map","v":{}}'],
      ['a bad Set', '{"$$t":"Set","v":"x"}'],
      ['a bad RegExp', '{"$$t":"RegExp","v":["(", ""]}'],
      ['bad RegExp flags', '{"$$t":"RegExp","v":["a", "zz"]}'],
      ['bad base64', '{"$$t":"Uint8Array","v":"a*=="}'],
      ['base64 of the wrong length', '{"$$t":"Uint8Array","v":"abc"}'],
      ['a misaligned typed array', '{"$$t":"Float64Array","v":"AAAA"}'],
      ['a bad escaped object', '{"$$t":"object","v":[1]}'],
      ['a tag named like an Object.prototype member', '{"$$t":"constructor","v":"AAAA"}'],
    ])('%s', (_, bytes) => {
      expect(decodeError(bytes).message).toMatch(/^invalid json payload: /)
    })

    it('deeply nested tagged input', () => {
      const depth = 200_000
      const json = `${'['.repeat(depth)}{"$$t":"undefined"}${']'.repeat(depth)}`
      expect(decodeError(json).message).toMatch(/^invalid json payload: /)
    })
  })
})

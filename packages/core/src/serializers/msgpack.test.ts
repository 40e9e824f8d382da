import { describe, expect, it } from 'vitest'
import { CacheSerializationError } from '../errors'
import { EntryCodec } from '../store/codec'
import { createEntry } from '../store/entry'
import { jsonSerializer } from './json'
import { msgpackSerializer } from './msgpack'

const roundTrip = (value: unknown): unknown => msgpackSerializer.decode(msgpackSerializer.encode(value))

describe('msgpackSerializer', () => {
  it('has id 2 and name msgpack', () => {
    expect(msgpackSerializer.id).toBe(2)
    expect(msgpackSerializer.name).toBe('msgpack')
  })

  it('round-trips what the json serializer keeps', () => {
    const value = {
      text: 'é😀',
      numbers: [0, 42, -3.25, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60],
      flags: [true, false, null],
      nothing: undefined,
      holes: [1, undefined, 3],
      date: new Date(1_700_000_000_123),
      map: new Map<unknown, unknown>([
        [1, 'one'],
        ['k', { nested: new Set(['a']) }],
      ]),
      set: new Set([1, 'x']),
      small: 42n,
      huge: -(10n ** 30n),
      bytes: new Uint8Array([0, 1, 255]),
      buffer: Buffer.from('hi'),
      floats: new Float64Array([1.5, -2]),
      arrayBuffer: new Uint8Array([7, 8]).buffer,
      pattern: /a+b/gi,
      records: [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ],
    }
    const back = roundTrip(value) as typeof value
    expect(back).toEqual(value)
    expect(back.map).toBeInstanceOf(Map)
    expect(back.set).toBeInstanceOf(Set)
    expect(back.date).toBeInstanceOf(Date)
    expect(typeof back.huge).toBe('bigint')
    expect(back.floats).toBeInstanceOf(Float64Array)
    expect('nothing' in back).toBe(true)
    expect(roundTrip(undefined)).toBeUndefined()
  })

  it('keeps plain objects and Maps apart', () => {
    const back = roundTrip({ object: { a: 1 }, map: new Map([['a', 1]]) }) as Record<string, unknown>
    expect(back.object).not.toBeInstanceOf(Map)
    expect(back.map).toBeInstanceOf(Map)
  })

  it('writes each value self-contained: a fresh process reads it', async () => {
    const first = msgpackSerializer.encode({ id: 1, name: 'a' })
    msgpackSerializer.encode({ id: 2, name: 'b' })
    const { msgpackSerializer: again } = await import(`./msgpack?fresh=${Date.now()}`)
    expect(again.decode(first)).toEqual({ id: 1, name: 'a' })
  })

  it('is smaller than json for doubles and bytes', () => {
    const doubles = Array.from({ length: 1000 }, (_, i) => Math.sqrt(i + 2))
    const bytes = new Uint8Array(4096).map((_, i) => i * 7)
    for (const value of [doubles, bytes])
      expect(msgpackSerializer.encode(value).length).toBeLessThan(jsonSerializer.encode(value).length)
  })

  it('serves byte stores through the entry codec, which names it in the header', async () => {
    const codec = new EntryCodec({ serializer: msgpackSerializer })
    const entry = createEntry(new Map([['a', 1n]]), { now: 1000, ttlMs: 60_000 })
    const bytes = await codec.encode(entry, 'k')
    expect((await codec.decode(bytes, 'k')).value).toEqual(entry.value)
    const jsonOnly = new EntryCodec()
    await expect(jsonOnly.decode(bytes, 'k')).rejects.toSatisfy((error) =>
      CacheSerializationError.isInstance(error),
    )
    const truncated = msgpackSerializer.encode('a longer string').subarray(0, 4)
    expect(() => msgpackSerializer.decode(truncated)).toThrow()
  })
})

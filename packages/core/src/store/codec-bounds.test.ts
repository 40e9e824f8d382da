import { describe, expect, it } from 'vitest'
import { CacheConfigError, CacheSerializationError } from '../errors'
import { forgeInflatingEntry } from '../testing'
import { DEFAULT_MAX_VALUE_BYTES, EntryCodec, readEntryKey, readEntryTimeline } from './codec'
import type { CacheEntry } from './store'

const GIB = 1024 ** 3
const MIB = 1024 ** 2
const entry: CacheEntry = { value: 'v', createdAt: 1, freshUntil: 2, staleUntil: 3, tags: ['t'] }

async function timedDecode(codec: EntryCodec, bytes: Uint8Array) {
  const startedAt = performance.now()
  const error = await codec.decode(bytes, 'bomb').catch((caught: unknown) => caught)
  return { error, ms: performance.now() - startedAt }
}

describe('EntryCodec key section (format version 2)', () => {
  it('carries the key, read back from the first bytes alone', async () => {
    const key = `user:${'🔑'.repeat(20)}`
    const bytes = await new EntryCodec().encode(entry, key, { embedKey: true })
    expect(bytes[2]).toBe(2)
    expect(readEntryTimeline(bytes)).toEqual({ createdAt: 1, freshUntil: 2, staleUntil: 3 })
    expect(readEntryKey(bytes.subarray(0, 30))).toEqual({ moreBytes: 45 })
    const needed = readEntryKey(bytes.subarray(0, 45)) as { moreBytes: number }
    expect(readEntryKey(bytes.subarray(0, needed.moreBytes))).toEqual({ key })
    expect(await new EntryCodec().decode(bytes, key)).toEqual(entry)
  })

  it('still writes and reads version 1 without a key, and refuses the entry of another key', async () => {
    const codec = new EntryCodec()
    const plain = await codec.encode(entry, 'k')
    expect(plain[2]).toBe(1)
    expect(readEntryKey(plain)).toEqual({ key: undefined })
    const keyed = await codec.encode(entry, 'k', { embedKey: true })
    expect(await codec.decode(keyed)).toEqual(entry)
    await expect(codec.decode(keyed, 'other')).rejects.toThrow(/another key/)
  })
})

describe('EntryCodec maxValueBytes', () => {
  it('defaults to 64 MiB and rejects bad values naming the option', () => {
    expect(DEFAULT_MAX_VALUE_BYTES).toBe(64 * MIB)
    for (const maxValueBytes of [0, -1, 1.5, 2 ** 33, '1']) {
      expect(() => new EntryCodec({ maxValueBytes: maxValueBytes as number })).toThrow(CacheConfigError)
    }
  })

  it('refuses to write a larger value, naming the key', async () => {
    const error = await new EntryCodec({ maxValueBytes: 100 })
      .encode({ ...entry, value: 'x'.repeat(200) }, 'big')
      .catch((caught: unknown) => caught)
    expect(CacheSerializationError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/"big".*maxValueBytes/)
  })

  it('rejects at once an entry whose header claims 1 GiB (forged, valid checksum)', async () => {
    const bomb = await forgeInflatingEntry({ inflatesTo: GIB, declares: GIB })
    expect(bomb.length).toBeLessThan(2 * MIB)
    const { error, ms } = await timedDecode(new EntryCodec(), bomb)
    expect(CacheSerializationError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/claims 1073741824 bytes.*maxValueBytes/)
    expect(ms).toBeLessThan(100)
  })

  it('stops inflating as soon as the output passes the claimed size, in well under a second', async () => {
    const bomb = await forgeInflatingEntry({ inflatesTo: GIB, declares: MIB })
    const before = process.memoryUsage().arrayBuffers
    const results = await Promise.all([
      timedDecode(new EntryCodec(), bomb),
      timedDecode(new EntryCodec(), bomb),
    ])
    const grown = process.memoryUsage().arrayBuffers - before
    for (const { error, ms } of results) {
      expect(CacheSerializationError.isInstance(error)).toBe(true)
      expect(ms).toBeLessThan(1000)
    }
    expect(grown).toBeLessThan(32 * MIB)
  })
})

describe('EntryCodec key section with a staleIfErrorFrom', () => {
  it('carries both; the key section stays right after the fixed header', async () => {
    const withErrorFrom: CacheEntry = { ...entry, staleIfErrorFrom: 2.5 }
    const codec = new EntryCodec()
    const bytes = await codec.encode(withErrorFrom, 'k:1', { embedKey: true })
    expect(bytes[2]).toBe(0x82)
    expect(readEntryKey(bytes.subarray(0, 48))).toEqual({ key: 'k:1' })
    expect(await codec.decode(bytes, 'k:1')).toEqual(withErrorFrom)
    expect(readEntryTimeline(bytes)).toEqual({ createdAt: 1, freshUntil: 2, staleUntil: 3 })
  })
})

// An entry with both optional header sections: the key section of BlobStore's entries (format
// version 2) and a staleIfErrorFrom (the version byte's flag). The key stays at offset 41 and
// staleIfErrorFrom follows it.
import { describe, expect, it } from 'vitest'
import { EntryCodec, readEntryKey, readEntryTimeline } from './codec'
import type { CacheEntry } from './store'

describe('EntryCodec: key section and staleIfErrorFrom together', () => {
  const entry: CacheEntry = {
    value: { id: 1 },
    createdAt: 1_000,
    freshUntil: 2_000,
    staleUntil: 3_000,
    staleIfErrorFrom: 2_500,
    tags: ['users', 'org:7'],
  }

  it('round-trips, and readEntryKey/readEntryTimeline read the header', async () => {
    const codec = new EntryCodec()
    const key = 'user:1/ü'
    const bytes = await codec.encode(entry, key, { embedKey: true })
    expect(await codec.decode(bytes, key)).toEqual(entry)
    expect(readEntryKey(bytes)).toEqual({ key })
    expect(readEntryTimeline(bytes)).toEqual({ createdAt: 1_000, freshUntil: 2_000, staleUntil: 3_000 })
    await expect(codec.decode(bytes, 'user:2')).rejects.toThrow(/another key/)
  })

  it('an entry with staleIfErrorFrom and no key reads as keyless', async () => {
    const codec = new EntryCodec()
    const bytes = await codec.encode(entry, 'k')
    expect(readEntryKey(bytes)).toEqual({ key: undefined })
    expect(await codec.decode(bytes, 'k')).toEqual(entry)
  })

  it('a truncated staleIfErrorFrom is a decoding error, not a crash', async () => {
    const codec = new EntryCodec()
    const bytes = await codec.encode({ ...entry, tags: undefined, value: null }, 'k', { embedKey: true })
    await expect(codec.decode(bytes.subarray(0, 50), 'k')).rejects.toThrow(/Cannot decode/)
  })
})

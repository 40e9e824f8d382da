import { describe, expect, it, vi } from 'vitest'
import { CacheConfigError, CacheSerializationError } from '../errors'
import { jsonSerializer } from '../serializers/json'
import type { Serializer } from '../serializers/serializer'
import { ENTRY_TIMELINE_BYTES, EntryCodec, readEntryTimeline } from './codec'
import type { Compression } from './compression'
import { crc32 } from './crc32'
import type { CacheEntry } from './store'

const entry = (value: unknown, extra: Partial<CacheEntry> = {}): CacheEntry => ({
  value,
  createdAt: 1_700_000_000_000,
  freshUntil: 1_700_000_060_000,
  staleUntil: 1_700_000_090_000,
  ...extra,
})

/** Recomputes the trailing checksum, so a test can forge fields behind it. */
function reseal(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4))
  return bytes
}

async function decodeError(
  codec: EntryCodec,
  bytes: Uint8Array,
  key?: string,
): Promise<CacheSerializationError> {
  const error = await codec.decode(bytes, key).then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(CacheSerializationError.isInstance(error), String(error)).toBe(true)
  return error as CacheSerializationError
}

async function encodeError(
  codec: EntryCodec,
  value: CacheEntry,
  key?: string,
): Promise<CacheSerializationError> {
  const error = await codec.encode(value, key).then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(CacheSerializationError.isInstance(error), String(error)).toBe(true)
  return error as CacheSerializationError
}

function configError(build: () => unknown): CacheConfigError {
  try {
    build()
  } catch (error) {
    expect(CacheConfigError.isInstance(error)).toBe(true)
    return error as CacheConfigError
  }
  throw new Error('expected a CacheConfigError')
}

const codec = new EntryCodec()

describe('EntryCodec round trips', () => {
  it('keeps the value, the timeline and the tags', async () => {
    const original = entry({ name: 'Ada', at: new Date(5), ids: new Set([1n]) }, { tags: ['user', 'user:1'] })
    expect(await codec.decode(await codec.encode(original, 'k'), 'k')).toEqual(original)
  })

  it('keeps Infinity and odd timestamps', async () => {
    const forever = entry('v', { freshUntil: Number.POSITIVE_INFINITY, staleUntil: Number.POSITIVE_INFINITY })
    expect(await codec.decode(await codec.encode(forever))).toEqual(forever)
    const odd = entry('v', { createdAt: -1.5, freshUntil: 0.25, staleUntil: Number.MAX_VALUE })
    expect(await codec.decode(await codec.encode(odd))).toEqual(odd)
  })

  it('omits tags when there are none', async () => {
    const decoded = await codec.decode(await codec.encode(entry(1, { tags: [] })))
    expect('tags' in decoded).toBe(false)
    expect('tags' in (await codec.decode(await codec.encode(entry(1))))).toBe(false)
  })

  it('keeps Unicode values and tags', async () => {
    const original = entry(
      { 'clé 🔑': '日本語 👩‍👩‍👧 \u0000' },
      { tags: ['ü', '', '👍 tag', 'x'.repeat(10_000)] },
    )
    expect(await codec.decode(await codec.encode(original))).toEqual(original)
  })

  it.each([undefined, null, 0, -0, Number.NaN, '', [], {}, 10n])('keeps the value %o', async (value) => {
    const decoded = await codec.decode(await codec.encode(entry(value)))
    expect(Object.is(decoded.value, value) || (typeof value === 'object' && value !== null)).toBe(true)
    expect(decoded.value).toEqual(value)
  })

  it('round-trips a 10 MiB value, compressed and not', async () => {
    const value = { blob: 'abcdefghij'.repeat(1024 * 1024), bytes: new Uint8Array(1024).fill(7) }
    for (const compress of [false, true]) {
      const bytes = await new EntryCodec({ compress }).encode(entry(value), 'big')
      expect(bytes.length < 1024 * 1024).toBe(compress)
      const decoded = await codec.decode(bytes, 'big')
      expect((decoded.value as typeof value).blob === value.blob).toBe(true)
      expect((decoded.value as typeof value).bytes).toEqual(value.bytes)
    }
  })

  it('decodes bytes inside a larger buffer (a pooled Node Buffer)', async () => {
    const bytes = await codec.encode(entry('pooled', { tags: ['t'] }))
    const pooled = Buffer.concat([Buffer.from('junk'), bytes, Buffer.from('more')]).subarray(
      4,
      4 + bytes.length,
    )
    expect(await codec.decode(pooled)).toEqual(entry('pooled', { tags: ['t'] }))
  })

  it('writes the same bytes for the same entry, whichever codec writes it', async () => {
    const original = entry({ a: [1, 2] }, { tags: ['x'] })
    expect(await new EntryCodec().encode(original, 'a')).toEqual(await codec.encode(original, 'b'))
  })
})

describe('EntryCodec staleIfErrorFrom (flag 0x80 of the version byte)', () => {
  it('writes the flag and the field only for entries with staleIfErrorFrom, and round-trips them', async () => {
    const plain = await codec.encode(entry(1, { tags: ['t'] }))
    expect(plain[2]).toBe(1)
    const withErrorFrom = { ...entry({ a: 1 }, { tags: ['t', 'u'] }), staleIfErrorFrom: 1_700_000_075_000 }
    const bytes = await codec.encode(withErrorFrom)
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    expect(bytes[2]).toBe(0x81)
    expect(view.getFloat64(41)).toBe(1_700_000_075_000)
    expect(view.getUint32(49)).toBe(1) // the first tag's length follows the extra field
    expect(await codec.decode(bytes)).toEqual(withErrorFrom)
    expect(readEntryTimeline(bytes)).toEqual({
      createdAt: withErrorFrom.createdAt,
      freshUntil: withErrorFrom.freshUntil,
      staleUntil: withErrorFrom.staleUntil,
    })
  })

  it('rejects a NaN staleIfErrorFrom, a truncated header, and the flag on an unknown version', async () => {
    await expect(codec.encode({ ...entry(1), staleIfErrorFrom: Number.NaN })).rejects.toThrow(
      /staleIfErrorFrom/,
    )
    const bytes = await codec.encode({ ...entry(1), staleIfErrorFrom: 1_700_000_075_000 })
    expect((await decodeError(codec, reseal(bytes.slice(0, 52)))).message).toMatch(/truncated/)
    const unknown = bytes.slice()
    unknown[2] = 0x83
    expect((await decodeError(codec, reseal(unknown))).message).toContain('unsupported format version 3')
    expect(readEntryTimeline(unknown)).toBeUndefined()
  })
})

describe('EntryCodec byte layout (format version 1)', () => {
  it('puts every field at its documented offset', async () => {
    const bytes = await codec.encode(entry({ a: 1 }, { tags: ['ab', 'é'] }))
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const payload = new TextEncoder().encode('{"a":1}')
    expect([...bytes.subarray(0, 5)]).toEqual([0xf5, 0x43, 1, jsonSerializer.id, 0])
    expect(view.getFloat64(5)).toBe(1_700_000_000_000)
    expect(view.getFloat64(13)).toBe(1_700_000_060_000)
    expect(view.getFloat64(21)).toBe(1_700_000_090_000)
    expect(view.getUint32(29)).toBe(2)
    expect(view.getUint32(33)).toBe(payload.length)
    expect(view.getUint32(37)).toBe(payload.length)
    expect(view.getUint32(41)).toBe(2)
    expect(new TextDecoder().decode(bytes.subarray(45, 47))).toBe('ab')
    expect(view.getUint32(47)).toBe(2)
    expect(new TextDecoder().decode(bytes.subarray(51, 53))).toBe('é')
    expect(bytes.subarray(53, 53 + payload.length)).toEqual(payload)
    expect(bytes.length).toBe(53 + payload.length + 4)
    expect(view.getUint32(bytes.length - 4)).toBe(crc32(bytes, 0, bytes.length - 4))
  })
})

describe('EntryCodec compression', () => {
  const repetitive = 'stratacache '.repeat(500)

  it('compresses payloads of at least minBytes and records it in the header', async () => {
    const compressed = await new EntryCodec({ compress: true }).encode(entry(repetitive))
    expect(compressed[4]).toBe(1)
    expect(compressed.length).toBeLessThan(repetitive.length / 10)
    expect((await codec.decode(compressed)).value).toBe(repetitive)
  })

  it('leaves payloads under minBytes uncompressed', async () => {
    const small = await new EntryCodec({ compress: true }).encode(entry('x'.repeat(1000)))
    expect(small[4]).toBe(0)
    const tuned = await new EntryCodec({ compress: { minBytes: 100 } }).encode(entry('x'.repeat(1000)))
    expect(tuned[4]).toBe(1)
  })

  it('keeps a payload uncompressed when compression would not shrink it', async () => {
    const bytes = await new EntryCodec({ compress: { minBytes: 0 } }).encode(entry('tiny'))
    expect(bytes[4]).toBe(0)
    expect((await codec.decode(bytes)).value).toBe('tiny')
  })

  it('uses a custom algorithm and still reads gzip entries', async () => {
    // "compresses" a payload made of two equal halves by keeping one
    const halves: Compression = {
      id: 200,
      name: 'halves',
      compress: async (bytes) => bytes.slice(0, bytes.length / 2),
      decompress: async (bytes) => {
        const out = new Uint8Array(bytes.length * 2)
        out.set(bytes)
        out.set(bytes, bytes.length)
        return out
      },
    }
    const custom = new EntryCodec({ compress: { algorithm: halves, minBytes: 0 } })
    const bytes = await custom.encode(entry(1212))
    expect(bytes[4]).toBe(200)
    expect((await custom.decode(bytes)).value).toBe(1212)
    expect((await decodeError(codec, bytes, 'k')).message).toContain('unknown compression id 200')
    const gzipped = await new EntryCodec({ compress: { minBytes: 0 } }).encode(entry(repetitive))
    expect((await custom.decode(gzipped)).value).toBe(repetitive)
  })

  it('rejects a decompressed length that differs from the header', async () => {
    const bytes = await new EntryCodec({ compress: true }).encode(entry(repetitive))
    const view = new DataView(bytes.buffer)
    for (const forged of [view.getUint32(37) - 1, view.getUint32(37) + 1]) {
      const copy = bytes.slice()
      new DataView(copy.buffer).setUint32(37, forged)
      expect((await decodeError(codec, reseal(copy))).message).toMatch(/gzip/)
    }
  })

  it('rejects a compressed payload that is garbage', async () => {
    const bytes = await new EntryCodec({ compress: true }).encode(entry(repetitive))
    bytes.fill(0x55, 60, 80)
    expect((await decodeError(codec, reseal(bytes), 'k')).message).toMatch(/gzip data is corrupt/)
  })
})

describe('EntryCodec rejects bad bytes with CacheSerializationError naming the key', () => {
  it('at every truncation point', async () => {
    const bytes = await new EntryCodec().encode(entry({ a: [1, 'two'] }, { tags: ['t1', 'tag-2'] }))
    for (let length = 0; length < bytes.length; length++) {
      const error = await decodeError(codec, bytes.subarray(0, length), 'user:1')
      expect(error.key).toBe('user:1')
      expect(error.message).toContain('Cannot decode the entry for key "user:1"')
    }
  })

  it('on a flipped bit anywhere (checksum)', async () => {
    const bytes = await codec.encode(entry({ a: 1 }, { tags: ['t'] }))
    for (let offset = 0; offset < bytes.length; offset++) {
      const copy = bytes.slice()
      copy[offset]! ^= 0x10
      await decodeError(codec, copy)
    }
    const payloadFlip = bytes.slice()
    payloadFlip[bytes.length - 6]! ^= 1
    expect((await decodeError(codec, payloadFlip)).message).toContain('checksum mismatch')
  })

  it('on an unknown format version', async () => {
    const bytes = await codec.encode(entry(1))
    bytes[2] = 3
    expect((await decodeError(codec, reseal(bytes))).message).toContain('unsupported format version 3')
  })

  it('on foreign bytes', async () => {
    expect(
      (
        await decodeError(
          codec,
          new TextEncoder().encode(
            '{"value":1,"padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}',
          ),
        )
      ).message,
    ).toContain('bad magic')
    expect((await decodeError(codec, 'text' as unknown as Uint8Array)).message).toContain(
      'expected a Uint8Array',
    )
  })

  it('on extra bytes after the payload', async () => {
    const bytes = await codec.encode(entry(1))
    const longer = new Uint8Array(bytes.length + 3)
    longer.set(bytes)
    expect((await decodeError(codec, reseal(longer))).message).toContain('unexpected bytes after the payload')
  })

  it('on an unknown serializer id, unless it is given as a read serializer', async () => {
    const upper: Serializer = {
      id: 200,
      name: 'upper',
      encode: (value) => new TextEncoder().encode(String(value).toUpperCase()),
      decode: (bytes) => new TextDecoder().decode(bytes),
    }
    const bytes = await new EntryCodec({ serializer: upper }).encode(entry('hi'))
    expect(bytes[3]).toBe(200)
    const error = await decodeError(codec, bytes, 'k')
    expect(error.message).toContain('unknown serializer id 200')
    expect(error.message).toContain('json (1)')
    expect((await new EntryCodec({ readSerializers: [upper] }).decode(bytes)).value).toBe('HI')
    const json = await codec.encode(entry('json entry'))
    expect((await new EntryCodec({ serializer: upper }).decode(json)).value).toBe('json entry')
  })

  it('on a payload the serializer cannot read, or a tag that is not UTF-8', async () => {
    const bytes = await codec.encode(entry('abc', { tags: ['t'] }))
    const garbled = bytes.slice()
    garbled[bytes.length - 5] = 0xff
    expect((await decodeError(codec, reseal(garbled), 'k')).message).toMatch(/invalid json payload/)
    const badTag = bytes.slice()
    badTag[45] = 0xff
    expect((await decodeError(codec, reseal(badTag))).message).toContain('tag is not valid UTF-8')
  })

  it('on NaN timestamps, inconsistent lengths and forged counts', async () => {
    const bytes = await codec.encode(entry('abc', { tags: ['t'] }))
    const nan = bytes.slice()
    new DataView(nan.buffer).setFloat64(13, Number.NaN)
    expect((await decodeError(codec, reseal(nan))).message).toContain('invalid timestamps')
    const lengths = bytes.slice()
    new DataView(lengths.buffer).setUint32(37, 999)
    expect((await decodeError(codec, reseal(lengths))).message).toContain('inconsistent payload lengths')
    for (const [offset, value] of [
      [29, 0xffffffff],
      [29, 2],
      [33, 0xffffffff],
      [41, 0xfffffff0],
    ] as const) {
      const forged = bytes.slice()
      new DataView(forged.buffer).setUint32(offset, value)
      expect((await decodeError(codec, reseal(forged))).message).toContain('truncated')
    }
  })
})

describe('EntryCodec.encode errors', () => {
  it('names the key and the path of a value that cannot be serialized', async () => {
    const error = await encodeError(codec, entry({ user: { cb: () => 1 } }), 'user:1')
    expect(error.key).toBe('user:1')
    expect(error.message).toContain('value.user.cb')
    expect(error.message).toContain('is a function')
    expect(error.message).toContain('(key "user:1")')
  })

  it('rejects an entry that is not an object, NaN timestamps and tags that are not strings', async () => {
    expect((await encodeError(codec, null as unknown as CacheEntry, 'k')).message).toContain('not an object')
    expect((await encodeError(codec, entry(1, { freshUntil: Number.NaN }), 'k')).message).toContain(
      'createdAt',
    )
    expect((await encodeError(codec, entry(1, { tags: [1 as unknown as string] }))).message).toContain('tags')
  })

  it('wraps whatever a custom serializer throws, and refuses non-bytes', async () => {
    const throwing: Serializer = {
      id: 201,
      name: 'throwing',
      encode: () => {
        throw new TypeError('boom')
      },
      decode: () => {
        throw new TypeError('bang')
      },
    }
    const bad = new EntryCodec({ serializer: throwing })
    const error = await encodeError(bad, entry(1), 'k')
    expect(error.message).toContain('the throwing serializer threw: boom')
    expect((error.cause as Error).message).toBe('boom')
    const stringy = new EntryCodec({
      serializer: { ...throwing, encode: () => 'text' as unknown as Uint8Array },
    })
    expect((await encodeError(stringy, entry(1))).message).toContain('did not return a Uint8Array')
    const bytes = await new EntryCodec({
      serializer: { ...throwing, encode: () => new Uint8Array([1]) },
    }).encode(entry(1))
    expect((await decodeError(bad, bytes)).message).toContain('the throwing serializer threw: bang')
  })

  it('wraps a failing compression', async () => {
    const failing: Compression = {
      id: 202,
      name: 'failing',
      compress: async () => {
        throw new Error('disk full')
      },
      decompress: async () => {
        throw new Error('bad block')
      },
    }
    const error = await encodeError(
      new EntryCodec({ compress: { algorithm: failing, minBytes: 0 } }),
      entry(1),
      'k',
    )
    expect(error.message).toContain('failing compression failed: disk full')
    const stored = await new EntryCodec({
      compress: { algorithm: { ...failing, compress: async () => new Uint8Array(1) }, minBytes: 0 },
    }).encode(entry('payload'))
    const reader = new EntryCodec({ compress: { algorithm: failing } })
    expect((await decodeError(reader, stored)).message).toContain('failing decompression failed: bad block')
    const wrongSize = new EntryCodec({
      compress: { algorithm: { ...failing, decompress: async () => new Uint8Array(99) } },
    })
    expect((await decodeError(wrongSize, stored)).message).toContain('produced the wrong number of bytes')
  })
})

describe('EntryCodec.decodeOrMiss', () => {
  it('returns the entry for good bytes', async () => {
    const onError = vi.fn()
    expect(await codec.decodeOrMiss(await codec.encode(entry(1)), 'k', onError)).toEqual(entry(1))
    expect(onError).not.toHaveBeenCalled()
  })

  it('reports the CacheSerializationError and returns undefined for bad bytes', async () => {
    const onError = vi.fn()
    expect(await codec.decodeOrMiss(new Uint8Array([1, 2, 3]), 'bad-key', onError)).toBeUndefined()
    expect(onError).toHaveBeenCalledOnce()
    const error = onError.mock.calls[0]![0] as CacheSerializationError
    expect(CacheSerializationError.isInstance(error)).toBe(true)
    expect(error.key).toBe('bad-key')
  })

  it('survives an onError that throws', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const onError = () => {
      throw new Error('handler bug')
    }
    expect(await codec.decodeOrMiss(new Uint8Array(0), 'k', onError)).toBeUndefined()
    expect(warn).toHaveBeenCalledOnce()
    warn.mockRestore()
  })
})

/** What `decodeSync` throws for `bytes` (failing the test if it returns instead). */
function decodeSyncError(codec: EntryCodec, bytes: Uint8Array, key?: string): CacheSerializationError {
  let error: unknown
  try {
    codec.decodeSync(bytes, key)
  } catch (thrown) {
    error = thrown
  }
  expect(CacheSerializationError.isInstance(error), String(error)).toBe(true)
  return error as CacheSerializationError
}

describe('EntryCodec.decodeSync', () => {
  const repetitive = 'stratacache '.repeat(500)

  it('returns the entry of an uncompressed payload without a promise, as decode does', async () => {
    const original = entry({ a: [1, 'two'] }, { tags: ['t1', 'é'], staleIfErrorFrom: 1_700_000_030_000 })
    for (const embedKey of [false, true]) {
      const bytes = await codec.encode(original, 'user:1', { embedKey })
      const decoded = codec.decodeSync(bytes, 'user:1')
      expect(decoded).not.toBeInstanceOf(Promise)
      expect(decoded).toEqual(original)
      expect(decoded).toEqual(await codec.decode(bytes, 'user:1'))
    }
  })

  it('returns undefined for a valid compressed entry, which decode then reads', async () => {
    const bytes = await new EntryCodec({ compress: true }).encode(entry(repetitive), 'k', { embedKey: true })
    expect(bytes[4]).toBe(1)
    expect(codec.decodeSync(bytes, 'k')).toBeUndefined()
    expect((await codec.decode(bytes, 'k')).value).toBe(repetitive)
  })

  it('throws for a corrupt compressed entry instead of deferring it to decode', async () => {
    const bytes = await new EntryCodec({ compress: true }).encode(entry(repetitive))
    bytes[bytes.length - 10]! ^= 1
    expect(decodeSyncError(codec, bytes, 'k').message).toContain('checksum mismatch')
  })

  it('throws the errors decode rejects with: truncated, corrupt, foreign bytes', async () => {
    const bytes = await codec.encode(entry({ a: 1 }, { tags: ['t'] }), 'user:1', { embedKey: true })
    for (let length = 0; length < bytes.length; length++) {
      const error = decodeSyncError(codec, bytes.subarray(0, length), 'user:1')
      expect(error.key).toBe('user:1')
      expect(error.message).toBe((await decodeError(codec, bytes.subarray(0, length), 'user:1')).message)
    }
    for (let offset = 0; offset < bytes.length; offset++) {
      const copy = bytes.slice()
      copy[offset]! ^= 0x10
      decodeSyncError(codec, copy, 'user:1')
    }
    expect(decodeSyncError(codec, new TextEncoder().encode('{"json":"text"}'.repeat(4))).message).toContain(
      'bad magic bytes',
    )
  })

  it('throws for the entry of another key, and for a payload the serializer cannot read', async () => {
    const bytes = await codec.encode(entry(1), 'user:1', { embedKey: true })
    expect(decodeSyncError(codec, bytes, 'user:2').message).toContain('the entry of another key')
    expect(decodeSyncError(codec, bytes, 'user:1é').message).toContain('the entry of another key')
    expect(codec.decodeSync(bytes, 'user:1')?.value).toBe(1)
    const garbage = await codec.encode(entry('x'))
    garbage.fill(0x7b, garbage.length - 7, garbage.length - 4) // the payload `"x"` becomes `{{{`
    expect(decodeSyncError(codec, reseal(garbage)).message).toMatch(/invalid json payload/)
  })

  it('refuses a value above maxValueBytes', async () => {
    const bytes = await codec.encode(entry('x'.repeat(100)))
    const small = new EntryCodec({ maxValueBytes: 50 })
    expect(decodeSyncError(small, bytes).message).toContain('more than maxValueBytes (50)')
  })
})

describe('readEntryTimeline', () => {
  it('reads the timeline from the header, or from a prefix of it', async () => {
    const bytes = await codec.encode(entry('v', { staleUntil: Number.POSITIVE_INFINITY }))
    const expected = {
      createdAt: 1_700_000_000_000,
      freshUntil: 1_700_000_060_000,
      staleUntil: Number.POSITIVE_INFINITY,
    }
    expect(readEntryTimeline(bytes)).toEqual(expected)
    expect(readEntryTimeline(bytes.subarray(0, ENTRY_TIMELINE_BYTES))).toEqual(expected)
    expect(readEntryTimeline(bytes.subarray(0, ENTRY_TIMELINE_BYTES - 1))).toBeUndefined()
  })

  it('returns undefined for foreign bytes, other versions and NaN timestamps', async () => {
    expect(readEntryTimeline(new Uint8Array(64))).toBeUndefined()
    expect(readEntryTimeline('x' as unknown as Uint8Array)).toBeUndefined()
    const bytes = await codec.encode(entry('v'))
    const version = bytes.slice()
    version[2] = 9
    expect(readEntryTimeline(version)).toBeUndefined()
    new DataView(bytes.buffer).setFloat64(5, Number.NaN)
    expect(readEntryTimeline(bytes)).toBeUndefined()
  })
})

describe('EntryCodec options', () => {
  it.each([
    [
      'a serializer without an id',
      { serializer: { name: 'x', encode: () => new Uint8Array(), decode: () => 1 } },
      'serializer',
    ],
    ['a serializer with id 0', { serializer: { ...jsonSerializer, id: 0 } }, 'serializer'],
    [
      'a serializer reusing the json id',
      { serializer: { ...jsonSerializer, name: 'impostor' } },
      'serializer',
    ],
    ['readSerializers that is not an array', { readSerializers: jsonSerializer }, 'readSerializers'],
    ['a bad read serializer', { readSerializers: [{}] }, 'readSerializers[0]'],
    ['compress as a string', { compress: 'yes' }, 'compress'],
    ['a negative compress.minBytes', { compress: { minBytes: -1 } }, 'compress.minBytes'],
    ['a fractional compress.minBytes', { compress: { minBytes: 1.5 } }, 'compress.minBytes'],
    ['a bad compress.algorithm', { compress: { algorithm: { id: 300 } } }, 'compress.algorithm'],
    [
      'an algorithm reusing the gzip id',
      {
        compress: {
          algorithm: {
            id: 1,
            name: 'fake',
            compress: async () => new Uint8Array(),
            decompress: async () => new Uint8Array(),
          },
        },
      },
      'compress.algorithm',
    ],
  ])('rejects %s naming the option', (_, options, option) => {
    const error = configError(() => new EntryCodec(options as never))
    expect(error.option).toBe(option)
    expect(error.message).toContain(`"${option}"`)
  })

  it('accepts the same serializer twice and exposes the one it writes with', () => {
    const codecWithReaders = new EntryCodec({ readSerializers: [jsonSerializer] })
    expect(codecWithReaders.serializer).toBe(jsonSerializer)
    expect(() => new EntryCodec({ compress: false })).not.toThrow()
  })
})

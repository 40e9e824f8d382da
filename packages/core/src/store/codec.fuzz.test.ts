import { describe, expect, it } from 'vitest'
import { CacheSerializationError } from '../errors'
import { jsonSerializer } from '../serializers/json'
import { EntryCodec, readEntryTimeline } from './codec'
import { crc32 } from './crc32'
import type { CacheEntry } from './store'

/** mulberry32: a tiny seeded PRNG, so a failure names a seed that reproduces it. */
function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SEED = 0x5eed_c0de
const random = prng(SEED)
const int = (max: number): number => Math.floor(random() * max)
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!

/** Values of every shape the json serializer tags, so mutations hit every revive branch. */
const VALUES: unknown[] = [
  'plain string',
  { a: 1, b: [true, null, 'x'], c: { d: -2.5 } },
  {
    when: new Date(1e12),
    big: 2n ** 70n,
    nan: Number.NaN,
    neg: -0,
    inf: [Number.POSITIVE_INFINITY, undefined],
  },
  new Map<unknown, unknown>([
    ['k', new Set([1, 'two', new Date(0)])],
    [3, /re+/gi],
  ]),
  { bytes: new Uint8Array([0, 1, 2, 255]), floats: new Float64Array([1.5]), buffer: new ArrayBuffer(3) },
  { $$t: 'escaped', nested: { $$t: { v: 1 } } },
  'compressible '.repeat(300),
]

const FORGEABLE_OFFSETS = [29, 33, 37, 41] as const
const EXTREMES = [0, 1, 2, 3, 4, 0x7f, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff]

function mutate(source: Uint8Array): Uint8Array {
  const bytes = source.slice()
  if (bytes.length === 0) return new Uint8Array([int(256)])
  switch (int(7)) {
    case 0: {
      const at = int(bytes.length)
      bytes[at]! ^= 1 << int(8)
      return bytes
    }
    case 1: {
      for (let n = 1 + int(4); n > 0; n--) bytes[int(bytes.length)] = int(256)
      return bytes
    }
    case 2: {
      const at = int(bytes.length + 1)
      const inserted = new Uint8Array(1 + int(8)).map(() => int(256))
      const out = new Uint8Array(bytes.length + inserted.length)
      out.set(bytes.subarray(0, at))
      out.set(inserted, at)
      out.set(bytes.subarray(at), at + inserted.length)
      return out
    }
    case 3: {
      const at = int(bytes.length)
      const count = 1 + int(Math.min(8, bytes.length - at))
      const out = new Uint8Array(bytes.length - count)
      out.set(bytes.subarray(0, at))
      out.set(bytes.subarray(at + count), at)
      return out
    }
    case 4:
      return bytes.subarray(0, int(bytes.length))
    case 5: {
      const view = new DataView(bytes.buffer)
      const offset =
        bytes.length >= 45 && random() < 0.8 ? pick(FORGEABLE_OFFSETS) : int(Math.max(1, bytes.length - 4))
      if (offset + 4 <= bytes.length) view.setUint32(offset, random() < 0.5 ? pick(EXTREMES) : int(2 ** 32))
      return bytes
    }
    default: {
      // garble part of the payload, where the serializer and the decompressor read
      const start = 41 + int(Math.max(1, bytes.length - 45))
      for (let i = start; i < Math.min(bytes.length - 4, start + 1 + int(6)); i++) bytes[i] = int(256)
      return bytes
    }
  }
}

function reseal(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 4) {
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(
      bytes.length - 4,
      crc32(bytes, 0, bytes.length - 4),
    )
  }
  return bytes
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

/** Decodes `bytes`, asserting the only possible failure is a CacheSerializationError naming the key. */
async function decodeOnlyFailsCleanly(
  codec: EntryCodec,
  bytes: Uint8Array,
  context: string,
): Promise<boolean> {
  try {
    await codec.decode(bytes, 'fuzz-key')
    return true
  } catch (error) {
    if (!CacheSerializationError.isInstance(error) || error.key !== 'fuzz-key') {
      throw new Error(`seed ${SEED.toString(16)}, ${context}: decode threw ${String(error)}`, {
        cause: error,
      })
    }
    return false
  }
}

describe('EntryCodec fuzz (seeded)', () => {
  const codec = new EntryCodec({ compress: { minBytes: 64 } })

  it('random bytes never decode and only ever fail with CacheSerializationError', async () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(int(160)).map(() => int(256))
      // half of them start like an entry, to get past the magic and version checks
      if (i % 2 === 0 && bytes.length >= 3) bytes.set([0xf5, 0x43, 1])
      if (i % 4 === 0) reseal(bytes)
      expect(await decodeOnlyFailsCleanly(codec, bytes, `random #${i}`)).toBe(false)
      readEntryTimeline(bytes)
    }
  })

  it('mutated valid entries (flip, insert, delete, truncate, forged lengths) decode or fail cleanly', async () => {
    const originals: Uint8Array[] = []
    for (const value of VALUES) {
      const entry: CacheEntry = { value, createdAt: 1, freshUntil: 2, staleUntil: Number.POSITIVE_INFINITY }
      originals.push(await codec.encode(entry))
      originals.push(await codec.encode({ ...entry, tags: ['a', 'tag with ü', ''] }))
    }
    expect(originals.some((bytes) => bytes[4] === 1)).toBe(true)
    let decodedAfterReseal = 0
    for (let i = 0; i < 4000; i++) {
      const original = pick(originals)
      let bytes = mutate(original)
      if (random() < 0.3) bytes = mutate(bytes)
      const resealed = random() < 0.5
      if (resealed) reseal(bytes)
      const decoded = await decodeOnlyFailsCleanly(codec, bytes, `mutation #${i}`)
      // without a recomputed checksum, only an unchanged entry may decode
      if (decoded && !resealed) expect(sameBytes(bytes, original), `mutation #${i} decoded`).toBe(true)
      if (decoded && resealed) decodedAfterReseal++
      readEntryTimeline(bytes)
    }
    // some resealed mutations (a changed timestamp, a garbled string character) are valid entries
    expect(decodedAfterReseal).toBeGreaterThan(0)
  })

  it('mutated json payloads decode or fail with CacheSerializationError', () => {
    const texts = VALUES.map((value) => new TextDecoder().decode(jsonSerializer.encode(value)))
    for (let i = 0; i < 3000; i++) {
      const text = pick(texts)
      const at = int(text.length)
      const mutated =
        random() < 0.5
          ? text.slice(0, at) +
            pick(['{', '}', '[', ']', '"', ',', ':', '$$t', '"v"', '0', 'null', '"x"']) +
            text.slice(at)
          : text.slice(0, at) + text.slice(at + 1 + int(6))
      try {
        jsonSerializer.decode(new TextEncoder().encode(mutated))
      } catch (error) {
        if (!CacheSerializationError.isInstance(error)) {
          throw new Error(
            `seed ${SEED.toString(16)}, json mutation #${i} (${mutated}) threw ${String(error)}`,
          )
        }
      }
    }
  })
})

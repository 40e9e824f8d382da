/**
 * The versioned binary entry format shared by every byte-oriented store (Redis, S3, GCS, file).
 * Nothing in the bytes is store-specific: an entry written by one store can be copied
 * byte-for-byte into another.
 *
 * Layout (integers unsigned big-endian, floats IEEE-754 float64 big-endian). Format version 1 is
 * an entry without its key; version 2 is the same with the key as a section after the fixed
 * header, for stores whose object names cannot carry the key (`BlobStore`). Both are read.
 *
 * ```
 * offset  size  field
 *  0       2    magic 0xF5 0x43 (0xF5 never occurs in UTF-8, so no text is mistaken for an entry)
 *  2       1    format version (1: no key section, 2: with the key section)
 *  3       1    serializer id (1 = json; see Serializer)
 *  4       1    compression id (0 = not compressed, 1 = gzip; see Compression)
 *  5       8    createdAt, epoch ms
 * 13       8    freshUntil, epoch ms (Infinity = never stale)
 * 21       8    staleUntil, epoch ms (Infinity = never dead)
 * 29       4    tag count T
 * 33       4    stored payload length P (after compression)
 * 37       4    serialized payload length U (before compression; equals P when not compressed)
 * 41       4    (version 2 only) key length K
 * 45       K    (version 2 only) the entry's key, UTF-8
 *  …       …    T tags, each: 4-byte UTF-8 length, then the UTF-8 bytes
 *  …       P    payload: the serialized value, compressed when the compression id is not 0
 * end-4    4    CRC-32 (IEEE) of every byte before it
 * ```
 *
 * The version byte's high bit (0x80) is a flag, set only for entries that
 * have a `staleIfErrorFrom` (every other entry is written byte for byte as before): it adds one
 * field right before the tags, after every other header section (after the key section of
 * version 2):
 *
 * ```
 * 41       8    staleIfErrorFrom, epoch ms (only with the flag; at 45 + K in version 2)
 * 49       …    T tags, then the payload and the CRC-32 as without it
 * ```
 *
 * The first 29 bytes ({@link ENTRY_TIMELINE_BYTES}) hold everything {@link readEntryTimeline}
 * needs, so a store can check expiry from a short prefix without decoding the payload.
 * @packageDocumentation
 */

import type { CacheEntry } from './store'

/** The fixed values, sizes and offsets of the layout above. */
export const MAGIC_0 = 0xf5
export const MAGIC_1 = 0x43
export const FORMAT_VERSION = 1
export const KEYED_FORMAT_VERSION = 2
export const FIXED_HEADER_BYTES = 41
export const KEY_SECTION_OFFSET = 45
/** The flag of the version byte that marks an entry carrying a `staleIfErrorFrom` (see the layout above). */
export const ERROR_FROM_FLAG = 0x80
export const ERROR_FROM_BYTES = 8
export const CHECKSUM_BYTES = 4
export const MAX_UINT32 = 0xffff_ffff

/**
 * How many leading bytes of an entry {@link readEntryTimeline} needs: a store can read just this
 * prefix of a large entry to check whether it is expired.
 *
 * @example
 * ```ts
 * const head = await readPrefix(path, ENTRY_TIMELINE_BYTES)
 * const timeline = readEntryTimeline(head)
 * ```
 */
export const ENTRY_TIMELINE_BYTES = 29

/** The timeline fields of an entry's header, as {@link readEntryTimeline} returns them (epoch ms). */
export type EntryHeaderTimeline = Pick<CacheEntry, 'createdAt' | 'freshUntil' | 'staleUntil'>

export const textEncoder = new TextEncoder()
export const textDecoder = new TextDecoder('utf-8', { fatal: true })

export function isValidTime(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value)
}

export function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/**
 * The big-endian unsigned 32-bit integer at `offset` (in bounds). Decoding reads the header with
 * these rather than through a `DataView`, whose creation costs more than the rest of the header.
 */
export function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>>
    0
  )
}

const float64 = new Float64Array(1)
const float64Bytes = new Uint8Array(float64.buffer)
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** The big-endian IEEE-754 float64 at `offset` (in bounds); see {@link readUint32}. */
export function readFloat64(bytes: Uint8Array, offset: number): number {
  const b = float64Bytes
  if (littleEndian) {
    b[0] = bytes[offset + 7]!
    b[1] = bytes[offset + 6]!
    b[2] = bytes[offset + 5]!
    b[3] = bytes[offset + 4]!
    b[4] = bytes[offset + 3]!
    b[5] = bytes[offset + 2]!
    b[6] = bytes[offset + 1]!
    b[7] = bytes[offset]!
  } else b.set(bytes.subarray(offset, offset + 8))
  return float64[0]!
}

/**
 * Reads an entry's timeline from its header without checking the checksum or decoding the
 * payload: a cheap expiry check for stores. The first {@link ENTRY_TIMELINE_BYTES} bytes suffice.
 * Returns `undefined` when the bytes do not start like an entry of a known format version.
 * A corrupt entry may still yield a timeline here; `EntryCodec.decode` then rejects it.
 *
 * @example
 * ```ts
 * const timeline = readEntryTimeline(bytes)
 * if (timeline === undefined || isDead(timeline, clock.now())) await removeFile(path)
 * ```
 */
export function readEntryTimeline(bytes: Uint8Array): EntryHeaderTimeline | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length < ENTRY_TIMELINE_BYTES) return undefined
  if (bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1) return undefined
  const version = bytes[2]! & ~ERROR_FROM_FLAG
  if (version !== FORMAT_VERSION && version !== KEYED_FORMAT_VERSION) return undefined
  const view = dataView(bytes)
  const createdAt = view.getFloat64(5)
  const freshUntil = view.getFloat64(13)
  const staleUntil = view.getFloat64(21)
  if (!isValidTime(createdAt) || !isValidTime(freshUntil) || !isValidTime(staleUntil)) return undefined
  return { createdAt, freshUntil, staleUntil }
}

/**
 * What an entry's first bytes say of the key it carries (see {@link EncodeOptions.embedKey}):
 * `{ key }` when they hold it whole; `{ key: undefined }` for an entry without a key section
 * (format version 1); `{ moreBytes: n }` when the first `n` bytes are needed to read it; and
 * `undefined` when the bytes do not start like an entry (or the key is not valid UTF-8). Like
 * {@link readEntryTimeline}, it checks no checksum.
 *
 * @example
 * ```ts
 * let head = await read(name, 256)
 * let found = readEntryKey(head)
 * if (found !== undefined && 'moreBytes' in found) found = readEntryKey(await read(name, found.moreBytes))
 * ```
 */
export function readEntryKey(
  bytes: Uint8Array,
): { key: string | undefined } | { moreBytes: number } | undefined {
  if (readEntryTimeline(bytes) === undefined) return undefined
  if ((bytes[2]! & ~ERROR_FROM_FLAG) === FORMAT_VERSION) return { key: undefined }
  if (bytes.length < KEY_SECTION_OFFSET) return { moreBytes: KEY_SECTION_OFFSET }
  const end = KEY_SECTION_OFFSET + dataView(bytes).getUint32(FIXED_HEADER_BYTES)
  if (bytes.length < end) return { moreBytes: end }
  try {
    return { key: textDecoder.decode(bytes.subarray(KEY_SECTION_OFFSET, end)) }
  } catch {
    return undefined
  }
}

/** Whether the key section `bytes[KEY_SECTION_OFFSET, keyEnd)` spells `key`. */
export function holdsKey(bytes: Uint8Array, keyEnd: number, key: string): boolean {
  // Most keys are ASCII: compare code units to bytes without decoding.
  if (keyEnd - KEY_SECTION_OFFSET === key.length) {
    let ascii = true
    for (let i = 0; i < key.length; i++) {
      const code = key.charCodeAt(i)
      if (code >= 0x80) {
        ascii = false
        break
      }
      if (bytes[KEY_SECTION_OFFSET + i] !== code) return false
    }
    if (ascii) return true
  }
  try {
    return textDecoder.decode(bytes.subarray(KEY_SECTION_OFFSET, keyEnd)) === key
  } catch {
    return false
  }
}

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

import { CacheConfigError, CacheSerializationError } from '../errors'
import { type ErrorHandler, safeReport } from '../instance-defaults'
import { invalidOption } from '../option-errors'
import { jsonSerializer } from '../serializers/json'
import { assertSerializer, type Serializer } from '../serializers/serializer'
import { assertCompression, type Compression, gzipCompression } from './compression'
import { crc32 } from './crc32'
import type { CacheEntry } from './store'

const MAGIC_0 = 0xf5
const MAGIC_1 = 0x43
const FORMAT_VERSION = 1
const KEYED_FORMAT_VERSION = 2
const FIXED_HEADER_BYTES = 41
const KEY_SECTION_OFFSET = 45
/** The flag of the version byte that marks an entry carrying a `staleIfErrorFrom` (see the layout above). */
const ERROR_FROM_FLAG = 0x80
const ERROR_FROM_BYTES = 8
const CHECKSUM_BYTES = 4
const MAX_UINT32 = 0xffff_ffff

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

/** The default `compress.minBytes`: payloads smaller than this are stored uncompressed. */
const DEFAULT_MIN_COMPRESS_BYTES = 1024

/**
 * The default {@link EntryCodecOptions.maxValueBytes}: 64 MiB, far above what a cache entry
 * usually holds (the conformance suite requires 10 MiB) and far below what a forged header may
 * claim (4 GiB).
 */
export const DEFAULT_MAX_VALUE_BYTES = 64 * 1024 * 1024

/** Options of {@link EntryCodec} (and, through `ByteStoreOptions`, of every byte store). */
export interface EntryCodecOptions {
  /**
   * Turns values into bytes and back. Its `id` is written into each entry.
   * @defaultValue {@link jsonSerializer}
   * @example
   * ```ts
   * new EntryCodec({ serializer: msgpackSerializer })
   * ```
   */
  serializer?: Serializer
  /**
   * More serializers this codec can read (not write), for entries written by stores configured
   * differently, e.g. during a migration. {@link jsonSerializer} is always readable.
   * @defaultValue `[]`
   * @example
   * ```ts
   * new EntryCodec({ serializer: msgpackSerializer, readSerializers: [legacySerializer] })
   * ```
   */
  readSerializers?: Serializer[]
  /**
   * Compress payloads. `true` gzips payloads of at least 1 KiB; an object tunes the threshold
   * (`minBytes`) or the algorithm. A compressed payload is kept only when it is smaller. Each
   * entry records whether and how it was compressed, so stores with different settings read
   * each other's entries. gzip entries are always readable, whatever this option says.
   * @defaultValue `false`
   * @example
   * ```ts
   * new EntryCodec({ compress: true })                // gzip payloads >= 1 KiB
   * new EntryCodec({ compress: { minBytes: 256 } })   // gzip payloads >= 256 bytes
   * ```
   */
  compress?: boolean | CompressOptions
  /**
   * The largest serialized value (before compression) the store accepts, in bytes. Writing a
   * larger value rejects with a `CacheSerializationError` naming the key (nothing is written),
   * and reading stops as soon as an entry passes it: an entry whose header claims more, or whose
   * compressed payload inflates beyond it, is a miss reported to `onError`, after at most this
   * much memory and no more work than that (a forged "zip bomb" costs nothing more).
   * @defaultValue 64 MiB ({@link DEFAULT_MAX_VALUE_BYTES})
   * @example
   * ```ts
   * new RedisStore({ client, maxValueBytes: 256 * 1024 * 1024 })
   * ```
   */
  maxValueBytes?: number
}

/** Options of {@link EntryCodec.encode}. */
export interface EncodeOptions {
  /**
   * Writes the key into the entry (format version 2), for stores whose object names cannot
   * carry it; {@link readEntryKey} reads it back from the entry's first bytes.
   * @defaultValue false
   * @example
   * ```ts
   * await codec.encode(entry, key, { embedKey: true })
   * ```
   */
  embedKey?: boolean
}

/**
 * The object form of {@link EntryCodecOptions.compress}.
 *
 * @example
 * ```ts
 * new RedisStore({ client, compress: { minBytes: 4096 } })
 * ```
 */
export interface CompressOptions {
  /**
   * Payloads (serialized values) smaller than this many bytes are stored uncompressed. An
   * integer `>= 0`; `0` compresses everything.
   * @defaultValue `1024`
   * @example
   * ```ts
   * compress: { minBytes: 0 }
   * ```
   */
  minBytes?: number
  /**
   * The algorithm. Entries record its `id`, so a reader needs the same algorithm configured
   * (gzip entries are readable by every codec).
   * @defaultValue {@link gzipCompression}
   * @example
   * ```ts
   * compress: { algorithm: brotli } // see the example of `Compression`
   * ```
   */
  algorithm?: Compression
}

/** The timeline fields of an entry's header, as {@link readEntryTimeline} returns them (epoch ms). */
export type EntryHeaderTimeline = Pick<CacheEntry, 'createdAt' | 'freshUntil' | 'staleUntil'>

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

function quoteKey(key: string): string {
  return JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key)
}

function describeKey(key: string | undefined): string {
  return key === undefined ? '' : ` for key ${quoteKey(key)}`
}

function describeKnown(byId: Map<number, { name: string }>): string {
  return [...byId].map(([id, item]) => `${item.name} (${id})`).join(', ')
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function isValidTime(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value)
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/**
 * The big-endian unsigned 32-bit integer at `offset` (in bounds). Decoding reads the header with
 * these rather than through a `DataView`, whose creation costs more than the rest of the header.
 */
function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>>
    0
  )
}

const float64 = new Float64Array(1)
const float64Bytes = new Uint8Array(float64.buffer)
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** The big-endian IEEE-754 float64 at `offset` (in bounds); see {@link readUint32}. */
function readFloat64(bytes: Uint8Array, offset: number): number {
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

/** A checked entry whose payload is still compressed: what `EntryCodec.decode` finishes asynchronously. */
class CompressedEntry {
  constructor(
    /** The entry, its `value` not yet set. */
    readonly entry: CacheEntry,
    readonly payload: Uint8Array,
    readonly serializedLength: number,
    readonly compression: Compression,
    readonly serializer: Serializer,
  ) {}
}

/** The error of bytes that do not decode. */
function decodeFailure(key: string | undefined, problem: string, cause?: unknown): CacheSerializationError {
  return new CacheSerializationError(`Cannot decode the entry${describeKey(key)}: ${problem}`, { key, cause })
}

/** The value of a payload, or the `CacheSerializationError` of a serializer that throws. */
function deserialize(serializer: Serializer, serialized: Uint8Array, key: string | undefined): unknown {
  try {
    return serializer.decode(serialized)
  } catch (error) {
    throw decodeFailure(
      key,
      CacheSerializationError.isInstance(error)
        ? error.message
        : `the ${serializer.name} serializer threw: ${messageOf(error)}`,
      error,
    )
  }
}

/** Whether the key section `bytes[KEY_SECTION_OFFSET, keyEnd)` spells `key`. */
function holdsKey(bytes: Uint8Array, keyEnd: number, key: string): boolean {
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

function validMaxValueBytes(value: unknown, owner: string): number {
  if (value === undefined) return DEFAULT_MAX_VALUE_BYTES
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > MAX_UINT32) {
    throw invalidOption(owner, 'maxValueBytes', value, `an integer number of bytes from 1 to ${MAX_UINT32}`)
  }
  return value
}

function validMinBytes(value: unknown, owner: string): number {
  if (value === undefined) return DEFAULT_MIN_COMPRESS_BYTES
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalidOption(owner, 'compress.minBytes', value, 'an integer number of bytes >= 0')
  }
  return value
}

/** Adds `item` to `byId`, refusing a different item under the same id. */
function register<T extends { id: number; name: string }>(
  byId: Map<number, T>,
  item: T,
  option: string,
  owner: string,
): void {
  const existing = byId.get(item.id)
  if (existing !== undefined && existing !== item) {
    throw invalidOption(
      owner,
      option,
      item,
      `an id of its own ("${item.name}" has the id ${item.id} of "${existing.name}")`,
    )
  }
  byId.set(item.id, item)
}

/**
 * Encodes {@link CacheEntry} objects into the versioned binary format (see the layout at the top
 * of this file) and back. Every byte store holds one, built from its options by
 * `resolveByteStoreOptions`.
 *
 * A codec writes with its `serializer` and reads entries written with that serializer,
 * {@link jsonSerializer} or any of `readSerializers`; it reads uncompressed, gzip and
 * (when configured) `compress.algorithm` payloads. Every failure is a `CacheSerializationError`
 * (naming the key when one is given): a value that cannot be encoded, and bytes that are
 * truncated, corrupt (checksum), of an unknown format version, serializer or compression.
 *
 * Entries round-trip exactly, except that an empty `tags` array comes back as no `tags`, and a
 * tag holding a lone UTF-16 surrogate comes back with U+FFFD in its place (tags are stored as
 * UTF-8). Encoding is deterministic: the same entry always gives the same bytes.
 *
 * @example
 * ```ts
 * const codec = new EntryCodec({ compress: true })
 * const bytes = await codec.encode(createEntry(user, { now: Date.now(), ttlMs: 60_000 }), 'user:1')
 * const entry = await codec.decodeOrMiss(bytes, 'user:1', onError) // undefined when corrupt
 * ```
 */
export class EntryCodec {
  /** The serializer this codec writes with. */
  readonly serializer: Serializer
  readonly #serializers = new Map<number, Serializer>()
  readonly #compressions = new Map<number, Compression>()
  readonly #compression: Compression | undefined
  readonly #minCompressBytes: number
  readonly #maxValueBytes: number

  /**
   * @param options - see {@link EntryCodecOptions}
   * @param owner - who reads the options (a store's name), for error messages
   * @throws {@link CacheConfigError} naming the option at fault (`serializer`, `readSerializers`,
   * `compress`, `compress.minBytes`, `compress.algorithm`, `maxValueBytes`)
   */
  constructor(options: EntryCodecOptions = {}, owner = 'EntryCodec') {
    if (typeof options !== 'object' || options === null) {
      throw new CacheConfigError(`${owner}: invalid options: got ${String(options)}; expected an object`)
    }
    const { serializer = jsonSerializer, readSerializers = [], compress = false } = options
    this.#maxValueBytes = validMaxValueBytes(options.maxValueBytes, owner)
    assertSerializer(serializer, 'serializer', owner)
    this.serializer = serializer
    register(this.#serializers, jsonSerializer, 'serializer', owner)
    register(this.#serializers, serializer, 'serializer', owner)
    if (!Array.isArray(readSerializers)) {
      throw invalidOption(owner, 'readSerializers', readSerializers, 'an array of serializers')
    }
    readSerializers.forEach((extra, i) => {
      assertSerializer(extra, `readSerializers[${i}]`, owner)
      register(this.#serializers, extra, `readSerializers[${i}]`, owner)
    })

    register(this.#compressions, gzipCompression, 'compress.algorithm', owner)
    if (compress === false) {
      this.#compression = undefined
      this.#minCompressBytes = Number.POSITIVE_INFINITY
    } else if (compress === true) {
      this.#compression = gzipCompression
      this.#minCompressBytes = DEFAULT_MIN_COMPRESS_BYTES
    } else if (typeof compress === 'object' && compress !== null) {
      const algorithm = compress.algorithm ?? gzipCompression
      assertCompression(algorithm, 'compress.algorithm', owner)
      register(this.#compressions, algorithm, 'compress.algorithm', owner)
      this.#compression = algorithm
      this.#minCompressBytes = validMinBytes(compress.minBytes, owner)
    } else {
      throw invalidOption(owner, 'compress', compress, 'true, false or { minBytes?, algorithm? }')
    }
  }

  /**
   * Encodes an entry.
   *
   * @param entry - the entry to encode
   * @param key - the entry's key, named in error messages (and written into the entry with `embedKey`)
   * @param options - see {@link EncodeOptions}
   * @throws `CacheSerializationError` (with `key`) when the value cannot be serialized, is larger
   * than `maxValueBytes`, or the entry's timestamps or tags are not valid
   * @example
   * ```ts
   * await redis.set(key, Buffer.from(await codec.encode(entry, key)))
   * ```
   */
  async encode(entry: CacheEntry, key?: string, options: EncodeOptions = {}): Promise<Uint8Array> {
    if (typeof entry !== 'object' || entry === null) {
      throw new CacheSerializationError(`Cannot encode the entry${describeKey(key)}: it is not an object`, {
        key,
      })
    }
    const { createdAt, freshUntil, staleUntil, tags, staleIfErrorFrom } = entry
    const hasErrorFrom = staleIfErrorFrom !== undefined
    if (
      !isValidTime(createdAt) ||
      !isValidTime(freshUntil) ||
      !isValidTime(staleUntil) ||
      (hasErrorFrom && !isValidTime(staleIfErrorFrom))
    ) {
      throw new CacheSerializationError(
        `Cannot encode the entry${describeKey(key)}: createdAt, freshUntil, staleUntil (and staleIfErrorFrom) must be numbers (not NaN)`,
        { key },
      )
    }
    const encodedTags: Uint8Array[] = []
    let tagBytes = 0
    if (tags !== undefined) {
      if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) {
        throw new CacheSerializationError(
          `Cannot encode the entry${describeKey(key)}: tags must be an array of strings`,
          {
            key,
          },
        )
      }
      for (const tag of tags) {
        const encoded = textEncoder.encode(tag)
        encodedTags.push(encoded)
        tagBytes += 4 + encoded.length
      }
    }

    const serialized = this.#serialize(entry.value, key)
    if (serialized.length > this.#maxValueBytes) {
      throw new CacheSerializationError(
        `Cannot encode the value${describeKey(key)}: it serializes to ${serialized.length} bytes, more than maxValueBytes (${this.#maxValueBytes})`,
        { key },
      )
    }
    let payload = serialized
    let compressionId = 0
    if (this.#compression !== undefined && serialized.length >= this.#minCompressBytes) {
      const compressed = await this.#compress(this.#compression, serialized, key)
      if (compressed.length < serialized.length) {
        payload = compressed
        compressionId = this.#compression.id
      }
    }

    const keyBytes = options.embedKey === true ? textEncoder.encode(key ?? '') : undefined
    const errorFromOffset = keyBytes === undefined ? FIXED_HEADER_BYTES : KEY_SECTION_OFFSET + keyBytes.length
    const tagsOffset = hasErrorFrom ? errorFromOffset + ERROR_FROM_BYTES : errorFromOffset
    const bytes = new Uint8Array(tagsOffset + tagBytes + payload.length + CHECKSUM_BYTES)
    const view = dataView(bytes)
    bytes[0] = MAGIC_0
    bytes[1] = MAGIC_1
    bytes[2] =
      (keyBytes === undefined ? FORMAT_VERSION : KEYED_FORMAT_VERSION) | (hasErrorFrom ? ERROR_FROM_FLAG : 0)
    bytes[3] = this.serializer.id
    bytes[4] = compressionId
    view.setFloat64(5, createdAt)
    view.setFloat64(13, freshUntil)
    view.setFloat64(21, staleUntil)
    view.setUint32(29, encodedTags.length)
    view.setUint32(33, payload.length)
    view.setUint32(37, serialized.length)
    if (keyBytes !== undefined) {
      view.setUint32(FIXED_HEADER_BYTES, keyBytes.length)
      bytes.set(keyBytes, KEY_SECTION_OFFSET)
    }
    if (hasErrorFrom) view.setFloat64(errorFromOffset, staleIfErrorFrom)
    let offset = tagsOffset
    for (const tag of encodedTags) {
      view.setUint32(offset, tag.length)
      bytes.set(tag, offset + 4)
      offset += 4 + tag.length
    }
    bytes.set(payload, offset)
    offset += payload.length
    view.setUint32(offset, crc32(bytes, 0, offset))
    return bytes
  }

  /**
   * Decodes bytes produced by {@link EntryCodec.encode} (of this or any other codec whose
   * serializer and compression this one can read). The entry is returned as stored, even when
   * dead: freshness is the store's decision.
   *
   * @param bytes - the stored bytes
   * @param key - the entry's key, named in error messages; an entry that carries another key
   *   (see {@link EncodeOptions.embedKey}) is rejected
   * @throws `CacheSerializationError` (with `key`) for anything that is not a valid entry, and
   *   for a value larger than `maxValueBytes` (checked before any decompression)
   * @example
   * ```ts
   * const entry = await codec.decode(bytes, key)
   * ```
   */
  async decode(bytes: Uint8Array, key?: string): Promise<CacheEntry> {
    const parsed = this.#parse(bytes, key)
    return parsed instanceof CompressedEntry ? this.#inflate(parsed, key) : parsed
  }

  /**
   * {@link EntryCodec.decode} without a promise, for the hit path of a store: the entry when its
   * payload is not compressed, `undefined` when it is (decompression is asynchronous: call
   * {@link EntryCodec.decode} then). Every check of `decode` runs here first, so bytes that
   * are not a valid entry throw the same `CacheSerializationError`, compressed or not.
   *
   * @param bytes - the stored bytes
   * @param key - the entry's key (see {@link EntryCodec.decode})
   * @returns the entry, or `undefined` for a valid entry with a compressed payload
   * @throws `CacheSerializationError` (with `key`) as {@link EntryCodec.decode}
   * @example
   * ```ts
   * const entry = codec.decodeSync(bytes, key) ?? (await codec.decode(bytes, key))
   * ```
   */
  decodeSync(bytes: Uint8Array, key?: string): CacheEntry | undefined {
    const parsed = this.#parse(bytes, key)
    return parsed instanceof CompressedEntry ? undefined : parsed
  }

  /**
   * Like {@link EntryCodec.decode}, but a bad entry is a miss: the `CacheSerializationError`
   * goes to `onError` and the result is `undefined`. The caller then deletes the key.
   *
   * @example
   * ```ts
   * const entry = await codec.decodeOrMiss(bytes, key, onError)
   * if (entry === undefined) await redis.del(fullKey)
   * ```
   */
  async decodeOrMiss(bytes: Uint8Array, key: string, onError: ErrorHandler): Promise<CacheEntry | undefined> {
    try {
      const parsed = this.#parse(bytes, key)
      return parsed instanceof CompressedEntry ? await this.#inflate(parsed, key) : parsed
    } catch (error) {
      safeReport(onError, error)
      return undefined
    }
  }

  /**
   * Every check of the bytes, then the entry when its payload is not compressed, or what
   * {@link EntryCodec.#inflate} needs to finish when it is.
   */
  #parse(bytes: Uint8Array, key: string | undefined): CacheEntry | CompressedEntry {
    if (!(bytes instanceof Uint8Array)) throw decodeFailure(key, `expected a Uint8Array, got ${typeof bytes}`)
    const length = bytes.length
    if (length < FIXED_HEADER_BYTES + CHECKSUM_BYTES) throw decodeFailure(key, `truncated (${length} bytes)`)
    if (bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1) {
      throw decodeFailure(key, 'not a stratacache entry (bad magic bytes)')
    }
    const hasErrorFrom = (bytes[2]! & ERROR_FROM_FLAG) !== 0
    const version = bytes[2]! & ~ERROR_FROM_FLAG
    if (version !== FORMAT_VERSION && version !== KEYED_FORMAT_VERSION) {
      throw decodeFailure(
        key,
        `unsupported format version ${version} (this version of stratacache reads ${FORMAT_VERSION} and ${KEYED_FORMAT_VERSION})`,
      )
    }
    const tagCount = readUint32(bytes, 29)
    const payloadLength = readUint32(bytes, 33)
    const serializedLength = readUint32(bytes, 37)
    const end = length - CHECKSUM_BYTES
    let offset = FIXED_HEADER_BYTES
    let keyEnd = offset
    if (version === KEYED_FORMAT_VERSION) {
      if (KEY_SECTION_OFFSET > end) throw decodeFailure(key, 'truncated (key)')
      keyEnd = KEY_SECTION_OFFSET + readUint32(bytes, FIXED_HEADER_BYTES)
      if (keyEnd > end) throw decodeFailure(key, 'truncated (key)')
      offset = keyEnd
    }
    const errorFromOffset = offset
    if (hasErrorFrom) {
      offset += ERROR_FROM_BYTES
      if (offset > end) throw decodeFailure(key, 'truncated (staleIfErrorFrom)')
    }
    if (tagCount > (end - offset) / 4) throw decodeFailure(key, 'truncated (tags)')
    const tagsOffset = offset
    for (let i = 0; i < tagCount; i++) {
      if (offset + 4 > end) throw decodeFailure(key, 'truncated (tags)')
      const tagLength = readUint32(bytes, offset)
      if (offset + 4 + tagLength > end) throw decodeFailure(key, 'truncated (tags)')
      offset += 4 + tagLength
    }
    if (offset + payloadLength !== end) {
      throw decodeFailure(
        key,
        offset + payloadLength > end ? 'truncated (payload)' : 'unexpected bytes after the payload',
      )
    }
    if (crc32(bytes, 0, end) !== readUint32(bytes, end)) {
      throw decodeFailure(key, 'checksum mismatch (the bytes are corrupt)')
    }
    if (serializedLength > this.#maxValueBytes) {
      throw decodeFailure(
        key,
        `the value claims ${serializedLength} bytes, more than maxValueBytes (${this.#maxValueBytes}); not decompressed`,
      )
    }
    if (version === KEYED_FORMAT_VERSION && key !== undefined && !holdsKey(bytes, keyEnd, key)) {
      throw decodeFailure(key, 'the bytes hold the entry of another key')
    }

    const createdAt = readFloat64(bytes, 5)
    const freshUntil = readFloat64(bytes, 13)
    const staleUntil = readFloat64(bytes, 21)
    const staleIfErrorFrom = hasErrorFrom ? readFloat64(bytes, errorFromOffset) : undefined
    if (
      !isValidTime(createdAt) ||
      !isValidTime(freshUntil) ||
      !isValidTime(staleUntil) ||
      (hasErrorFrom && !isValidTime(staleIfErrorFrom))
    ) {
      throw decodeFailure(key, 'invalid timestamps')
    }
    const serializer = this.#serializers.get(bytes[3]!)
    if (serializer === undefined) {
      throw decodeFailure(
        key,
        `unknown serializer id ${bytes[3]} (this codec reads ${describeKnown(this.#serializers)})`,
      )
    }
    const compressionId = bytes[4]!
    const compression = compressionId === 0 ? undefined : this.#compressions.get(compressionId)
    if (compressionId !== 0 && compression === undefined) {
      throw decodeFailure(
        key,
        `unknown compression id ${compressionId} (this codec reads ${describeKnown(this.#compressions)})`,
      )
    }
    if (compression === undefined && serializedLength !== payloadLength) {
      throw decodeFailure(key, 'inconsistent payload lengths')
    }

    let tags: string[] | undefined
    if (tagCount > 0) {
      tags = []
      let tagOffset = tagsOffset
      for (let i = 0; i < tagCount; i++) {
        const tagLength = readUint32(bytes, tagOffset)
        try {
          tags.push(textDecoder.decode(bytes.subarray(tagOffset + 4, tagOffset + 4 + tagLength)))
        } catch (error) {
          throw decodeFailure(key, 'a tag is not valid UTF-8', error)
        }
        tagOffset += 4 + tagLength
      }
    }

    const entry: CacheEntry = { value: undefined, createdAt, freshUntil, staleUntil }
    if (tags !== undefined) entry.tags = tags
    if (staleIfErrorFrom !== undefined) entry.staleIfErrorFrom = staleIfErrorFrom
    // A plain view, not `bytes.subarray`: on a Node `Buffer` that builds a `Buffer`, at a cost.
    const payload = new Uint8Array(bytes.buffer, bytes.byteOffset + offset, end - offset)
    if (compression !== undefined) {
      return new CompressedEntry(entry, payload, serializedLength, compression, serializer)
    }
    entry.value = deserialize(serializer, payload, key)
    return entry
  }

  /** Decompresses and deserializes the payload of a compressed entry, checked by {@link EntryCodec.#parse}. */
  async #inflate(parsed: CompressedEntry, key: string | undefined): Promise<CacheEntry> {
    const { compression, serializedLength, entry } = parsed
    let serialized: Uint8Array
    try {
      serialized = await compression.decompress(parsed.payload, serializedLength)
    } catch (error) {
      const problem = CacheSerializationError.isInstance(error)
        ? error.message
        : `${compression.name} decompression failed: ${messageOf(error)}`
      throw decodeFailure(key, problem, error)
    }
    if (!(serialized instanceof Uint8Array) || serialized.length !== serializedLength) {
      throw decodeFailure(key, `${compression.name} decompression produced the wrong number of bytes`)
    }
    entry.value = deserialize(parsed.serializer, serialized, key)
    return entry
  }

  #serialize(value: unknown, key: string | undefined): Uint8Array {
    let serialized: unknown
    try {
      serialized = this.serializer.encode(value)
    } catch (error) {
      const message = CacheSerializationError.isInstance(error)
        ? `${error.message}${key === undefined ? '' : ` (key ${quoteKey(key)})`}`
        : `Cannot encode the value${describeKey(key)}: the ${this.serializer.name} serializer threw: ${messageOf(error)}`
      throw new CacheSerializationError(message, { key, cause: error })
    }
    if (!(serialized instanceof Uint8Array)) {
      throw new CacheSerializationError(
        `Cannot encode the value${describeKey(key)}: the ${this.serializer.name} serializer did not return a Uint8Array`,
        { key },
      )
    }
    return serialized
  }

  async #compress(compression: Compression, bytes: Uint8Array, key: string | undefined): Promise<Uint8Array> {
    let compressed: unknown
    try {
      compressed = await compression.compress(bytes)
    } catch (error) {
      throw new CacheSerializationError(
        `Cannot encode the value${describeKey(key)}: ${compression.name} compression failed: ${messageOf(error)}`,
        { key, cause: error },
      )
    }
    if (!(compressed instanceof Uint8Array)) {
      throw new CacheSerializationError(
        `Cannot encode the value${describeKey(key)}: ${compression.name} compression did not return a Uint8Array`,
        { key },
      )
    }
    return compressed
  }
}

/**
 * `EntryCodec`: values to entry bytes and back, in the format every byte store shares (its layout
 * and header readers are in `codec-layout.ts`), with the serializer, the compression and the
 * bounds of a store.
 */
import { CacheConfigError, CacheSerializationError } from '../errors'
import { type ErrorHandler, safeReport } from '../instance-defaults'
import { invalidOption } from '../option-errors'
import { jsonSerializer } from '../serializers/json'
import { assertSerializer, type Serializer } from '../serializers/serializer'
import {
  CHECKSUM_BYTES,
  dataView,
  ERROR_FROM_BYTES,
  ERROR_FROM_FLAG,
  FIXED_HEADER_BYTES,
  FORMAT_VERSION,
  holdsKey,
  isValidTime,
  KEY_SECTION_OFFSET,
  KEYED_FORMAT_VERSION,
  MAGIC_0,
  MAGIC_1,
  MAX_UINT32,
  readEntryKey,
  readFloat64,
  readUint32,
  textDecoder,
  textEncoder,
} from './codec-layout'
import { assertCompression, type Compression, gzipCompression } from './compression'
import { crc32 } from './crc32'
import type { CacheEntry } from './store'

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

export {
  ENTRY_TIMELINE_BYTES,
  type EntryHeaderTimeline,
  readEntryKey,
  readEntryTimeline,
} from './codec-layout'

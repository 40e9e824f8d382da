import { CacheSerializationError } from '../errors'
import { invalidOption } from '../option-errors'

/**
 * A compression algorithm for entry payloads. Its `id` is written into each compressed entry's
 * header (`0` means "not compressed"), so a reader never guesses. Ids `1`–`127` are reserved for
 * algorithms shipped by stratacache (`1` is {@link gzipCompression}); use `128`–`255` for your own.
 *
 * @example
 * ```ts
 * import { brotliCompressSync, brotliDecompressSync } from 'node:zlib'
 * const brotli: Compression = {
 *   id: 128,
 *   name: 'brotli',
 *   compress: async (bytes) => brotliCompressSync(bytes),
 *   decompress: async (bytes, maxBytes) => brotliDecompressSync(bytes, { maxOutputLength: maxBytes }),
 * }
 * new FileStore({ dir, compress: { algorithm: brotli } })
 * ```
 */
export interface Compression {
  /** One byte (an integer `1`–`255`) stored in the header of each entry it compressed. */
  readonly id: number
  /** A short name for error messages, e.g. `'gzip'`. */
  readonly name: string
  /** Compresses `bytes`. */
  compress(bytes: Uint8Array): Promise<Uint8Array>
  /**
   * Decompresses `bytes`. Must reject (not allocate without bound) when the output would exceed
   * `maxBytes`: stored bytes can be corrupt or forged. The codec passes the uncompressed length
   * recorded in the entry's header and checks the result has exactly that length.
   */
  decompress(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array>
}

/**
 * Checks that `value` is a usable {@link Compression}.
 *
 * @param owner - who reads the option, for the error message
 * @throws `CacheConfigError` naming `option` when it is not
 * @example
 * ```ts
 * assertCompression(options.compress.algorithm, 'compress.algorithm')
 * ```
 */
export function assertCompression(
  value: unknown,
  option: string,
  owner = 'EntryCodec',
): asserts value is Compression {
  const candidate = value as Partial<Compression> | null
  const problem =
    typeof candidate !== 'object' || candidate === null
      ? 'is not an object'
      : !Number.isInteger(candidate.id) || (candidate.id as number) < 1 || (candidate.id as number) > 255
        ? `has id ${String(candidate.id)} (expected an integer from 1 to 255)`
        : typeof candidate.compress !== 'function' || typeof candidate.decompress !== 'function'
          ? 'lacks a compress or decompress function'
          : typeof candidate.name !== 'string'
            ? 'lacks a string name'
            : undefined
  if (problem !== undefined) {
    throw invalidOption(
      owner,
      option,
      value,
      `a Compression ({ id, name, compress, decompress }); this one ${problem}`,
    )
  }
}

/** Feeds `bytes` through a transform stream, collecting at most `maxBytes` of output. */
async function pipe(
  transform: CompressionStream | DecompressionStream,
  bytes: Uint8Array,
  maxBytes: number,
): Promise<Uint8Array> {
  const writer = transform.writable.getWriter()
  // The reader below sees any stream error; these promises only mirror it.
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => {})
  writer.close().catch(() => {})
  const reader = transform.readable.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => {})
      throw new RangeError(`output exceeds ${maxBytes} bytes`)
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/**
 * gzip through the runtime's global `CompressionStream`/`DecompressionStream` (Node 18+, Deno,
 * Bun, browsers, edge workers): no dependency, no `node:` import. Id `1`.
 *
 * Decompression stops as soon as the output passes `maxBytes`, so a forged entry (a "zip bomb")
 * costs at most that much memory; garbage input rejects with a `CacheSerializationError`.
 *
 * @example
 * ```ts
 * const packed = await gzipCompression.compress(bytes)
 * const unpacked = await gzipCompression.decompress(packed, bytes.length)
 * ```
 */
export const gzipCompression: Compression = Object.freeze({
  id: 1,
  name: 'gzip',
  compress(bytes: Uint8Array): Promise<Uint8Array> {
    return pipe(new CompressionStream('gzip'), bytes, Number.POSITIVE_INFINITY)
  },
  async decompress(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array> {
    try {
      return await pipe(new DecompressionStream('gzip'), bytes, maxBytes)
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error)
      throw new CacheSerializationError(`gzip data is corrupt: ${detail}`, { cause: error })
    }
  },
})

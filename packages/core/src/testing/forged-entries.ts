import { gzipCompression } from '../store/compression'
import { crc32 } from '../store/crc32'

const MIB = 1024 * 1024

/** Options of {@link forgeInflatingEntry}. */
export interface ForgeInflatingEntryOptions {
  /** How many bytes the payload really inflates to (a multiple of 1 MiB). */
  inflatesTo: number
  /** The uncompressed length the header claims. */
  declares: number
}

/**
 * Bytes of a forged entry (format version 1, valid checksum, never dead) whose gzip payload
 * inflates to `inflatesTo` bytes while its header claims `declares`: a "zip bomb" for testing
 * that stores bound decompression (`maxValueBytes`). 1 GiB of inflation costs ~1 MiB of bytes.
 *
 * @example
 * ```ts
 * const bomb = await forgeInflatingEntry({ inflatesTo: 1024 ** 3, declares: 1024 ** 3 })
 * await redis.set('stratacache:k', Buffer.from(bomb))
 * ```
 */
export async function forgeInflatingEntry(options: ForgeInflatingEntryOptions): Promise<Uint8Array> {
  const member = await gzipCompression.compress(new Uint8Array(MIB))
  const members = Math.max(1, Math.round(options.inflatesTo / MIB))
  const headerBytes = 41
  const bytes = new Uint8Array(headerBytes + member.length * members + 4)
  const view = new DataView(bytes.buffer)
  bytes.set([0xf5, 0x43, 1, 1, gzipCompression.id])
  view.setFloat64(5, 0)
  view.setFloat64(13, Number.POSITIVE_INFINITY)
  view.setFloat64(21, Number.POSITIVE_INFINITY)
  view.setUint32(29, 0)
  view.setUint32(33, member.length * members)
  view.setUint32(37, options.declares)
  for (let i = 0; i < members; i++) bytes.set(member, headerBytes + i * member.length)
  view.setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4))
  return bytes
}

/**
 * The bytes of one entry file: a small frame of this package around the core codec's bytes, so
 * that the original key can be recovered from the file (for `deleteMatching` and `clear`) and a
 * file of another program is never mistaken for an entry.
 *
 * ```
 * offset 0  'S' 'C' 'F' 0x01   magic and frame version
 * offset 4  uint32 big-endian  byte length of the key
 * offset 8  the key, UTF-8
 * then      the core codec's bytes, byte-identical to what every other byte store holds
 * ```
 * @packageDocumentation
 */

const MAGIC = [0x53, 0x43, 0x46, 0x01] as const

/** Bytes before the key: magic, version and key length. */
export const FRAME_PREFIX_BYTES = 8

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Wraps the codec's bytes for `key` in a frame. */
export function encodeFrame(key: string, codecBytes: Uint8Array): Uint8Array {
  const keyBytes = encoder.encode(key)
  const frame = new Uint8Array(FRAME_PREFIX_BYTES + keyBytes.length + codecBytes.length)
  frame.set(MAGIC, 0)
  new DataView(frame.buffer).setUint32(4, keyBytes.length)
  frame.set(keyBytes, FRAME_PREFIX_BYTES)
  frame.set(codecBytes, FRAME_PREFIX_BYTES + keyBytes.length)
  return frame
}

/** Whether `bytes` start with this package's magic (only the first four bytes are needed). */
export function hasFrameMagic(bytes: Uint8Array): boolean {
  return MAGIC.every((byte, index) => bytes[index] === byte)
}

/**
 * The key length announced by a frame's first {@link FRAME_PREFIX_BYTES} bytes, or `undefined`
 * when they are not a frame.
 */
export function frameKeyLength(prefix: Uint8Array): number | undefined {
  if (prefix.length < FRAME_PREFIX_BYTES || !hasFrameMagic(prefix)) return undefined
  return new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength).getUint32(4)
}

/** A decoded frame: the key and the codec's bytes (a view, not a copy). */
export interface DecodedFrame {
  key: string
  codecBytes: Uint8Array
}

/**
 * Splits a frame into its key and codec bytes; `undefined` when the bytes are not a whole frame
 * (wrong magic, truncated key, key not UTF-8). The codec bytes are checked by the codec itself.
 */
export function decodeFrame(bytes: Uint8Array): DecodedFrame | undefined {
  const keyLength = frameKeyLength(bytes)
  if (keyLength === undefined) return undefined
  const keyEnd = FRAME_PREFIX_BYTES + keyLength
  if (bytes.length < keyEnd) return undefined
  let key: string
  try {
    key = decoder.decode(bytes.subarray(FRAME_PREFIX_BYTES, keyEnd))
  } catch {
    return undefined
  }
  return { key, codecBytes: bytes.subarray(keyEnd) }
}

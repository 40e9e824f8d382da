/**
 * CRC-32 (IEEE 802.3, the checksum of gzip and zip) in plain TypeScript, slicing by 8 bytes.
 * Internal: the entry codec's integrity check.
 * @packageDocumentation
 */

const TABLES = new Int32Array(256 * 8)
for (let n = 0; n < 256; n++) {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  TABLES[n] = c
}
for (let n = 0; n < 256; n++) {
  for (let t = 1; t < 8; t++) {
    const previous = TABLES[(t - 1) * 256 + n]!
    TABLES[t * 256 + n] = TABLES[previous & 0xff]! ^ (previous >>> 8)
  }
}

/**
 * The CRC-32 of `bytes[start, end)`, as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789'), 0, 9) // 0xcbf43926
 * ```
 */
export function crc32(bytes: Uint8Array, start: number, end: number): number {
  const t = TABLES
  let crc = -1
  let i = start
  for (; i + 8 <= end; i += 8) {
    const a = crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))
    crc =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!
  }
  for (; i < end; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ -1) >>> 0
}

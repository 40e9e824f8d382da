import { describe, expect, it } from 'vitest'
import { crc32 } from './crc32'

/** The textbook bit-by-bit CRC-32, to check the table-driven one against. */
function referenceCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'), 0, 9)).toBe(0xcbf43926)
    expect(crc32(new Uint8Array(0), 0, 0)).toBe(0)
  })

  it('matches the bit-by-bit definition for every length and alignment up to 40 bytes', () => {
    const bytes = new Uint8Array(48).map((_, i) => (i * 97 + 13) & 0xff)
    for (let start = 0; start < 8; start++) {
      for (let end = start; end <= 48; end++) {
        expect(crc32(bytes, start, end)).toBe(referenceCrc32(bytes.subarray(start, end)))
      }
    }
  })
})

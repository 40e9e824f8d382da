import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame, FRAME_PREFIX_BYTES, frameKeyLength } from './entry-frame'

describe('entry frame', () => {
  it('round-trips the key and keeps the codec bytes byte-identical', () => {
    const codecBytes = Uint8Array.of(0xf5, 0x43, 1, 2, 3, 250)
    const key = 'user:1/🔑\u0000é'
    const frame = encodeFrame(key, codecBytes)
    expect(frameKeyLength(frame)).toBe(new TextEncoder().encode(key).length)
    const decoded = decodeFrame(frame)
    expect(decoded?.key).toBe(key)
    expect([...(decoded?.codecBytes ?? [])]).toEqual([...codecBytes])
    expect(frame.subarray(frame.length - codecBytes.length)).toEqual(codecBytes)
  })

  it('handles an empty key and a 10 KiB key', () => {
    expect(decodeFrame(encodeFrame('', Uint8Array.of(9)))?.key).toBe('')
    const long = 'x'.repeat(10 * 1024)
    expect(decodeFrame(encodeFrame(long, new Uint8Array(0)))?.key).toBe(long)
  })

  it.each([
    ['empty', new Uint8Array(0)],
    ['short prefix', Uint8Array.of(0x53, 0x43, 0x46)],
    ['wrong magic', Uint8Array.of(0x53, 0x43, 0x46, 0x02, 0, 0, 0, 0)],
    ['truncated key', Uint8Array.of(0x53, 0x43, 0x46, 0x01, 0, 0, 0, 5, 0x61)],
    ['key not UTF-8', Uint8Array.of(0x53, 0x43, 0x46, 0x01, 0, 0, 0, 1, 0xff)],
  ])('rejects %s', (_label, bytes) => {
    expect(decodeFrame(bytes)).toBeUndefined()
  })

  it('reads the key length from the prefix alone', () => {
    const frame = encodeFrame('abc', Uint8Array.of(1))
    expect(frameKeyLength(frame.subarray(0, FRAME_PREFIX_BYTES))).toBe(3)
    expect(frameKeyLength(frame.subarray(0, FRAME_PREFIX_BYTES - 1))).toBeUndefined()
  })
})

import { describe, expect, it } from 'vitest'
import { fromBase64, toBase64 } from './base64'

describe('base64', () => {
  it('matches the RFC 4648 test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ]
    for (const [plain, encoded] of vectors) {
      const bytes = new TextEncoder().encode(plain)
      expect(toBase64(bytes)).toBe(encoded)
      expect(fromBase64(encoded)).toEqual(bytes)
    }
  })

  it('round-trips every byte value', () => {
    const bytes = new Uint8Array(256 * 3 + 1).map((_, i) => i & 0xff)
    for (let length = 0; length < 8; length++) {
      const slice = bytes.subarray(250, 250 + length)
      expect(fromBase64(toBase64(slice))).toEqual(slice)
    }
    expect(fromBase64(toBase64(bytes))).toEqual(bytes)
    expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'))
  })

  it.each(['a', 'abc', 'a===', '=abc', 'ab=c', 'ab c', 'é===', 'Zm9v\n', '-_=='])('rejects %j', (text) => {
    expect(fromBase64(text)).toBeUndefined()
  })
})

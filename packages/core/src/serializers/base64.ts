/**
 * Standard base64 (RFC 4648, with padding) in plain TypeScript, so core needs no `node:buffer`.
 * Internal: used by the JSON serializer for binary values.
 * @packageDocumentation
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const ENCODE = new Uint8Array(64)
const DECODE = new Uint8Array(256).fill(255)
for (let i = 0; i < 64; i++) {
  ENCODE[i] = ALPHABET.charCodeAt(i)
  DECODE[ALPHABET.charCodeAt(i)] = i
}
const PAD = 61 // '='
const asciiDecoder = new TextDecoder()
const asciiEncoder = new TextEncoder()

/**
 * Encodes bytes as base64.
 *
 * @example
 * ```ts
 * toBase64(new Uint8Array([104, 105])) // 'aGk='
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  const length = bytes.length
  const out = new Uint8Array(Math.ceil(length / 3) * 4)
  let o = 0
  let i = 0
  for (; i + 2 < length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out[o++] = ENCODE[n >>> 18]!
    out[o++] = ENCODE[(n >>> 12) & 63]!
    out[o++] = ENCODE[(n >>> 6) & 63]!
    out[o++] = ENCODE[n & 63]!
  }
  if (i < length) {
    const second = i + 1 < length
    const n = (bytes[i]! << 16) | (second ? bytes[i + 1]! << 8 : 0)
    out[o++] = ENCODE[n >>> 18]!
    out[o++] = ENCODE[(n >>> 12) & 63]!
    out[o++] = second ? ENCODE[(n >>> 6) & 63]! : PAD
    out[o++] = PAD
  }
  return asciiDecoder.decode(out)
}

/**
 * Decodes base64 produced by {@link toBase64}; `undefined` for anything else (bad length,
 * characters outside the alphabet, misplaced padding).
 *
 * @example
 * ```ts
 * fromBase64('aGk=') // Uint8Array [104, 105]
 * ```
 */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  const input = asciiEncoder.encode(text)
  if (input.length % 4 !== 0) return undefined
  const padding =
    input.length === 0 ? 0 : input[input.length - 1] !== PAD ? 0 : input[input.length - 2] === PAD ? 2 : 1
  const out = new Uint8Array((input.length / 4) * 3 - padding)
  const end = input.length - (padding === 0 ? 0 : 4)
  let o = 0
  for (let i = 0; i < end; i += 4) {
    const a = DECODE[input[i]!]!
    const b = DECODE[input[i + 1]!]!
    const c = DECODE[input[i + 2]!]!
    const d = DECODE[input[i + 3]!]!
    if ((a | b | c | d) === 255) return undefined
    const n = (a << 18) | (b << 12) | (c << 6) | d
    out[o++] = n >>> 16
    out[o++] = (n >>> 8) & 255
    out[o++] = n & 255
  }
  if (padding !== 0) {
    const a = DECODE[input[end]!]!
    const b = DECODE[input[end + 1]!]!
    const c = padding === 1 ? DECODE[input[end + 2]!]! : 0
    if ((a | b | c) === 255) return undefined
    const n = (a << 18) | (b << 12) | (c << 6)
    out[o++] = n >>> 16
    if (padding === 1) out[o++] = (n >>> 8) & 255
  }
  return out
}

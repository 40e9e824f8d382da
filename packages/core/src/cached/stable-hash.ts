import { stableJson } from './stable-json'

const encoder = new TextEncoder()

/**
 * A hash of `value` that is identical in every process, on every platform and after every
 * restart: 64-bit FNV-1a over the UTF-8 bytes of {@link stableJson}`(value)`, written as 16
 * lowercase hex digits. The omitted-key form of `cache()` (`name:<hash>`) relies on it, so keys
 * written by one process are found by another.
 *
 * FNV-1a is not cryptographic; 64 bits keep accidental collisions negligible for cache keys
 * (about one in 10^19 for a given pair). The algorithm is part of the key format: changing it
 * would orphan every entry written with omitted keys.
 *
 * @example
 * ```ts
 * stableHash([42, { b: 1, a: 2 }]) === stableHash([42, { a: 2, b: 1 }]) // true
 * ```
 */
export function stableHash(value: unknown): string {
  return fnv1a64(encoder.encode(stableJson(value)))
}

/**
 * 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3), computed on two 32-bit
 * halves so it needs no `BigInt`.
 */
export function fnv1a64(bytes: Uint8Array): string {
  let high = 0xcbf29ce4
  let low = 0x84222325
  for (let i = 0; i < bytes.length; i++) {
    low = (low ^ bytes[i]!) >>> 0
    // (high, low) * (2^40 + 0x1b3) mod 2^64
    const lowProduct = low * 0x1b3
    const carry = Math.floor(lowProduct / 0x1_0000_0000)
    high = (Math.imul(high, 0x1b3) + carry + (low << 8)) >>> 0
    low = lowProduct >>> 0
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0')
}

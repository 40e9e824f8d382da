/**
 * Redis Cluster key slots: which keys may share one multi-key command (`MGET`, `UNLINK`) or one
 * pipeline. Keys in different slots are split into one group per slot.
 * @packageDocumentation
 */

const SLOT_COUNT = 16_384
const encoder = new TextEncoder()

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let crc = i << 8
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    table[i] = crc
  }
  return table
})()

function crc16(bytes: Uint8Array): number {
  let crc = 0
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ byte) & 0xff] as number)
  return crc
}

/**
 * The cluster slot of `key` (CRC16 of the key, or of its `{hash tag}` when it has a non-empty one).
 *
 * @example
 * ```ts
 * keySlot('{user:1}:profile') === keySlot('{user:1}:orders') // true
 * ```
 */
export function keySlot(key: string): number {
  let bytes = encoder.encode(key)
  const open = bytes.indexOf(0x7b) // '{'
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1) // '}'
    if (close > open + 1) bytes = bytes.subarray(open + 1, close)
  }
  return crc16(bytes) % SLOT_COUNT
}

/**
 * The indexes of `keys` grouped by cluster slot, in first-seen order.
 *
 * @example
 * ```ts
 * for (const indexes of groupBySlot(keys)) await client.mget(indexes.map((i) => keys[i]))
 * ```
 */
export function groupBySlot(keys: readonly string[]): number[][] {
  const groups = new Map<number, number[]>()
  for (let i = 0; i < keys.length; i++) {
    const slot = keySlot(keys[i] as string)
    const group = groups.get(slot)
    if (group === undefined) groups.set(slot, [i])
    else group.push(i)
  }
  return [...groups.values()]
}

import type { CacheEntry } from '@stratacache/core'

/**
 * The copy of `entry` a tier with a lifetime cap of `ttlMs` may hold when written at `now`: its
 * `freshUntil` and `staleUntil` are cut to `now + ttlMs`, never extended. The entry itself is
 * returned (no copy) when it already dies within the cap.
 *
 * @param entry - the entry to store
 * @param ttlMs - the tier's cap in ms; `Infinity` for none
 * @param now - the time of the write, epoch ms
 * @example
 * ```ts
 * capEntry({ value: 1, createdAt: 0, freshUntil: 60_000, staleUntil: 120_000 }, 10_000, 0)
 * // { value: 1, createdAt: 0, freshUntil: 10_000, staleUntil: 10_000 }
 * ```
 */
export function capEntry(entry: CacheEntry, ttlMs: number, now: number): CacheEntry {
  const limit = now + ttlMs
  if (entry.staleUntil <= limit) return entry
  return { ...entry, freshUntil: Math.min(entry.freshUntil, limit), staleUntil: limit }
}

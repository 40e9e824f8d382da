/** How long a read of the system time is reused, in ms. */
const RESOLUTION_MS = 1

let cachedNow = 0

function forget(): void {
  cachedNow = 0
}

/**
 * `Date.now()` read at most once per millisecond: the value is reused until a 1 ms timer (one
 * for the whole process, unref'd, armed only while time is being read) clears it. Within one
 * synchronous run of code the time therefore stands still, as in `lru-cache`'s `ttlResolution`;
 * in exchange a hot read path pays a variable check instead of a clock call.
 *
 * Used by stores on the default `systemClock` only; an injected clock is always read exactly.
 *
 * @example
 * ```ts
 * if (coarseNow() >= staleUntil) remove(slot)
 * ```
 */
export function coarseNow(): number {
  if (cachedNow !== 0) return cachedNow
  cachedNow = Date.now()
  const timer = globalThis.setTimeout(forget, RESOLUTION_MS) as { unref?: () => void } | number
  if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref()
  return cachedNow
}

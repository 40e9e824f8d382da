/** How long one reading of the system time may be reused, in ms. */
const RESOLUTION_MS = 1
/** How many reads may reuse one reading at most, whatever the timer does. */
const REUSE_LIMIT = 1024

let cachedNow = 0
let readsLeft = 0
let forgetArmed = false

function forget(): void {
  readsLeft = 0
  forgetArmed = false
}

/**
 * `Date.now()` read at most about once per millisecond: a reading is reused until a 1 ms timer
 * (one for the whole process, unref'd, armed only while time is being read) forgets it, and for
 * at most 1,024 reads — so even where timers are faked or starved, time never stands still for
 * long. A hot read path pays a counter check instead of a clock call (the same trade as
 * `lru-cache`'s `ttlResolution`), and, unlike a microtask-based reset, an `await` costs nothing
 * extra. Code that moves a fake system clock between two reads should inject a clock instead.
 *
 * Used by stores on the default `systemClock` only; an injected clock is always read exactly.
 *
 * @example
 * ```ts
 * if (coarseNow() >= staleUntil) remove(slot)
 * ```
 */
export function coarseNow(): number {
  if (readsLeft > 0) {
    readsLeft--
    return cachedNow
  }
  cachedNow = Date.now()
  readsLeft = REUSE_LIMIT
  if (!forgetArmed) {
    forgetArmed = true
    const timer = globalThis.setTimeout(forget, RESOLUTION_MS) as { unref?: () => void } | number
    if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref()
  }
  return cachedNow
}

/** How many reads may reuse one clock reading within a single synchronous run of code. */
const REUSE_LIMIT = 1024

let cachedNow = 0
let readsLeft = 0
let forgetQueued = false

function forget(): void {
  readsLeft = 0
  forgetQueued = false
}

/**
 * `Date.now()`, read once per synchronous run of code: the reading is reused by later calls
 * until the current job ends (a queued microtask forgets it) or 1,024 calls have reused it,
 * whichever comes first. A hot read path thus pays a counter check instead of a clock call, and
 * no timer is ever created. Within one synchronous run time stands still (as with `lru-cache`'s
 * `ttlResolution`), so code that moves a fake system clock between two reads without yielding
 * should inject a clock instead.
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
  if (!forgetQueued) {
    forgetQueued = true
    queueMicrotask(forget)
  }
  return cachedNow
}

/**
 * The source of time for everything time-dependent in stratacache (TTL, SWR, background refresh,
 * lock polling). Tests inject a manual clock (`ManualClock` from `@stratacache/core/testing`)
 * instead of sleeping.
 */
export interface Clock {
  /** The current time in epoch milliseconds. */
  now(): number
  /**
   * Calls `callback` once after `ms` milliseconds. Delays longer than a 32-bit `setTimeout`
   * allows are honoured. By default the timer never keeps the process alive (`unref`): right for
   * background work. A caller that is itself awaiting the timer (a lock waiter polling) passes
   * `{ keepAlive: true }`, so the process does not exit in the middle of the wait.
   */
  setTimeout(callback: () => void, ms: number, options?: TimerOptions): TimerHandle
  /** Cancels a timer from {@link Clock.setTimeout}; a handle that already fired is ignored. */
  clearTimeout(handle: TimerHandle): void
}

/** Options of {@link Clock.setTimeout}. */
export interface TimerOptions {
  /**
   * Keep the process alive until the timer fires or is cleared.
   * @defaultValue false
   */
  keepAlive?: boolean
}

/** An opaque timer handle returned by {@link Clock.setTimeout}. */
export interface TimerHandle {
  /** Brand only: handles are opaque. */
  readonly __timer?: never
}

/**
 * The largest delay a platform timer (`setTimeout`, and the timers of clients such as ioredis'
 * `commandTimeout`) accepts: a longer one overflows a 32-bit integer and fires after ~1 ms.
 * About 24.8 days.
 * @example
 * ```ts
 * new Redis({ commandTimeout: clampTimerDelay(timeoutMs) }) // never above MAX_TIMER_DELAY_MS
 * ```
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1

/**
 * `ms` as a delay every platform timer honours: `NaN` and negatives become 0, anything above
 * {@link MAX_TIMER_DELAY_MS} (`Infinity` included) becomes that maximum. Every delay handed to a
 * native timer, ours or a client library's, goes through it; {@link systemClock} uses it and
 * re-arms to honour longer delays exactly.
 * @example
 * ```ts
 * clampTimerDelay(30 * 86_400_000) // 2147483647, not an overflow that fires at once
 * ```
 */
export function clampTimerDelay(ms: number): number {
  if (!(ms > 0)) return 0
  return Math.min(ms, MAX_TIMER_DELAY_MS)
}

interface SystemTimer extends TimerHandle {
  native: unknown
  keepAlive: boolean
}

function unrefTimer(native: unknown): void {
  const maybe = native as { unref?: () => void } | null
  if (maybe && typeof maybe.unref === 'function') maybe.unref()
}

function armSystemTimer(timer: SystemTimer, callback: () => void, dueAt: number): void {
  const remaining = dueAt - Date.now()
  const delay = clampTimerDelay(remaining)
  if (remaining > MAX_TIMER_DELAY_MS) {
    timer.native = globalThis.setTimeout(() => armSystemTimer(timer, callback, dueAt), MAX_TIMER_DELAY_MS)
  } else {
    timer.native = globalThis.setTimeout(callback, delay)
  }
  if (!timer.keepAlive) unrefTimer(timer.native)
}

/**
 * The real clock: `Date.now()` and unref'd `setTimeout`.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ maxEntries: 1000, clock: systemClock })
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms, options) {
    const timer: SystemTimer = { native: undefined, keepAlive: options?.keepAlive === true }
    armSystemTimer(timer, callback, Date.now() + ms)
    return timer
  },
  clearTimeout(handle) {
    globalThis.clearTimeout((handle as SystemTimer).native as Parameters<typeof globalThis.clearTimeout>[0])
  },
}

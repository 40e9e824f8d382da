import type { TimerHandle } from '../clock'
import { CacheTimeoutError } from '../errors'
import type { CacheEntry } from '../store/store'
import type { LoadPolicy } from './load-policy'
import type { StoreGuard } from './store-guard'

/** What a caller waiting with timeouts needs to know of the computation it waits for. */
export interface WaitedFlight {
  readonly promise: Promise<unknown>
}

/** The engine's side of a timed wait: serving the old value and reporting failures. */
export interface WaitHooks {
  /** A stale-if-error (or soft-timeout) value was served instead of waiting. */
  servedOld(key: string): void
  /** The computation failed (or timed out) and the caller was spared: report it once per flight. */
  failed(flight: WaitedFlight, error: unknown): void
}

/**
 * Waits for `flight` on a caller's behalf, bounded by the policy's timeouts:
 * - past `softTimeout`, with an old value at hand, the caller gets the old value;
 * - past `hardTimeout`, the old value, or a `CacheTimeoutError`;
 * - when the computation rejects, the old value (the failure is reported), or the rejection.
 *
 * The computation is never cancelled: it goes on and stores its result. Both timers are unref'd
 * and cleared as soon as the wait ends; a failure after the caller left is reported, never unhandled.
 */
export function waitWithTimeouts(
  flight: WaitedFlight,
  key: string,
  policy: LoadPolicy,
  old: CacheEntry | undefined,
  guard: StoreGuard,
  hooks: WaitHooks,
): Promise<unknown> {
  const { clock } = guard
  return new Promise((resolve, reject) => {
    let soft: TimerHandle | undefined
    let hard: TimerHandle | undefined
    let waiting = true
    const stop = (): boolean => {
      if (!waiting) return false
      waiting = false
      if (soft !== undefined) clock.clearTimeout(soft)
      if (hard !== undefined) clock.clearTimeout(hard)
      return true
    }
    const serveOld = (entry: CacheEntry): void => {
      hooks.servedOld(key)
      resolve(entry.value)
    }
    if (old !== undefined && policy.softTimeoutMs !== Number.POSITIVE_INFINITY) {
      soft = clock.setTimeout(() => {
        if (!stop()) return
        serveOld(old)
      }, policy.softTimeoutMs)
    }
    if (policy.hardTimeoutMs !== Number.POSITIVE_INFINITY) {
      hard = clock.setTimeout(() => {
        if (!stop()) return
        const error = new CacheTimeoutError(
          `${guard.cacheName}: computing key ${JSON.stringify(key)} took longer than hardTimeout (${policy.hardTimeoutMs} ms)`,
          { store: guard.store.name, operation: 'load', key, timeoutMs: policy.hardTimeoutMs },
        )
        if (old === undefined) {
          reject(error)
          return
        }
        hooks.failed(flight, error)
        serveOld(old)
      }, policy.hardTimeoutMs)
    }
    flight.promise.then(
      (value) => {
        if (stop()) resolve(value)
      },
      (error: unknown) => {
        if (!stop()) {
          hooks.failed(flight, error)
          return
        }
        if (old === undefined) {
          reject(error)
          return
        }
        hooks.failed(flight, error)
        serveOld(old)
      },
    )
  })
}

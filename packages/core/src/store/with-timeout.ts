import type { Clock } from '../clock'
import { CacheTimeoutError } from '../errors'

/** What a timed-out operation was, for the {@link CacheTimeoutError} message and fields. */
export interface TimeoutContext {
  /** The `name` of the store. */
  store: string
  /** The operation, e.g. `'get'`. */
  operation: string
  /** The key involved, if the operation has exactly one. */
  key?: string
}

/**
 * Settles like `operation`, unless it takes longer than `timeoutMs`: then rejects with a
 * {@link CacheTimeoutError} at once. The timer is cleared as soon as the operation settles, and a
 * late rejection of the abandoned operation is absorbed (it can never become an unhandled
 * rejection). A `timeoutMs` of `Infinity` returns `operation` unchanged.
 *
 * Shared by `cache()` (`operationTimeout`) and by adapters that bound their backend calls.
 *
 * @param operation - the pending store call
 * @param timeoutMs - the bound, in ms
 * @param clock - the clock whose timers measure the bound (inject a `ManualClock` in tests)
 * @param context - names the store, operation and key in the error
 * @example
 * ```ts
 * const entry = await withTimeout(store.get(key), 250, systemClock, { store: store.name, operation: 'get', key })
 * ```
 */
export function withTimeout<T>(
  operation: Promise<T>,
  timeoutMs: number,
  clock: Clock,
  context: TimeoutContext,
): Promise<T> {
  if (timeoutMs === Number.POSITIVE_INFINITY) return operation
  return new Promise<T>((resolve, reject) => {
    // Awaited by a caller: kept alive until the operation settles or times out, so a hung
    // backend ends in a CacheTimeoutError, never in the process exiting mid-await.
    const timer = clock.setTimeout(
      () => {
        reject(
          new CacheTimeoutError(
            `${context.store} ${context.operation}${context.key === undefined ? '' : ` of key ${JSON.stringify(context.key)}`} took longer than ${timeoutMs} ms`,
            { ...context, timeoutMs },
          ),
        )
      },
      timeoutMs,
      { keepAlive: true },
    )
    operation.then(
      (value) => {
        clock.clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clock.clearTimeout(timer)
        reject(error)
      },
    )
  })
}

import type { CacheMode } from './cached/cache-mode'
import type { Clock } from './clock'
import type { Duration } from './duration'
import type { MetricsCollector } from './metrics/collector'
import { redactUrls } from './redact'
import type { CacheStore } from './store/store'
import type { CacheTracer } from './tracing/cache-tracer'

/** A callback that receives errors stratacache handles on the caller's behalf (store failures, background refreshes). */
export type ErrorHandler = (error: unknown) => void

/**
 * The defaults an instance (`createCache(...)`, or the top-level default instance) hands to each
 * of its `cache`, `bg`, `lock`, `once`, `pool` and `pooled` factories. Internal plumbing: users
 * pass these through `createCache` options.
 */
export interface InstanceDefaults {
  /** The instance's store, created on first use. */
  readonly store: () => CacheStore
  /** Whether the instance was given a store (`false`: the in-memory default). */
  readonly hasExplicitStore: boolean
  /** Prepended to every key as `prefix:key`; `''` for none. */
  readonly prefix: string
  /** The default `ttl` for `cache()`; `undefined` makes `ttl` required. */
  readonly ttl: Duration | undefined
  /** The default metrics collector. */
  readonly metrics: MetricsCollector
  /** The default tracer of `cache()` and the key-value methods; none when absent. */
  readonly tracer?: CacheTracer
  /** The default error handler. */
  readonly onError: ErrorHandler
  /** The clock for TTLs, timers and polling. */
  readonly clock: Clock
  /**
   * The default `mode` of cached calls.
   * @defaultValue 'normal'
   */
  readonly mode?: CacheMode
}

/**
 * Puts a key into an instance's namespace.
 *
 * @example
 * ```ts
 * prefixKey('app', 'user:1') // 'app:user:1'
 * prefixKey('', 'user:1')    // 'user:1'
 * ```
 */
export function prefixKey(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}:${key}`
}

/**
 * The default {@link ErrorHandler}: one warning line per error, never a throw.
 *
 * @example
 * ```ts
 * cache({ ttl: 60, onError: (e) => { logger.warn(e); defaultErrorHandler(e) } })(fn)
 * ```
 */
export const defaultErrorHandler: ErrorHandler = (error) => {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  console.warn(`[stratacache] ${redactUrls(message)}`)
}

/**
 * Calls `handler` with `error`; a handler that throws is reported by {@link defaultErrorHandler}
 * instead of escaping into the caller or an unhandled rejection.
 *
 * @example
 * ```ts
 * safeReport(options.onError, error)
 * ```
 */
export function safeReport(handler: ErrorHandler, error: unknown): void {
  try {
    handler(error)
  } catch (handlerError) {
    defaultErrorHandler(handlerError)
  }
}

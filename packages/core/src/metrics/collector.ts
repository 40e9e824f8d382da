import type { CircuitState } from '../store/circuit-breaker'
import type { CacheTallies } from './cache-tallies'
import type { errorTypeOf } from './error-type'

/**
 * Receives what caches and stores do. Implementations: `InMemoryMetrics`, `NULL_METRICS`,
 * `OpenTelemetryMetrics` (`@stratacache/otel`), `PrometheusMetrics` (`@stratacache/prometheus`).
 *
 * Every method must be cheap and must never throw: it runs on the hot path.
 * `cache` is the cache's name (`options.name ?? fn.name`, the key of a `bg` job, or the label
 * given to `instrument`). `operation` names a store method (`get`, `set`, `getMany`, ...) under
 * `instrument`, or what a cached function did (`load`: computing a value on a miss, `refresh`).
 * `errorType` is {@link errorTypeOf} of the error. `key` is for collectors that opt in to
 * per-key reporting: most should ignore it (one time series per key is a cardinality hazard).
 *
 * Writing an exporter for a backend whose own calls are costly: count hits, misses, sets,
 * deletes and stale serves in a {@link CacheTallies} and report the totals when the backend
 * collects, as `@stratacache/otel` and `@stratacache/prometheus` do.
 *
 * @example
 * ```ts
 * const printing: MetricsCollector = {
 *   ...NULL_METRICS,
 *   recordMiss: (cache, key) => console.log(`miss ${cache} ${key}`),
 * }
 * ```
 */
export interface MetricsCollector {
  /** A read found a live entry (fresh or stale). */
  recordHit(cache: string, key?: string): void
  /** A read found nothing live. */
  recordMiss(cache: string, key?: string): void
  /** An entry was written, of `bytes` size when known. */
  recordSet(cache: string, key?: string, bytes?: number): void
  /** An entry was removed. */
  recordDelete(cache: string, key?: string): void
  /** A stale entry was served while it is refreshed. */
  recordStale(cache: string, key?: string): void
  /** An operation (`get`, `set`, `load`, ...) took `seconds`. */
  recordLatency(cache: string, operation: string, seconds: number): void
  /** An operation failed with an error of type `errorType` (its class name). */
  recordError(cache: string, operation: string, errorType: string): void
  /** The cache holds `entries` entries taking about `bytes` bytes. */
  recordMemory(cache: string, bytes: number, entries: number): void
  /** A background refresh finished, successfully or not, after `seconds`. */
  recordBackgroundRefresh(cache: string, success: boolean, seconds: number): void
  /**
   * The circuit breaker of a store changed state (reported by `instrument()` over a store with a
   * breaker, such as `RedisStore`): `'open'` while its backend is skipped. Optional.
   */
  recordCircuitState?(cache: string, state: CircuitState): void
}

const noop = (): void => {}

/**
 * A collector that does nothing, at no cost. The default everywhere.
 *
 * @example
 * ```ts
 * cache({ ttl: 60, metrics: NULL_METRICS })(fn)
 * ```
 */
export const NULL_METRICS: MetricsCollector = Object.freeze({
  recordHit: noop,
  recordMiss: noop,
  recordSet: noop,
  recordDelete: noop,
  recordStale: noop,
  recordLatency: noop,
  recordError: noop,
  recordMemory: noop,
  recordBackgroundRefresh: noop,
})

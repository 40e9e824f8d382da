import type { MetricsCollector } from '../metrics/collector'

/**
 * What a traced lookup was: a call of a cached function (`call`), or a key-value read of an
 * instance (`getOrSet`, `get`).
 *
 * @example
 * ```ts
 * const spanName = (cache: string, operation: TracedOperation) => `${operation} ${cache}`
 * ```
 */
export type TracedOperation = 'call' | 'getOrSet' | 'get'

/**
 * The tracing hook of `cache()` and `createCache()` (option `tracer`), implemented by
 * `OpenTelemetryTracing` in `@stratacache/otel`. Absent by default: the choice is made when a
 * function is decorated or an instance created, so an untraced cache runs exactly the code it
 * would without this interface (nothing is checked per call).
 *
 * With a tracer, a cache:
 * - runs each lookup inside {@link CacheTracer.traceLookup} (which makes its span the active one);
 * - wraps its function (or `getOrSet`'s factory) with {@link CacheTracer.traceLoad}, so that each
 *   computation on a miss or refresh runs inside a child span;
 * - reports to {@link CacheTracer.metrics} beside its own collector (`combineMetrics`): the hit,
 *   miss or stale serve of the lookup and the failures of its store arrive there while the
 *   lookup's span is active. A store wrapped by `instrument(store, combineMetrics(m,
 *   tracer.metrics), 'L2:redis')` reports there too, which tells the tracer which tier served.
 *
 * Implementations must never throw from these methods except by rethrowing what `lookup` or the
 * loader threw, and must return what they return (a value or the same settled promise).
 *
 * @example
 * ```ts
 * const tracer = new OpenTelemetryTracing()
 * const app = createCache({ store, tracer })
 * const getUser = app.cache({ ttl: 60, key: 'user:{0}' })(loadUser) // spans 'lookup getUser', 'load getUser'
 * ```
 */
export interface CacheTracer {
  /**
   * Runs one lookup of `cache` (its result: a value, a promise, or a throw) inside a span. Keys
   * are not given: they often hold personal data, and a trace needs the cache, not the entry.
   */
  traceLookup<R>(cache: string, operation: TracedOperation, lookup: () => R): R
  /** Wraps a loader: each call runs inside a span, a child of the span active at the call. */
  traceLoad<F extends (...args: any[]) => unknown>(cache: string, loader: F): F
  /** Receives the records of the traced caches and of instrumented tiers during their lookups. */
  readonly metrics: MetricsCollector
}

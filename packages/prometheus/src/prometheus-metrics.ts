import { CacheConfigError, type MetricsCollector } from '@stratacache/core'
import { Counter, Gauge, Histogram, type Metric, type Registry, register } from 'prom-client'

/**
 * Histogram buckets for operation durations, in seconds: from 10 µs (an in-memory hit) to 10 s
 * (a backend timing out).
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  5, 10,
])

/** Options of {@link PrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /**
   * The registry to register the metrics in.
   * @defaultValue prom-client's global `register`
   * @example
   * ```ts
   * const registry = new Registry()
   * new PrometheusMetrics({ registry })
   * app.get('/metrics', async () => registry.metrics())
   * ```
   */
  registry?: Registry
  /**
   * Prepended to every metric name (`<prefix>hits_total`, ...); letters, digits, `_` and `:`,
   * not starting with a digit, or `''`.
   * @defaultValue `'stratacache_'`
   * @example
   * ```ts
   * new PrometheusMetrics({ prefix: 'checkout_cache_' }) // checkout_cache_hits_total, ...
   * ```
   */
  prefix?: string
  /**
   * Adds a `key` label to hit, miss, set, delete and stale counts. Every distinct key becomes its
   * own time series: enable only for a small, bounded key space.
   * @defaultValue `false`
   */
  recordKeys?: boolean
  /**
   * Buckets of the duration histograms, in seconds, strictly increasing.
   * @defaultValue {@link DEFAULT_DURATION_BUCKETS} (10 µs to 10 s)
   */
  durationBuckets?: readonly number[]
}

const PREFIX_PATTERN = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?$/

/** Whether `value` is a finite number `>= 0` (false for NaN). */
const isAmount = (value: number): boolean => value >= 0 && value < Number.POSITIVE_INFINITY

function invalid(option: string, message: string): CacheConfigError {
  return new CacheConfigError(`PrometheusMetrics: invalid "${option}": ${message}`, { option })
}

/** A prom-client metric class with the `type` its instances carry. */
type MetricKind =
  | { type: 'counter'; create: typeof Counter }
  | { type: 'gauge'; create: typeof Gauge }
  | { type: 'histogram'; create: typeof Histogram }

const COUNTER: MetricKind = { type: 'counter', create: Counter }
const GAUGE: MetricKind = { type: 'gauge', create: Gauge }
const HISTOGRAM: MetricKind = { type: 'histogram', create: Histogram }

interface MetricSpec {
  name: string
  help: string
  labelNames: string[]
  buckets?: number[]
}

const sameList = (a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean =>
  a !== undefined && b !== undefined && a.length === b.length && a.every((item, i) => item === b[i])

/**
 * Registers a metric, or reuses the one a previous collector registered under that name in the
 * same registry when it has the same type, labels (and buckets). Anything else under that name
 * is a conflict.
 */
function registerOrReuse<M extends Metric>(registry: Registry, kind: MetricKind, spec: MetricSpec): M {
  const existing = registry.getSingleMetric(spec.name) as
    | (Metric & { type?: string; labelNames?: string[]; upperBounds?: number[] })
    | undefined
  if (existing === undefined) {
    return new kind.create({ ...spec, registers: [registry] } as never) as unknown as M
  }
  // Compared by `type` rather than `instanceof`, so that a metric from another copy of prom-client is recognised.
  const compatible =
    existing.type === kind.type &&
    sameList([...(existing.labelNames ?? [])].sort(), [...spec.labelNames].sort()) &&
    (spec.buckets === undefined || sameList(existing.upperBounds, spec.buckets))
  if (!compatible) {
    throw invalid(
      'prefix',
      `the registry already holds a different metric named "${spec.name}" (another type, labels or buckets); ` +
        'use another prefix or registry, or the same recordKeys and durationBuckets as the first collector',
    )
  }
  return existing as M
}

/**
 * A {@link MetricsCollector} that reports to Prometheus through `prom-client`.
 *
 * Metrics (with the default prefix `stratacache_`):
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `stratacache_hits_total` | counter | `cache` |
 * | `stratacache_misses_total` | counter | `cache` |
 * | `stratacache_sets_total` | counter | `cache` |
 * | `stratacache_deletes_total` | counter | `cache` |
 * | `stratacache_stale_total` | counter | `cache` |
 * | `stratacache_errors_total` | counter | `cache`, `operation`, `error_type` |
 * | `stratacache_background_refreshes_total` | counter | `cache`, `success` (`"true"`/`"false"`) |
 * | `stratacache_operation_duration_seconds` | histogram | `cache`, `operation` |
 * | `stratacache_background_refresh_duration_seconds` | histogram | `cache`, `success` |
 * | `stratacache_memory_bytes` | gauge | `cache` |
 * | `stratacache_memory_entries` | gauge | `cache` |
 *
 * Several collectors may share one registry and prefix (two instances, a hot reload): the
 * second reuses the metrics the first registered, so both count into the same series. A metric
 * of that name with another type, labels or buckets (registered by other code, or by a collector
 * with other `recordKeys`/`durationBuckets`) is a `CacheConfigError` naming `prefix`.
 * Keys are never labels unless `recordKeys` is set. Label sets are built once per cache, so
 * counting allocates nothing.
 *
 * @example
 * ```ts
 * import { PrometheusMetrics } from '@stratacache/prometheus'
 * import { register } from 'prom-client'
 * const metrics = new PrometheusMetrics()
 * const getUser = cache({ ttl: 60, key: 'user:{0}', metrics })(loadUser)
 * app.get('/metrics', async (_req, res) => res.type(register.contentType).send(await register.metrics()))
 * ```
 */
export class PrometheusMetrics implements MetricsCollector {
  readonly #recordKeys: boolean
  readonly #hits: Counter
  readonly #misses: Counter
  readonly #sets: Counter
  readonly #deletes: Counter
  readonly #stale: Counter
  readonly #errors: Counter
  readonly #refreshes: Counter
  readonly #duration: Histogram
  readonly #refreshDuration: Histogram
  readonly #memoryBytes: Gauge
  readonly #memoryEntries: Gauge
  /** `{ cache: name }` per cache. */
  readonly #cacheLabels = new Map<string, { cache: string }>()

  constructor(options: PrometheusMetricsOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalid('options', 'expected an object')
    const { registry = register, prefix = 'stratacache_', recordKeys = false } = options
    if (typeof registry?.getSingleMetric !== 'function')
      throw invalid('registry', 'expected a prom-client Registry')
    if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
      throw invalid(
        'prefix',
        `${JSON.stringify(prefix)} (expected letters, digits, _ or :, not starting with a digit)`,
      )
    }
    if (typeof recordKeys !== 'boolean') throw invalid('recordKeys', 'expected a boolean')
    const buckets = [...(options.durationBuckets ?? DEFAULT_DURATION_BUCKETS)]
    if (
      buckets.length === 0 ||
      buckets.some((b, i) => !Number.isFinite(b) || b < 0 || (i > 0 && b <= (buckets[i - 1] as number)))
    ) {
      throw invalid(
        'durationBuckets',
        'expected a non-empty array of finite seconds >= 0, strictly increasing',
      )
    }
    this.#recordKeys = recordKeys

    const countLabels = recordKeys ? ['cache', 'key'] : ['cache']
    const counter = (name: string, help: string, labelNames = countLabels) =>
      registerOrReuse<Counter>(registry, COUNTER, { name: `${prefix}${name}`, help, labelNames })
    const histogram = (name: string, help: string, labelNames: string[]) =>
      registerOrReuse<Histogram>(registry, HISTOGRAM, { name: `${prefix}${name}`, help, labelNames, buckets })
    const gauge = (name: string, help: string) =>
      registerOrReuse<Gauge>(registry, GAUGE, { name: `${prefix}${name}`, help, labelNames: ['cache'] })

    this.#hits = counter('hits_total', 'Cache reads that found a live entry (stale serves included)')
    this.#misses = counter('misses_total', 'Cache reads that found nothing live')
    this.#sets = counter('sets_total', 'Entries written')
    this.#deletes = counter('deletes_total', 'Entries removed')
    this.#stale = counter('stale_total', 'Stale entries served while a refresh ran')
    this.#errors = counter('errors_total', 'Failed cache operations, by operation and error type', [
      'cache',
      'operation',
      'error_type',
    ])
    this.#refreshes = counter('background_refreshes_total', 'Finished background refreshes, by outcome', [
      'cache',
      'success',
    ])
    this.#duration = histogram('operation_duration_seconds', 'Duration of cache and store operations', [
      'cache',
      'operation',
    ])
    this.#refreshDuration = histogram(
      'background_refresh_duration_seconds',
      'Duration of background refreshes',
      ['cache', 'success'],
    )
    this.#memoryBytes = gauge('memory_bytes', 'Approximate bytes held, as last reported by each cache')
    this.#memoryEntries = gauge('memory_entries', 'Entries held, as last reported by each cache')
  }

  recordHit(cache: string, key?: string): void {
    this.#hits.inc(this.#keyed(cache, key))
  }

  recordMiss(cache: string, key?: string): void {
    this.#misses.inc(this.#keyed(cache, key))
  }

  recordSet(cache: string, key?: string, _bytes?: number): void {
    this.#sets.inc(this.#keyed(cache, key))
  }

  recordDelete(cache: string, key?: string): void {
    this.#deletes.inc(this.#keyed(cache, key))
  }

  recordStale(cache: string, key?: string): void {
    this.#stale.inc(this.#keyed(cache, key))
  }

  recordLatency(cache: string, operation: string, seconds: number): void {
    if (isAmount(seconds)) this.#duration.observe({ cache, operation }, seconds)
  }

  recordError(cache: string, operation: string, errorType: string): void {
    this.#errors.inc({ cache, operation, error_type: errorType })
  }

  recordMemory(cache: string, bytes: number, entries: number): void {
    if (!isAmount(bytes) || !isAmount(entries)) return
    const labels = this.#labels(cache)
    this.#memoryBytes.set(labels, bytes)
    this.#memoryEntries.set(labels, entries)
  }

  recordBackgroundRefresh(cache: string, success: boolean, seconds: number): void {
    const labels = { cache, success: success ? 'true' : 'false' }
    this.#refreshes.inc(labels)
    if (isAmount(seconds)) this.#refreshDuration.observe(labels, seconds)
  }

  #labels(cache: string): { cache: string } {
    let labels = this.#cacheLabels.get(cache)
    if (labels === undefined) {
      labels = Object.freeze({ cache })
      this.#cacheLabels.set(cache, labels)
    }
    return labels
  }

  #keyed(cache: string, key: string | undefined): Record<string, string> {
    if (this.#recordKeys && key !== undefined) return { cache, key }
    return this.#labels(cache)
  }
}

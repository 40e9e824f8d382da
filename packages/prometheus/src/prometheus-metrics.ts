import {
  CacheConfigError,
  CacheTallies,
  type CacheTally,
  DEFAULT_SIZE_BUCKETS,
  durationBucketsOption,
  type MetricsCollector,
  TalliedMetrics,
} from '@stratacache/core'
import { Counter, Gauge, Histogram, type Metric, type Registry, register } from 'prom-client'

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
   * own time series, and its running totals stay in memory for the life of the collector: enable
   * only for a small, bounded key space.
   * @defaultValue `false`
   * @example
   * ```ts
   * new PrometheusMetrics({ recordKeys: true }) // for a handful of fixed keys such as 'feature_flags'
   * ```
   */
  recordKeys?: boolean
  /**
   * Buckets of the duration histograms, in seconds, strictly increasing.
   * @defaultValue `DEFAULT_DURATION_BUCKETS` from `@stratacache/core` (10 µs to 10 s)
   * @example
   * ```ts
   * new PrometheusMetrics({ durationBuckets: [0.001, 0.01, 0.1, 1] }) // a remote store only
   * ```
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

/** One metric of a collector. */
interface MetricSpec {
  kind: MetricKind
  name: string
  help: string
  labelNames: string[]
  buckets?: number[]
  /** For a counter fed by the tallies: the total of a tally it reports. */
  total?: (tally: CacheTally) => number
}

/** A metric found in a registry, with the prom-client internals compared on reuse. */
type RegisteredMetric = Metric & { type?: string; labelNames?: string[]; upperBounds?: number[] }

/**
 * The in-process totals behind each tallied counter: a collector that reuses a registered
 * counter counts into the same totals as the collector that registered it.
 */
const TALLIES_OF = new WeakMap<object, CacheTallies>()

const sameList = (a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean =>
  a !== undefined && b !== undefined && a.length === b.length && a.every((item, i) => item === b[i])

function conflict(name: string): CacheConfigError {
  return invalid(
    'prefix',
    `the registry already holds a different metric named "${name}" (another type, labels or buckets, or not from PrometheusMetrics); ` +
      'use another prefix or registry, or the same recordKeys and durationBuckets as the first collector',
  )
}

/** Whether a registered metric can serve as `spec` for a collector counting into `tallies`. */
function canReuse(existing: RegisteredMetric, spec: MetricSpec, tallies: CacheTallies): boolean {
  // `type` rather than `instanceof`, so that a metric from another copy of prom-client is recognised.
  return (
    existing.type === spec.kind.type &&
    sameList([...(existing.labelNames ?? [])].sort(), [...spec.labelNames].sort()) &&
    (spec.buckets === undefined || sameList(existing.upperBounds, spec.buckets)) &&
    (spec.total === undefined || TALLIES_OF.get(existing) === tallies)
  )
}

/** Rebuilds the series of a tallied counter from the running totals (prom-client calls it on every read). */
function reportTotals(counter: Counter, tallies: CacheTallies, total: (tally: CacheTally) => number): void {
  counter.reset()
  for (const tally of tallies.all()) {
    const value = total(tally)
    if (value === 0) continue
    counter.inc(
      tally.key === undefined ? { cache: tally.cache } : { cache: tally.cache, key: tally.key },
      value,
    )
  }
}

function create(registry: Registry, spec: MetricSpec, tallies: CacheTallies): Metric {
  const { kind, total, ...config } = spec
  if (total === undefined) return new kind.create({ ...config, registers: [registry] } as never)
  const counter = new Counter({
    ...config,
    registers: [registry],
    collect() {
      reportTotals(this, tallies, total)
    },
  })
  TALLIES_OF.set(counter, tallies)
  return counter
}

/**
 * Registers a collector's metrics, reusing those a previous collector registered under the same
 * names in the same registry. Everything is checked before anything is registered, so a
 * conflict leaves the registry as it was.
 */
function registerAll<K extends string>(
  registry: Registry,
  specs: Record<K, MetricSpec>,
  tallies: CacheTallies,
): Record<K, Metric> {
  const entries = Object.entries(specs) as [K, MetricSpec][]
  const found = entries.map(([, spec]) => registry.getSingleMetric(spec.name) as RegisteredMetric | undefined)
  entries.forEach(([, spec], i) => {
    const existing = found[i]
    if (existing !== undefined && !canReuse(existing, spec, tallies)) throw conflict(spec.name)
  })
  return Object.fromEntries(
    entries.map(([id, spec], i) => [id, found[i] ?? create(registry, spec, tallies)]),
  ) as Record<K, Metric>
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
 * | `stratacache_entry_size_bytes` | histogram (`DEFAULT_SIZE_BUCKETS`) | `cache` |
 * | `stratacache_memory_bytes` | gauge | `cache` |
 * | `stratacache_memory_entries` | gauge | `cache` |
 *
 * Hits, misses, sets, deletes and stale serves are the hot path: they are counted in process
 * ({@link CacheTallies}: a `Map` lookup and an increment) and the five counters are rebuilt from
 * those running totals whenever the registry is read, so a cache hit does not pay for
 * prom-client's per-call label hashing (and `registry.resetMetrics()` does not reset them).
 * Errors, refreshes, durations and memory go to prom-client directly.
 *
 * Several collectors may share one registry and prefix (two instances, a hot reload): the
 * second reuses the metrics the first registered, so both count into the same series. A metric
 * of one of those names with another type, labels or buckets (registered by other code, or by a
 * collector with other `recordKeys`/`durationBuckets`) is a `CacheConfigError` naming `prefix`,
 * and nothing is registered. Keys are never labels unless `recordKeys` is set.
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
export class PrometheusMetrics extends TalliedMetrics implements MetricsCollector {
  readonly #errors: Counter
  readonly #refreshes: Counter
  readonly #duration: Histogram
  readonly #refreshDuration: Histogram
  readonly #entrySize: Histogram
  readonly #memoryBytes: Gauge
  readonly #memoryEntries: Gauge

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
    const buckets = durationBucketsOption(options.durationBuckets, 'PrometheusMetrics')
    const registeredHits = registry.getSingleMetric(`${prefix}hits_total`)
    super((registeredHits && TALLIES_OF.get(registeredHits)) ?? new CacheTallies({ byKey: recordKeys }))

    const countLabels = recordKeys ? ['cache', 'key'] : ['cache']
    const spec = (kind: MetricKind, name: string, help: string, labelNames: string[], extra = {}) => ({
      kind,
      name: `${prefix}${name}`,
      help,
      labelNames,
      ...extra,
    })
    const registered = registerAll(
      registry,
      {
        hits: spec(
          COUNTER,
          'hits_total',
          'Cache reads that found a live entry (stale serves included)',
          countLabels,
          {
            total: (t: CacheTally) => t.hits,
          },
        ),
        misses: spec(COUNTER, 'misses_total', 'Cache reads that found nothing live', countLabels, {
          total: (t: CacheTally) => t.misses,
        }),
        sets: spec(COUNTER, 'sets_total', 'Entries written', countLabels, {
          total: (t: CacheTally) => t.sets,
        }),
        deletes: spec(COUNTER, 'deletes_total', 'Entries removed', countLabels, {
          total: (t: CacheTally) => t.deletes,
        }),
        stale: spec(COUNTER, 'stale_total', 'Stale entries served while a refresh ran', countLabels, {
          total: (t: CacheTally) => t.stale,
        }),
        errors: spec(COUNTER, 'errors_total', 'Failed cache operations, by operation and error type', [
          'cache',
          'operation',
          'error_type',
        ]),
        refreshes: spec(COUNTER, 'background_refreshes_total', 'Finished background refreshes, by outcome', [
          'cache',
          'success',
        ]),
        duration: spec(
          HISTOGRAM,
          'operation_duration_seconds',
          'Duration of cache and store operations',
          ['cache', 'operation'],
          { buckets },
        ),
        refreshDuration: spec(
          HISTOGRAM,
          'background_refresh_duration_seconds',
          'Duration of background refreshes',
          ['cache', 'success'],
          { buckets },
        ),
        entrySize: spec(
          HISTOGRAM,
          'entry_size_bytes',
          'Size of written entries, when the writer measures them',
          ['cache'],
          {
            buckets: [...DEFAULT_SIZE_BUCKETS],
          },
        ),
        memoryBytes: spec(GAUGE, 'memory_bytes', 'Approximate bytes held, as last reported by each cache', [
          'cache',
        ]),
        memoryEntries: spec(GAUGE, 'memory_entries', 'Entries held, as last reported by each cache', [
          'cache',
        ]),
      },
      this.tallies,
    )
    this.#errors = registered.errors as Counter
    this.#refreshes = registered.refreshes as Counter
    this.#duration = registered.duration as Histogram
    this.#refreshDuration = registered.refreshDuration as Histogram
    this.#entrySize = registered.entrySize as Histogram
    this.#memoryBytes = registered.memoryBytes as Gauge
    this.#memoryEntries = registered.memoryEntries as Gauge
  }

  protected recordEntrySize(cache: string, bytes: number): void {
    this.#entrySize.observe({ cache }, bytes)
  }

  recordLatency(cache: string, operation: string, seconds: number): void {
    if (isAmount(seconds)) this.#duration.observe({ cache, operation }, seconds)
  }

  recordError(cache: string, operation: string, errorType: string): void {
    this.#errors.inc({ cache, operation, error_type: errorType })
  }

  recordMemory(cache: string, bytes: number, entries: number): void {
    if (!isAmount(bytes) || !isAmount(entries)) return
    const labels = { cache }
    this.#memoryBytes.set(labels, bytes)
    this.#memoryEntries.set(labels, entries)
  }

  recordBackgroundRefresh(cache: string, success: boolean, seconds: number): void {
    const labels = { cache, success: success ? 'true' : 'false' }
    this.#refreshes.inc(labels)
    if (isAmount(seconds)) this.#refreshDuration.observe(labels, seconds)
  }
}

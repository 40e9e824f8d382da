import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
  type ObservableCounter,
  type ObservableGauge,
} from '@opentelemetry/api'
import {
  CacheConfigError,
  CacheTallies,
  type CacheTally,
  type CircuitState,
  durationBucketsOption,
  type MetricsCollector,
} from '@stratacache/core'

/** Options of {@link OpenTelemetryMetrics}. */
export interface OpenTelemetryMetricsOptions {
  /**
   * The meter to create the instruments on. Give either `meter` or `meterProvider`, not both.
   * @defaultValue a meter named `meterName` from `meterProvider`, else from the global meter provider
   * @example
   * ```ts
   * new OpenTelemetryMetrics({ meter: provider.getMeter('checkout') })
   * ```
   */
  meter?: Meter
  /**
   * The meter provider to get the meter from.
   * @defaultValue the global meter provider (`metrics.getMeterProvider()`), as registered by the SDK
   * @example
   * ```ts
   * new OpenTelemetryMetrics({ meterProvider: new MeterProvider({ readers: [reader] }) })
   * ```
   */
  meterProvider?: MeterProvider
  /**
   * The name of the meter (its instrumentation scope), when `meter` is not given.
   * @defaultValue `'@stratacache/otel'`
   * @example
   * ```ts
   * new OpenTelemetryMetrics({ meterName: 'checkout-service' })
   * ```
   */
  meterName?: string
  /**
   * The first segment of every instrument name: `<prefix>.hits`, `<prefix>.operation.duration`, ...
   * @defaultValue `'stratacache'`
   * @example
   * ```ts
   * new OpenTelemetryMetrics({ prefix: 'app.cache' }) // app.cache.hits, app.cache.misses, ...
   * ```
   */
  prefix?: string
  /**
   * Adds the key as a `cache.key` attribute to hit, miss, set, delete and stale counts. Every
   * distinct key becomes its own time series, and its running totals stay in memory for the life
   * of the collector: enable only for a small, bounded key space.
   * @defaultValue `false`
   * @example
   * ```ts
   * new OpenTelemetryMetrics({ recordKeys: true }) // for a handful of fixed keys such as 'feature_flags'
   * ```
   */
  recordKeys?: boolean
  /**
   * Bucket boundaries advised for the duration histograms, in seconds, strictly increasing. A
   * view configured in the SDK takes precedence.
   * @defaultValue `DEFAULT_DURATION_BUCKETS` from `@stratacache/core` (10 µs to 10 s)
   * @example
   * ```ts
   * new OpenTelemetryMetrics({ durationBuckets: [0.001, 0.01, 0.1, 1] }) // a remote store only
   * ```
   */
  durationBuckets?: readonly number[]
}

/** Whether `value` is a finite number `>= 0` (false for NaN). */
const isAmount = (value: number): boolean => value >= 0 && value < Number.POSITIVE_INFINITY

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.\-/]{0,200}$/

function invalid(option: string, message: string): CacheConfigError {
  return new CacheConfigError(`OpenTelemetryMetrics: invalid "${option}": ${message}`, { option })
}

function resolveMeter(options: OpenTelemetryMetricsOptions, meterName: string): Meter {
  if (options.meter !== undefined && options.meterProvider !== undefined) {
    throw invalid('meter', 'give either "meter" or "meterProvider", not both')
  }
  if (options.meter !== undefined) {
    if (typeof options.meter?.createCounter !== 'function')
      throw invalid('meter', 'expected an OpenTelemetry Meter')
    return options.meter
  }
  if (options.meterProvider !== undefined) {
    if (typeof options.meterProvider?.getMeter !== 'function') {
      throw invalid('meterProvider', 'expected an OpenTelemetry MeterProvider')
    }
    return options.meterProvider.getMeter(meterName)
  }
  return metrics.getMeter(meterName)
}

/**
 * The instruments and in-process state behind the collectors of one meter and prefix. Shared,
 * so that two collectors on one meter count into the same totals instead of observing the same
 * series twice.
 */
interface Instruments {
  readonly recordKeys: boolean
  readonly buckets: readonly number[]
  readonly tallies: CacheTallies
  readonly errors: Counter
  readonly refreshes: Counter
  readonly duration: Histogram
  readonly refreshDuration: Histogram
  /** The last memory report per cache, observed by the gauges at collection time. */
  readonly memory: Map<string, { bytes: number; entries: number }>
  /** The last circuit-breaker state per store (1 open, 0.5 half-open, 0 closed), observed at collection time. */
  readonly circuits: Map<string, number>
  /** `{ 'cache.name': name }` per cache. */
  readonly cacheAttributes: Map<string, Attributes>
  /** `{ 'cache.name', 'cache.operation' }` per cache, then per operation. */
  readonly operationAttributes: Map<string, Map<string, Attributes>>
}

/** Instruments by meter, then by prefix. */
const INSTRUMENTS = new WeakMap<Meter, Map<string, Instruments>>()

function cacheAttributes(instruments: Instruments, cache: string): Attributes {
  let attributes = instruments.cacheAttributes.get(cache)
  if (attributes === undefined) {
    attributes = Object.freeze({ 'cache.name': cache })
    instruments.cacheAttributes.set(cache, attributes)
  }
  return attributes
}

function createInstruments(
  meter: Meter,
  prefix: string,
  recordKeys: boolean,
  buckets: readonly number[],
): Instruments {
  const counter = (name: string, unit: string, description: string) =>
    meter.createCounter(`${prefix}.${name}`, { unit, description })
  const histogram = (name: string, description: string) =>
    meter.createHistogram(`${prefix}.${name}`, {
      unit: 's',
      description,
      advice: { explicitBucketBoundaries: [...buckets] },
    })
  const instruments: Instruments = {
    recordKeys,
    buckets,
    tallies: new CacheTallies({ byKey: recordKeys }),
    errors: counter('errors', '{error}', 'Failed cache operations, by operation and error type'),
    refreshes: counter('background_refreshes', '{refresh}', 'Finished background refreshes, by outcome'),
    duration: histogram('operation.duration', 'Duration of cache and store operations'),
    refreshDuration: histogram('background_refresh.duration', 'Duration of background refreshes'),
    memory: new Map(),
    circuits: new Map(),
    cacheAttributes: new Map(),
    operationAttributes: new Map(),
  }

  const observableCounter = (name: string, unit: string, description: string): ObservableCounter =>
    meter.createObservableCounter(`${prefix}.${name}`, { unit, description })
  const tallied: [ObservableCounter, (tally: CacheTally) => number][] = [
    [
      observableCounter('hits', '{hit}', 'Cache reads that found a live entry (stale serves included)'),
      (t) => t.hits,
    ],
    [observableCounter('misses', '{miss}', 'Cache reads that found nothing live'), (t) => t.misses],
    [observableCounter('sets', '{entry}', 'Entries written'), (t) => t.sets],
    [observableCounter('deletes', '{entry}', 'Entries removed'), (t) => t.deletes],
    [observableCounter('stale', '{hit}', 'Stale entries served while a refresh ran'), (t) => t.stale],
  ]
  const bytes: ObservableGauge = meter.createObservableGauge(`${prefix}.memory.usage`, {
    unit: 'By',
    description: 'Approximate bytes held, as last reported by each cache',
  })
  const entries: ObservableGauge = meter.createObservableGauge(`${prefix}.memory.entries`, {
    unit: '{entry}',
    description: 'Entries held, as last reported by each cache',
  })
  const circuit: ObservableGauge = meter.createObservableGauge(`${prefix}.circuit.open`, {
    unit: '1',
    description:
      "A store's circuit breaker: 0 closed, 1 open (backend skipped), 0.5 half-open (a trial call)",
  })
  meter.addBatchObservableCallback(
    (observer) => {
      for (const tally of instruments.tallies.all()) {
        const attributes =
          tally.key === undefined
            ? cacheAttributes(instruments, tally.cache)
            : { 'cache.name': tally.cache, 'cache.key': tally.key }
        // A total still at zero is not reported, as a synchronous counter never incremented.
        for (const [instrument, total] of tallied) {
          const value = total(tally)
          if (value > 0) observer.observe(instrument, value, attributes)
        }
      }
      for (const [cache, memory] of instruments.memory) {
        const attributes = cacheAttributes(instruments, cache)
        observer.observe(bytes, memory.bytes, attributes)
        observer.observe(entries, memory.entries, attributes)
      }
      for (const [cache, open] of instruments.circuits) {
        observer.observe(circuit, open, cacheAttributes(instruments, cache))
      }
    },
    [...tallied.map(([instrument]) => instrument), bytes, entries, circuit],
  )
  return instruments
}

/** The instruments of `meter` and `prefix`: those of a previous collector, or new ones. */
function instrumentsFor(
  meter: Meter,
  prefix: string,
  recordKeys: boolean,
  buckets: readonly number[],
): Instruments {
  let byPrefix = INSTRUMENTS.get(meter)
  if (byPrefix === undefined) {
    byPrefix = new Map()
    INSTRUMENTS.set(meter, byPrefix)
  }
  const existing = byPrefix.get(prefix)
  if (existing === undefined) {
    const created = createInstruments(meter, prefix, recordKeys, buckets)
    byPrefix.set(prefix, created)
    return created
  }
  const sameBuckets =
    existing.buckets.length === buckets.length && existing.buckets.every((b, i) => b === buckets[i])
  if (existing.recordKeys !== recordKeys || !sameBuckets) {
    throw invalid(
      'prefix',
      `another OpenTelemetryMetrics on this meter uses the prefix "${prefix}" with other recordKeys or durationBuckets; ` +
        'use the same options, or another prefix or meter',
    )
  }
  return existing
}

/**
 * A {@link MetricsCollector} that reports to OpenTelemetry through `@opentelemetry/api`, for any
 * OpenTelemetry SDK and exporter (OTLP, Prometheus, console...).
 *
 * Instruments, created once per meter and prefix by the first collector (default prefix `stratacache`):
 *
 * | instrument | kind | unit | attributes |
 * |---|---|---|---|
 * | `stratacache.hits` | ObservableCounter | `{hit}` | `cache.name` |
 * | `stratacache.misses` | ObservableCounter | `{miss}` | `cache.name` |
 * | `stratacache.sets` | ObservableCounter | `{entry}` | `cache.name` |
 * | `stratacache.deletes` | ObservableCounter | `{entry}` | `cache.name` |
 * | `stratacache.stale` | ObservableCounter | `{hit}` | `cache.name` |
 * | `stratacache.errors` | Counter | `{error}` | `cache.name`, `cache.operation`, `error.type` |
 * | `stratacache.background_refreshes` | Counter | `{refresh}` | `cache.name`, `cache.refresh.success` (boolean) |
 * | `stratacache.operation.duration` | Histogram | `s` | `cache.name`, `cache.operation` |
 * | `stratacache.background_refresh.duration` | Histogram | `s` | `cache.name`, `cache.refresh.success` |
 * | `stratacache.memory.usage` | ObservableGauge | `By` | `cache.name` |
 * | `stratacache.memory.entries` | ObservableGauge | `{entry}` | `cache.name` |
 * | `stratacache.circuit.open` | ObservableGauge | `1` | `cache.name` (1 open, 0.5 half-open, 0 closed) |
 *
 * Hits, misses, sets, deletes and stale serves are the hot path: they are counted in process
 * ({@link CacheTallies}: a `Map` lookup and an increment) and reported as cumulative totals by
 * observable counters when the SDK collects, so a cache hit does not pay for the SDK's per-call
 * attribute processing. Errors and refreshes are rare and recorded synchronously; durations go
 * to histograms (attribute sets built once per cache and operation). The memory gauges report
 * the last values each cache recorded. Keys are not recorded unless `recordKeys` is set.
 *
 * Collectors created on one meter with one prefix share their instruments and totals (two
 * `createCache` instances, a hot reload): they count into the same series. Their `recordKeys`
 * and `durationBuckets` must then agree, or the constructor throws `CacheConfigError` naming
 * `prefix`.
 * Without `meter`/`meterProvider`, the global meter provider is used: create the collector after
 * the SDK is started, or its instruments stay no-ops.
 *
 * @example
 * ```ts
 * import { OpenTelemetryMetrics } from '@stratacache/otel'
 * const metrics = new OpenTelemetryMetrics()
 * const getUser = cache({ ttl: 60, key: 'user:{0}', metrics })(loadUser)
 * ```
 */
export class OpenTelemetryMetrics implements MetricsCollector {
  readonly #instruments: Instruments
  readonly #tallies: CacheTallies

  constructor(options: OpenTelemetryMetricsOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalid('options', 'expected an object')
    const { meterName = '@stratacache/otel', prefix = 'stratacache', recordKeys = false } = options
    if (typeof meterName !== 'string' || meterName === '') {
      throw invalid('meterName', 'expected a non-empty string')
    }
    if (typeof prefix !== 'string' || !NAME_PATTERN.test(prefix)) {
      throw invalid(
        'prefix',
        `${JSON.stringify(prefix)} is not a valid instrument name start (letters, digits, _ . - /)`,
      )
    }
    if (typeof recordKeys !== 'boolean') throw invalid('recordKeys', 'expected a boolean')
    const buckets = durationBucketsOption(options.durationBuckets, 'OpenTelemetryMetrics')
    this.#instruments = instrumentsFor(resolveMeter(options, meterName), prefix, recordKeys, buckets)
    this.#tallies = this.#instruments.tallies
  }

  recordHit(cache: string, key?: string): void {
    this.#tallies.of(cache, key).hits++
  }

  recordMiss(cache: string, key?: string): void {
    this.#tallies.of(cache, key).misses++
  }

  recordSet(cache: string, key?: string, _bytes?: number): void {
    this.#tallies.of(cache, key).sets++
  }

  recordDelete(cache: string, key?: string): void {
    this.#tallies.of(cache, key).deletes++
  }

  recordStale(cache: string, key?: string): void {
    this.#tallies.of(cache, key).stale++
  }

  recordLatency(cache: string, operation: string, seconds: number): void {
    if (!isAmount(seconds)) return
    const perCache = this.#instruments.operationAttributes
    let byOperation = perCache.get(cache)
    if (byOperation === undefined) {
      byOperation = new Map()
      perCache.set(cache, byOperation)
    }
    let attributes = byOperation.get(operation)
    if (attributes === undefined) {
      attributes = Object.freeze({ 'cache.name': cache, 'cache.operation': operation })
      byOperation.set(operation, attributes)
    }
    this.#instruments.duration.record(seconds, attributes)
  }

  recordError(cache: string, operation: string, errorType: string): void {
    this.#instruments.errors.add(1, {
      'cache.name': cache,
      'cache.operation': operation,
      'error.type': errorType,
    })
  }

  recordMemory(cache: string, bytes: number, entries: number): void {
    if (isAmount(bytes) && isAmount(entries)) this.#instruments.memory.set(cache, { bytes, entries })
  }

  recordCircuitState(cache: string, state: CircuitState): void {
    this.#instruments.circuits.set(cache, state === 'open' ? 1 : state === 'half-open' ? 0.5 : 0)
  }

  recordBackgroundRefresh(cache: string, success: boolean, seconds: number): void {
    const attributes = { 'cache.name': cache, 'cache.refresh.success': success }
    this.#instruments.refreshes.add(1, attributes)
    if (isAmount(seconds)) this.#instruments.refreshDuration.record(seconds, attributes)
  }
}

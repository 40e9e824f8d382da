import { createNoopMeter, diag, type Meter, type MeterProvider, metrics } from '@opentelemetry/api'
import {
  CacheConfigError,
  CacheTallies,
  durationBucketsOption,
  type MetricsCollector,
  TalliedMetrics,
} from '@stratacache/core'
import { acquireInstruments, cacheAttributes, type Instruments, releaseInstruments } from './otel-instruments'

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
   * @defaultValue the global meter provider (`metrics.getMeterProvider()`), as registered by the
   * SDK, resolved lazily: the collector may be created before the SDK starts
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

/** The meter the options name, or `undefined` to use the global provider's (resolved lazily). */
function explicitMeter(options: OpenTelemetryMetricsOptions, meterName: string): Meter | undefined {
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
  return undefined
}

/** The global provider's meter, or `undefined` while no SDK has registered a provider. */
function globalMeter(meterName: string): Meter | undefined {
  const meter = metrics.getMeter(meterName)
  return meter === createNoopMeter() ? undefined : meter
}

/**
 * The tallies of a collector not yet bound to a meter: each use first tries to bind it, and
 * counts into the shared tallies it bound to when that succeeded. Once bound, the collector
 * counts into the shared tallies directly, so this check leaves the hot path.
 */
class UnboundTallies extends CacheTallies {
  readonly #bind: () => CacheTallies | undefined

  constructor(recordKeys: boolean, bind: () => CacheTallies | undefined) {
    super({ byKey: recordKeys })
    this.#bind = bind
  }

  override of(cache: string, key?: string) {
    const bound = this.#bind()
    return bound === undefined ? super.of(cache, key) : bound.of(cache, key)
  }
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
 * | `stratacache.entry.size` | Histogram | `By` | `cache.name` (when the writer measures, e.g. `instrument(..., { sizeOf })`) |
 * | `stratacache.memory.usage` | ObservableGauge | `By` | `cache.name` |
 * | `stratacache.memory.entries` | ObservableGauge | `{entry}` | `cache.name` |
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
 * Without `meter`/`meterProvider`, the global meter provider is used, resolved lazily: a collector
 * created before the SDK registers its provider keeps counting hits, misses, sets, deletes and
 * stale serves in process and binds to the provider at its first record after the registration,
 * reporting those counts from then on (durations, errors, refreshes and sizes recorded before it
 * are dropped: there is nowhere to put them). {@link OpenTelemetryMetrics.close} detaches it.
 *
 * @example
 * ```ts
 * import { OpenTelemetryMetrics } from '@stratacache/otel'
 * const metrics = new OpenTelemetryMetrics()
 * const getUser = cache({ ttl: 60, key: 'user:{0}', metrics })(loadUser)
 * ```
 */
export class OpenTelemetryMetrics extends TalliedMetrics implements MetricsCollector {
  readonly #meterName: string
  readonly #prefix: string
  readonly #recordKeys: boolean
  readonly #buckets: readonly number[]
  /** Set once bound to a meter; unset again by `close()`. */
  #instruments: Instruments | undefined
  #closed = false

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
    const meter = explicitMeter(options, meterName) ?? globalMeter(meterName)
    super(new UnboundTallies(recordKeys, () => this.#instruments?.tallies ?? this.#tryBind()?.tallies))
    this.#meterName = meterName
    this.#prefix = prefix
    this.#recordKeys = recordKeys
    this.#buckets = buckets
    if (meter !== undefined) this.#bind(meter)
  }

  /**
   * Detaches the collector: it stops reporting, and when it was the last collector on its meter
   * and prefix, the observation callback is unregistered from the meter. Records after `close()`
   * are ignored. Exporting and flushing belong to the SDK (`provider.shutdown()`), not to this
   * collector, which holds no timer, socket or buffer. Idempotent.
   *
   * @example
   * ```ts
   * const metrics = new OpenTelemetryMetrics()
   * // ... on hot reload or shutdown:
   * metrics.close()
   * ```
   */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.tallies = new CacheTallies()
    if (this.#instruments !== undefined) releaseInstruments(this.#instruments)
    this.#instruments = undefined
  }

  protected recordEntrySize(cache: string, bytes: number): void {
    const instruments = this.#instruments ?? this.#tryBind()
    instruments?.entrySize.record(bytes, cacheAttributes(instruments, cache))
  }

  recordLatency(cache: string, operation: string, seconds: number): void {
    if (!isAmount(seconds)) return
    const instruments = this.#instruments ?? this.#tryBind()
    if (instruments === undefined) return
    const perCache = instruments.operationAttributes
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
    instruments.duration.record(seconds, attributes)
  }

  recordError(cache: string, operation: string, errorType: string): void {
    ;(this.#instruments ?? this.#tryBind())?.errors.add(1, {
      'cache.name': cache,
      'cache.operation': operation,
      'error.type': errorType,
    })
  }

  recordMemory(cache: string, bytes: number, entries: number): void {
    if (isAmount(bytes) && isAmount(entries)) {
      ;(this.#instruments ?? this.#tryBind())?.memory.set(cache, { bytes, entries })
    }
  }

  recordBackgroundRefresh(cache: string, success: boolean, seconds: number): void {
    const instruments = this.#instruments ?? this.#tryBind()
    if (instruments === undefined) return
    const attributes = { 'cache.name': cache, 'cache.refresh.success': success }
    instruments.refreshes.add(1, attributes)
    if (isAmount(seconds)) instruments.refreshDuration.record(seconds, attributes)
  }

  /** Binds to `meter`: joins its shared instruments, carrying over what was counted so far. */
  #bind(meter: Meter): Instruments {
    const instruments = acquireInstruments(meter, this.#prefix, this.#recordKeys, this.#buckets)
    for (const counted of this.tallies.all()) {
      const shared = instruments.tallies.of(counted.cache, counted.key)
      shared.hits += counted.hits
      shared.misses += counted.misses
      shared.sets += counted.sets
      shared.deletes += counted.deletes
      shared.stale += counted.stale
    }
    this.#instruments = instruments
    this.tallies = instruments.tallies
    return instruments
  }

  /** Binds to the global provider's meter once an SDK has registered one (never after `close()`). */
  #tryBind(): Instruments | undefined {
    if (this.#closed) return undefined
    const meter = globalMeter(this.#meterName)
    if (meter === undefined) return undefined
    try {
      return this.#bind(meter)
    } catch (error) {
      // Another collector took the prefix with other options: report once, and stay detached.
      diag.error(String(error))
      this.close()
      return undefined
    }
  }
}

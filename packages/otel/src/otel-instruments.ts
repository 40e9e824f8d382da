import type {
  Attributes,
  BatchObservableCallback,
  Counter,
  Histogram,
  Meter,
  Observable,
  ObservableCounter,
  ObservableGauge,
} from '@opentelemetry/api'
import { CacheConfigError, CacheTallies, type CacheTally, DEFAULT_SIZE_BUCKETS } from '@stratacache/core'

/**
 * The instruments and in-process state behind the collectors of one meter and prefix. Shared,
 * so that two collectors on one meter count into the same totals instead of observing the same
 * series twice.
 */
export interface Instruments {
  readonly meter: Meter
  readonly prefix: string
  readonly recordKeys: boolean
  readonly buckets: readonly number[]
  readonly tallies: CacheTallies
  readonly errors: Counter
  readonly refreshes: Counter
  readonly duration: Histogram
  readonly refreshDuration: Histogram
  readonly entrySize: Histogram
  /** The last memory report per cache, observed by the gauges at collection time. */
  readonly memory: Map<string, { bytes: number; entries: number }>
  /** `{ 'cache.name': name }` per cache. */
  readonly cacheAttributes: Map<string, Attributes>
  /** `{ 'cache.name', 'cache.operation' }` per cache, then per operation. */
  readonly operationAttributes: Map<string, Map<string, Attributes>>
  /** The batch callback and what it observes, to unregister when the last collector closes. */
  readonly observation: [BatchObservableCallback, Observable[]]
  /** Collectors bound and not closed. */
  users: number
}

/** Instruments by meter, then by prefix. */
const INSTRUMENTS = new WeakMap<Meter, Map<string, Instruments>>()

/** `{ 'cache.name': cache }`, built once per cache. */
export function cacheAttributes(instruments: Instruments, cache: string): Attributes {
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
  const histogram = (name: string, unit: string, boundaries: readonly number[], description: string) =>
    meter.createHistogram(`${prefix}.${name}`, {
      unit,
      description,
      advice: { explicitBucketBoundaries: [...boundaries] },
    })
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
  const tallies = new CacheTallies({ byKey: recordKeys })
  const memory = new Map<string, { bytes: number; entries: number }>()
  const observe: BatchObservableCallback = (observer) => {
    for (const tally of tallies.all()) {
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
    for (const [cache, held] of memory) {
      const attributes = cacheAttributes(instruments, cache)
      observer.observe(bytes, held.bytes, attributes)
      observer.observe(entries, held.entries, attributes)
    }
  }
  const observed = [...tallied.map(([instrument]) => instrument), bytes, entries]
  const instruments: Instruments = {
    meter,
    prefix,
    recordKeys,
    buckets,
    tallies,
    errors: counter('errors', '{error}', 'Failed cache operations, by operation and error type'),
    refreshes: counter('background_refreshes', '{refresh}', 'Finished background refreshes, by outcome'),
    duration: histogram('operation.duration', 's', buckets, 'Duration of cache and store operations'),
    refreshDuration: histogram(
      'background_refresh.duration',
      's',
      buckets,
      'Duration of background refreshes',
    ),
    entrySize: histogram(
      'entry.size',
      'By',
      DEFAULT_SIZE_BUCKETS,
      'Size of written entries, when the writer measures them',
    ),
    memory,
    cacheAttributes: new Map(),
    operationAttributes: new Map(),
    observation: [observe, observed],
    users: 0,
  }
  meter.addBatchObservableCallback(observe, observed)
  return instruments
}

/**
 * The instruments of `meter` and `prefix` (those of a previous collector, or new ones), with one
 * more user.
 *
 * @throws {@link CacheConfigError} naming `prefix` when a collector on that meter and prefix has
 * other `recordKeys` or `durationBuckets`
 */
export function acquireInstruments(
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
  let instruments = byPrefix.get(prefix)
  if (instruments === undefined) {
    instruments = createInstruments(meter, prefix, recordKeys, buckets)
    byPrefix.set(prefix, instruments)
  }
  const sameBuckets =
    instruments.buckets.length === buckets.length && instruments.buckets.every((b, i) => b === buckets[i])
  if (instruments.recordKeys !== recordKeys || !sameBuckets) {
    throw new CacheConfigError(
      `OpenTelemetryMetrics: invalid "prefix": another OpenTelemetryMetrics on this meter uses the prefix "${prefix}" ` +
        'with other recordKeys or durationBuckets; use the same options, or another prefix or meter',
      { option: 'prefix' },
    )
  }
  instruments.users++
  return instruments
}

/**
 * One user fewer; the last one unregisters the observation callback, so the SDK stops reporting
 * those totals and the instruments can be garbage-collected with their state.
 */
export function releaseInstruments(instruments: Instruments): void {
  if (--instruments.users > 0) return
  instruments.meter.removeBatchObservableCallback(...instruments.observation)
  INSTRUMENTS.get(instruments.meter)?.delete(instruments.prefix)
}

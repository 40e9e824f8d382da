import { type Clock, systemClock } from '../clock'
import { CacheConfigError } from '../errors'
import type { MetricsCollector } from './collector'
import { type LatencyStats, LatencyWindow, roundMs } from './latency-window'

export type { LatencyStats } from './latency-window'

/** Counters of one cache (a cached function, or a store wrapped by `instrument`). */
export interface CacheCounterStats {
  /** Reads that found a live entry (stale serves included). */
  hits: number
  /** Reads that found nothing live. */
  misses: number
  /** Entries written. */
  sets: number
  /** Entries removed. */
  deletes: number
  /** Stale entries served while a refresh ran (also counted in `hits`). */
  stale: number
  /** `100 × hits / (hits + misses)`, rounded to two decimals; `0` without reads. */
  hitRatePercent: number
}

/** The last memory report of one cache. */
export interface MemoryStats {
  /** Approximate bytes held. */
  bytes: number
  /** Entries held. */
  entries: number
}

/** Background refresh outcomes of one cache (the key for `bg`). */
export interface BackgroundRefreshStats {
  /** Refreshes that stored a new value. */
  success: number
  /** Refreshes that failed (the last good value was kept). */
  failure: number
  /** The mean duration of every refresh, successful or not, in milliseconds (`0` before the first). */
  avgMs: number
}

/**
 * A snapshot from {@link InMemoryMetrics.getStats}. Every section is keyed by cache name.
 *
 * @example
 * ```ts
 * const stats: MetricsStats = {
 *   uptimeSeconds: 12.3,
 *   caches: { getUser: { hits: 120, misses: 5, sets: 5, deletes: 0, stale: 3, hitRatePercent: 96 } },
 *   latency: { 'L1:memory.get': { count: 125, p50Ms: 0.002, p95Ms: 0.004, p99Ms: 0.01, avgMs: 0.003 } },
 *   errors: { 'L2:redis.get': { CacheTimeoutError: 2 } },
 *   memory: { 'L1:memory': { bytes: 4096, entries: 5 } },
 *   backgroundRefresh: { flags: { success: 12, failure: 0, avgMs: 31.5 } },
 * }
 * ```
 */
export interface MetricsStats {
  /** Seconds since the collector was created or last `reset()`. */
  uptimeSeconds: number
  /** Counters per cache, for every cache that recorded a hit, miss, set, delete or stale serve. */
  caches: Record<string, CacheCounterStats>
  /** Latency per `'<cache>.<operation>'`, e.g. `'users.get'`. */
  latency: Record<string, LatencyStats>
  /** Error counts per `'<cache>.<operation>'`, then per error type: `{ 'users.get': { CacheTimeoutError: 2 } }`. */
  errors: Record<string, Record<string, number>>
  /** The last memory report per cache (stores that report their size, through `instrument`). */
  memory: Record<string, MemoryStats>
  /** Background refresh outcomes per cache. */
  backgroundRefresh: Record<string, BackgroundRefreshStats>
}

/** Options of {@link InMemoryMetrics}. */
export interface InMemoryMetricsOptions {
  /**
   * How many of the most recent samples each latency series keeps for its percentiles. Memory
   * per series is at most `8 × latencyWindow` bytes, whatever the traffic.
   * @defaultValue `1024`
   * @example
   * ```ts
   * new InMemoryMetrics({ latencyWindow: 10_000 }) // steadier percentiles, 80 KB per series
   * ```
   */
  latencyWindow?: number
  /**
   * The source of time for `uptimeSeconds` (inject a `ManualClock` in tests).
   * @defaultValue `systemClock`
   * @example
   * ```ts
   * new InMemoryMetrics({ clock: new ManualClock() })
   * ```
   */
  clock?: Pick<Clock, 'now'>
}

/** Everything recorded for one cache name. */
interface CacheRecord {
  hits: number
  misses: number
  sets: number
  deletes: number
  stale: number
  readonly latency: Map<string, LatencyWindow>
  /** operation → error type → count */
  readonly errors: Map<string, Map<string, number>>
  memory: MemoryStats | undefined
  refresh: { success: number; failure: number; timed: number; totalSeconds: number } | undefined
}

const MAX_LATENCY_WINDOW = 1_000_000

/** Whether `value` is a finite number `>= 0` (false for NaN). */
const isAmount = (value: number): boolean => value >= 0 && value < Number.POSITIVE_INFINITY

/**
 * A {@link MetricsCollector} that keeps everything in process, for a `/stats` endpoint, a log
 * line, or a test. Memory stays constant whatever the traffic: counters per cache, and per
 * latency series a ring buffer of the last `latencyWindow` samples.
 *
 * Accuracy: `count` and `avgMs` are exact over everything recorded since the start (or the last
 * `reset()`); `p50Ms`/`p95Ms`/`p99Ms` are exact nearest-rank percentiles over the last
 * `latencyWindow` samples of that series (so they follow recent traffic). Recording a hit or a
 * miss costs one `Map` lookup (skipped when the same cache records twice in a row) and an increment.
 * Non-finite or negative durations and sizes are ignored; no method ever throws.
 *
 * @example
 * ```ts
 * const metrics = new InMemoryMetrics()
 * const getUser = cache({ ttl: 60, key: 'user:{0}', metrics })(loadUser)
 * await getUser(1); await getUser(1)
 * metrics.getStats().caches.loadUser // { hits: 1, misses: 1, sets: 1, ..., hitRatePercent: 50 }
 * console.log(formatStats(metrics.getStats()))
 * ```
 */
export class InMemoryMetrics implements MetricsCollector {
  readonly #clock: Pick<Clock, 'now'>
  readonly #latencyWindow: number
  #startedAt: number
  #records = new Map<string, CacheRecord>()
  /** The record used last: consecutive calls for one cache skip the `Map` lookup. */
  #lastName: string | undefined
  #lastRecord: CacheRecord | undefined

  constructor(options: InMemoryMetricsOptions = {}) {
    const { latencyWindow = 1024, clock = systemClock } = options
    if (!Number.isInteger(latencyWindow) || latencyWindow < 1 || latencyWindow > MAX_LATENCY_WINDOW) {
      throw new CacheConfigError(
        `Invalid "latencyWindow": ${String(latencyWindow)} (expected an integer from 1 to ${MAX_LATENCY_WINDOW})`,
        { option: 'latencyWindow' },
      )
    }
    if (typeof clock?.now !== 'function') {
      throw new CacheConfigError('Invalid "clock": expected an object with a now() method', {
        option: 'clock',
      })
    }
    this.#clock = clock
    this.#latencyWindow = latencyWindow
    this.#startedAt = clock.now()
  }

  recordHit(cache: string, _key?: string): void {
    this.#record(cache).hits++
  }

  recordMiss(cache: string, _key?: string): void {
    this.#record(cache).misses++
  }

  recordSet(cache: string, _key?: string, _bytes?: number): void {
    this.#record(cache).sets++
  }

  recordDelete(cache: string, _key?: string): void {
    this.#record(cache).deletes++
  }

  recordStale(cache: string, _key?: string): void {
    this.#record(cache).stale++
  }

  recordLatency(cache: string, operation: string, seconds: number): void {
    if (!isAmount(seconds)) return
    const latency = this.#record(cache).latency
    let window = latency.get(operation)
    if (window === undefined) {
      window = new LatencyWindow(this.#latencyWindow)
      latency.set(operation, window)
    }
    window.add(seconds * 1000)
  }

  recordError(cache: string, operation: string, errorType: string): void {
    const errors = this.#record(cache).errors
    let byType = errors.get(operation)
    if (byType === undefined) {
      byType = new Map()
      errors.set(operation, byType)
    }
    byType.set(errorType, (byType.get(errorType) ?? 0) + 1)
  }

  recordMemory(cache: string, bytes: number, entries: number): void {
    if (!isAmount(bytes) || !isAmount(entries)) return
    const record = this.#record(cache)
    if (record.memory === undefined) record.memory = { bytes, entries }
    else {
      record.memory.bytes = bytes
      record.memory.entries = entries
    }
  }

  recordBackgroundRefresh(cache: string, success: boolean, seconds: number): void {
    const record = this.#record(cache)
    record.refresh ??= { success: 0, failure: 0, timed: 0, totalSeconds: 0 }
    const refresh = record.refresh
    if (success) refresh.success++
    else refresh.failure++
    if (isAmount(seconds)) {
      refresh.timed++
      refresh.totalSeconds += seconds
    }
  }

  /**
   * A snapshot of everything recorded since the start or the last {@link InMemoryMetrics.reset}.
   * The returned objects are new on every call (safe to serialize or keep).
   *
   * @example
   * ```ts
   * app.get('/cache-stats', () => metrics.getStats())
   * ```
   */
  getStats(): MetricsStats {
    const caches: [string, CacheCounterStats][] = []
    const latency: [string, LatencyStats][] = []
    const errors: [string, Record<string, number>][] = []
    const memory: [string, MemoryStats][] = []
    const backgroundRefresh: [string, BackgroundRefreshStats][] = []
    for (const [name, record] of this.#records) {
      const { hits, misses, sets, deletes, stale } = record
      if (hits + misses + sets + deletes + stale > 0) {
        const reads = hits + misses
        const hitRatePercent = reads === 0 ? 0 : Math.round((hits / reads) * 10_000) / 100
        caches.push([name, { hits, misses, sets, deletes, stale, hitRatePercent }])
      }
      for (const [operation, window] of record.latency) latency.push([`${name}.${operation}`, window.stats()])
      for (const [operation, byType] of record.errors)
        errors.push([`${name}.${operation}`, Object.fromEntries(byType)])
      if (record.memory) memory.push([name, { ...record.memory }])
      if (record.refresh) {
        const { success, failure, timed, totalSeconds } = record.refresh
        const avgMs = timed === 0 ? 0 : roundMs((totalSeconds * 1000) / timed)
        backgroundRefresh.push([name, { success, failure, avgMs }])
      }
    }
    // Object.fromEntries defines own properties, so a cache named '__proto__' is reported, not lost.
    return {
      uptimeSeconds: Math.max(0, this.#clock.now() - this.#startedAt) / 1000,
      caches: Object.fromEntries(caches),
      latency: Object.fromEntries(latency),
      errors: Object.fromEntries(errors),
      memory: Object.fromEntries(memory),
      backgroundRefresh: Object.fromEntries(backgroundRefresh),
    }
  }

  /**
   * Forgets everything recorded and restarts `uptimeSeconds` from zero.
   *
   * @example
   * ```ts
   * afterEach(() => metrics.reset())
   * ```
   */
  reset(): void {
    this.#records = new Map()
    this.#lastName = undefined
    this.#lastRecord = undefined
    this.#startedAt = this.#clock.now()
  }

  #record(name: string): CacheRecord {
    if (name === this.#lastName) return this.#lastRecord as CacheRecord
    let record = this.#records.get(name)
    if (record === undefined) {
      record = {
        hits: 0,
        misses: 0,
        sets: 0,
        deletes: 0,
        stale: 0,
        latency: new Map(),
        errors: new Map(),
        memory: undefined,
        refresh: undefined,
      }
      this.#records.set(name, record)
    }
    this.#lastName = name
    this.#lastRecord = record
    return record
  }
}

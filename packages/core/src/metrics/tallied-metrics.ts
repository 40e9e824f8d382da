import type { CacheTallies } from './cache-tallies'
import type { MetricsCollector } from './collector'

/**
 * The base of exporters that count hits, misses, sets, deletes and stale serves in a
 * {@link CacheTallies} and report the totals when their backend collects (`OpenTelemetryMetrics`,
 * `PrometheusMetrics`). It implements those five records; a subclass implements the rest, and
 * {@link TalliedMetrics.recordEntrySize} for the `bytes` of `recordSet` when a writer gives it.
 *
 * @example
 * ```ts
 * class StatsdMetrics extends TalliedMetrics {
 *   constructor() { super(new CacheTallies()) }
 *   protected recordEntrySize(cache: string, bytes: number) { statsd.histogram(`${cache}.size`, bytes) }
 *   recordLatency(cache: string, operation: string, seconds: number) { statsd.timing(`${cache}.${operation}`, seconds * 1000) }
 *   recordError(cache: string, operation: string, errorType: string) { statsd.increment(`${cache}.${operation}.${errorType}`) }
 *   recordMemory(cache: string, bytes: number) { statsd.gauge(`${cache}.bytes`, bytes) }
 *   recordBackgroundRefresh(cache: string, success: boolean) { statsd.increment(`${cache}.refresh.${success}`) }
 * }
 * ```
 */
export abstract class TalliedMetrics implements MetricsCollector {
  /**
   * Where the five counts go. A subclass may swap it (to join totals shared with other
   * collectors); the records always count into the current one.
   */
  protected tallies: CacheTallies

  constructor(tallies: CacheTallies) {
    this.tallies = tallies
  }

  recordHit(cache: string, key?: string): void {
    this.tallies.of(cache, key).hits++
  }

  recordMiss(cache: string, key?: string): void {
    this.tallies.of(cache, key).misses++
  }

  recordSet(cache: string, key?: string, bytes?: number): void {
    this.tallies.of(cache, key).sets++
    if (bytes !== undefined && bytes >= 0 && bytes < Number.POSITIVE_INFINITY)
      this.recordEntrySize(cache, bytes)
  }

  recordDelete(cache: string, key?: string): void {
    this.tallies.of(cache, key).deletes++
  }

  recordStale(cache: string, key?: string): void {
    this.tallies.of(cache, key).stale++
  }

  /** A written entry of `cache` took `bytes` (finite, `>= 0`): from `recordSet`, when its writer gave the size. */
  protected abstract recordEntrySize(cache: string, bytes: number): void
  abstract recordLatency(cache: string, operation: string, seconds: number): void
  abstract recordError(cache: string, operation: string, errorType: string): void
  abstract recordMemory(cache: string, bytes: number, entries: number): void
  abstract recordBackgroundRefresh(cache: string, success: boolean, seconds: number): void
}

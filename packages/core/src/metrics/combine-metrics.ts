import { type MetricsCollector, NULL_METRICS } from './collector'

/**
 * One {@link MetricsCollector} that forwards every record to several, in the order given: an
 * `InMemoryMetrics` behind a `/stats` page and an exporter (`OpenTelemetryMetrics`,
 * `PrometheusMetrics`) at once. `NULL_METRICS` and `undefined` are dropped; with no collector left
 * it returns `NULL_METRICS`, with one that collector itself, so a fan-out costs nothing when it
 * has nothing to fan out. Collectors never throw (see
 * {@link MetricsCollector}); one that does stops the records of those after it.
 *
 * @example
 * ```ts
 * const stats = new InMemoryMetrics()
 * const metrics = combineMetrics(stats, new OpenTelemetryMetrics())
 * const app = createCache({ store, metrics })
 * http.get('/stats', () => stats.getStats())
 * ```
 */
export function combineMetrics(...collectors: (MetricsCollector | undefined)[]): MetricsCollector {
  const parts = collectors.filter(
    (collector): collector is MetricsCollector => collector !== undefined && collector !== NULL_METRICS,
  )
  if (parts.length === 0) return NULL_METRICS
  if (parts.length === 1) return parts[0] as MetricsCollector
  return Object.freeze({
    recordHit(cache: string, key?: string) {
      for (const part of parts) part.recordHit(cache, key)
    },
    recordMiss(cache: string, key?: string) {
      for (const part of parts) part.recordMiss(cache, key)
    },
    recordSet(cache: string, key?: string, bytes?: number) {
      for (const part of parts) part.recordSet(cache, key, bytes)
    },
    recordDelete(cache: string, key?: string) {
      for (const part of parts) part.recordDelete(cache, key)
    },
    recordStale(cache: string, key?: string) {
      for (const part of parts) part.recordStale(cache, key)
    },
    recordLatency(cache: string, operation: string, seconds: number) {
      for (const part of parts) part.recordLatency(cache, operation, seconds)
    },
    recordError(cache: string, operation: string, errorType: string) {
      for (const part of parts) part.recordError(cache, operation, errorType)
    },
    recordMemory(cache: string, bytes: number, entries: number) {
      for (const part of parts) part.recordMemory(cache, bytes, entries)
    },
    recordBackgroundRefresh(cache: string, success: boolean, seconds: number) {
      for (const part of parts) part.recordBackgroundRefresh(cache, success, seconds)
    },
  })
}

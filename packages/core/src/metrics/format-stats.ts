import type { MetricsStats } from './in-memory-metrics'

const HEADER = ['Layer', 'hits', 'misses', 'sets', 'hit rate', 'p50', 'p99'] as const

/** Options of {@link formatStats}. */
export interface FormatStatsOptions {
  /**
   * The operation whose latency fills the p50/p99 columns: `'get'` for stores wrapped by
   * `instrument`, `'load'` for the time cached functions spend computing on a miss.
   * @defaultValue `'get'`
   * @example
   * ```ts
   * formatStats(metrics.getStats(), { operation: 'load' })
   * ```
   */
  operation?: string
}

const formatMs = (ms: number | undefined): string => (ms === undefined ? '-' : `${ms.toFixed(3)}ms`)

/**
 * Renders the per-cache table of a {@link MetricsStats} snapshot for a terminal or a log: one row
 * per cache in the order caches first reported, with hits, misses, sets, hit rate and the p50/p99
 * latency of one operation (`get` unless told; `-` when the cache recorded none). Columns are separated by two
 * spaces; names are left-aligned, numbers right-aligned. No trailing newline.
 *
 * @example
 * ```ts
 * console.log(formatStats(metrics.getStats()))
 * // Layer     hits  misses  sets  hit rate      p50      p99
 * // --------  ----  ------  ----  --------  -------  -------
 * // L1:memory   87       5     5    94.57%  0.002ms  0.010ms
 * // L2:redis     4       1     1    80.00%  0.310ms  1.204ms
 * ```
 */
export function formatStats(stats: MetricsStats, options: FormatStatsOptions = {}): string {
  const operation = options.operation ?? 'get'
  const rows: string[][] = [[...HEADER]]
  for (const [name, counters] of Object.entries(stats.caches)) {
    const latency = stats.latency[`${name}.${operation}`]
    rows.push([
      name,
      String(counters.hits),
      String(counters.misses),
      String(counters.sets),
      `${counters.hitRatePercent.toFixed(2)}%`,
      formatMs(latency?.p50Ms),
      formatMs(latency?.p99Ms),
    ])
  }
  const widths = HEADER.map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length)))
  rows.splice(
    1,
    0,
    widths.map((width) => '-'.repeat(width)),
  )
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[0] as number) : cell.padStart(widths[column] as number),
        )
        .join('  '),
    )
    .join('\n')
}

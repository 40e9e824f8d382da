import { CacheConfigError } from '../errors'

/**
 * Histogram buckets for operation durations, in seconds: from 10 µs (an in-memory hit) to 10 s
 * (a backend timing out). The default of every exporter (`@stratacache/otel`,
 * `@stratacache/prometheus`).
 *
 * @example
 * ```ts
 * new PrometheusMetrics({ durationBuckets: DEFAULT_DURATION_BUCKETS.filter((s) => s >= 0.001) })
 * ```
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  5, 10,
])

/**
 * Validates an exporter's `durationBuckets` option (a non-empty, strictly increasing array of
 * finite seconds `>= 0`) and returns a copy; `undefined` yields {@link DEFAULT_DURATION_BUCKETS}.
 *
 * @param collector - the exporter's class name, for the error message
 * @throws {@link CacheConfigError} naming `durationBuckets`
 * @example
 * ```ts
 * const buckets = durationBucketsOption(options.durationBuckets, 'PrometheusMetrics')
 * ```
 */
export function durationBucketsOption(buckets: readonly number[] | undefined, collector: string): number[] {
  const chosen = buckets ?? DEFAULT_DURATION_BUCKETS
  if (
    !Array.isArray(chosen) ||
    chosen.length === 0 ||
    chosen.some((b, i) => !Number.isFinite(b) || b < 0 || (i > 0 && b <= (chosen[i - 1] as number)))
  ) {
    throw new CacheConfigError(
      `${collector}: invalid "durationBuckets": expected a non-empty array of finite seconds >= 0, strictly increasing`,
      { option: 'durationBuckets' },
    )
  }
  return [...chosen]
}

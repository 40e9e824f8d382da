/**
 * Histogram buckets for the size of written entries, in bytes: powers of four from 64 B (a flag)
 * to 16 MiB (past the 10 MiB every store must carry). The default of every exporter's entry-size
 * histogram (`@stratacache/otel`, `@stratacache/prometheus`).
 *
 * @example
 * ```ts
 * histogram.observe(bytes) // with buckets: [...DEFAULT_SIZE_BUCKETS]
 * ```
 */
export const DEFAULT_SIZE_BUCKETS: readonly number[] = Object.freeze([
  64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216,
])

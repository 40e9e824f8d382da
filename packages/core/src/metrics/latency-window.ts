/** A summary of one latency series, in milliseconds. */
export interface LatencyStats {
  /** How many samples were recorded since the start (or the last `reset()`), all of them. */
  count: number
  /** The median of the last `window` samples. */
  p50Ms: number
  /** The 95th percentile of the last `window` samples. */
  p95Ms: number
  /** The 99th percentile of the last `window` samples. */
  p99Ms: number
  /** The mean of every sample since the start (or the last `reset()`). */
  avgMs: number
}

/** The first allocation of a window; it doubles up to its capacity as samples arrive. */
const INITIAL_SLOTS = 16

/** Rounds to a tenth of a microsecond, so that stats print cleanly. */
export const roundMs = (ms: number): number => Math.round(ms * 10_000) / 10_000

/**
 * A latency series in constant memory: a ring buffer of the last `capacity` samples (exact
 * percentiles over that window) plus an all-time count and sum (exact count and mean).
 * Memory grows with the first samples and stops at `capacity` × 8 bytes.
 *
 * Internal to {@link InMemoryMetrics}.
 */
export class LatencyWindow {
  readonly #capacity: number
  #samples: Float64Array
  /** Samples held, `<= capacity`. */
  #filled = 0
  /** Where the next sample goes once the window is full (the oldest sample). */
  #next = 0
  #count = 0
  #sumMs = 0

  constructor(capacity: number) {
    this.#capacity = capacity
    this.#samples = new Float64Array(Math.min(INITIAL_SLOTS, capacity))
  }

  /** Adds one sample, in milliseconds. */
  add(ms: number): void {
    this.#count++
    this.#sumMs += ms
    if (this.#filled < this.#samples.length) {
      this.#samples[this.#filled++] = ms
    } else if (this.#filled < this.#capacity) {
      const grown = new Float64Array(Math.min(this.#capacity, this.#samples.length * 2))
      grown.set(this.#samples)
      this.#samples = grown
      this.#samples[this.#filled++] = ms
    } else {
      this.#samples[this.#next] = ms
      this.#next = this.#next + 1 === this.#capacity ? 0 : this.#next + 1
    }
  }

  /** The summary; percentiles use the nearest-rank method over the window. */
  stats(): LatencyStats {
    const sorted = this.#samples.slice(0, this.#filled).sort()
    const rank = (p: number): number => roundMs(sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0)
    return {
      count: this.#count,
      p50Ms: rank(0.5),
      p95Ms: rank(0.95),
      p99Ms: rank(0.99),
      avgMs: this.#count === 0 ? 0 : roundMs(this.#sumMs / this.#count),
    }
  }
}

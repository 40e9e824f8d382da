/** Running totals of one cache (and, when tallied by key, one key). */
export interface CacheTally {
  /** The cache name. */
  readonly cache: string
  /** The key, when the tallies are kept per key and the caller gave one. */
  readonly key: string | undefined
  /** Reads that found a live entry. */
  hits: number
  /** Reads that found nothing live. */
  misses: number
  /** Entries written. */
  sets: number
  /** Entries removed. */
  deletes: number
  /** Stale entries served. */
  stale: number
}

/** Options of {@link CacheTallies}. */
export interface CacheTalliesOptions {
  /**
   * Keeps one tally per `(cache, key)` instead of one per cache, for the keys callers give.
   * Memory then grows with the number of distinct keys: only for a small, bounded key space.
   * @defaultValue `false`
   * @example
   * ```ts
   * new CacheTallies({ byKey: options.recordKeys })
   * ```
   */
  byKey?: boolean
}

/**
 * Running hit/miss/set/delete/stale totals per cache, for metrics exporters whose own per-call
 * cost is high (OpenTelemetry, prom-client hash their attributes on every call): count here on
 * the hot path, report the totals when the backend collects (an observable counter, a `collect`
 * hook). Finding a cache's tally costs one `Map` lookup, skipped when the same cache counts twice
 * in a row. Never throws.
 *
 * @example
 * ```ts
 * const tallies = new CacheTallies()
 * tallies.of('users').hits++                              // hot path
 * for (const t of tallies.all()) report(t.cache, t.hits)  // at collection time
 * ```
 */
export class CacheTallies {
  readonly #byKey: boolean
  readonly #perCache = new Map<string, CacheTally>()
  /** cache → key → tally; only with `byKey`. */
  readonly #perKey = new Map<string, Map<string, CacheTally>>()
  #lastCache: string | undefined
  #lastTally: CacheTally | undefined

  constructor(options: CacheTalliesOptions = {}) {
    this.#byKey = options.byKey === true
  }

  /** The tally of `cache` (of `cache` and `key` when tallying by key and `key` is given), created on first use. */
  of(cache: string, key?: string): CacheTally {
    if (this.#byKey && key !== undefined) return this.#keyed(cache, key)
    if (cache === this.#lastCache) return this.#lastTally as CacheTally
    let tally = this.#perCache.get(cache)
    if (tally === undefined) {
      tally = { cache, key: undefined, hits: 0, misses: 0, sets: 0, deletes: 0, stale: 0 }
      this.#perCache.set(cache, tally)
    }
    this.#lastCache = cache
    this.#lastTally = tally
    return tally
  }

  /** Every tally, in creation order per cache (the per-cache tallies first). */
  *all(): IterableIterator<CacheTally> {
    yield* this.#perCache.values()
    for (const byKey of this.#perKey.values()) yield* byKey.values()
  }

  #keyed(cache: string, key: string): CacheTally {
    let byKey = this.#perKey.get(cache)
    if (byKey === undefined) {
      byKey = new Map()
      this.#perKey.set(cache, byKey)
    }
    let tally = byKey.get(key)
    if (tally === undefined) {
      tally = { cache, key, hits: 0, misses: 0, sets: 0, deletes: 0, stale: 0 }
      byKey.set(key, tally)
    }
    return tally
  }
}

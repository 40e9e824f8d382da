import { safeReport } from '../instance-defaults'
import { errorTypeOf } from '../metrics/error-type'
import { createEntry } from '../store/entry'
import type { CacheEntry } from '../store/store'
import type { LoadPolicy } from './load-policy'
import type { StoreGuard } from './store-guard'
import type { TagIndex } from './tag-index'

/** Turns computed values into the entries a cache stores, following a {@link LoadPolicy}. */
export class EntryWriter {
  readonly #guard: StoreGuard
  readonly #tags: TagIndex

  constructor(guard: StoreGuard, tags: TagIndex) {
    this.#guard = guard
    this.#tags = tags
  }

  /** The `createdAt` of a value whose computation starts now (after any invalidation of its tags in this process). */
  stamp(policy: LoadPolicy): number {
    const now = this.#guard.clock.now()
    return policy.tags === undefined ? now : this.#tags.stamp(now)
  }

  /**
   * The entry to store for `value` computed from a start at `stamp` (its `createdAt`), or
   * `undefined` when it must not be stored (`cacheIf`, a `ttl` of 0, or a throwing option function,
   * which is reported).
   */
  entryFor(
    value: unknown,
    policy: LoadPolicy,
    thisArg: unknown,
    args: unknown[],
    stamp: number,
  ): CacheEntry | undefined {
    const guard = this.#guard
    let ttlMs: number
    let staleMs: number
    let tags: readonly string[] | undefined
    try {
      if (policy.cacheIf !== undefined && !policy.cacheIf(value)) return undefined
      ttlMs = typeof policy.ttlMs === 'function' ? policy.ttlMs(value) : policy.ttlMs
      if (ttlMs === 0) return undefined
      staleMs = typeof policy.staleMs === 'function' ? policy.staleMs(value) : policy.staleMs
      tags = typeof policy.tags === 'function' ? policy.tags.apply(thisArg, args) : policy.tags
    } catch (error) {
      // A throwing cacheIf, tags or ttl function: the caller still gets its value, nothing is stored.
      guard.metrics.recordError(guard.cacheName, 'set', errorTypeOf(error))
      safeReport(guard.onError, error)
      return undefined
    }
    const now = guard.clock.now()
    const entry = createEntry(value, { now, ttlMs, staleMs: staleMs + policy.staleIfErrorMs })
    entry.createdAt = stamp
    if (policy.staleIfErrorMs > 0) entry.staleIfErrorFrom = entry.freshUntil + staleMs
    if (tags !== undefined && tags.length > 0) {
      entry.tags = [...tags]
      this.#tags.capLife(entry, now)
    }
    return entry
  }
}

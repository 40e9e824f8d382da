import type { CacheEntry } from './store'

/**
 * Where an entry stands at a moment: `fresh` (serve), `stale` (serve and refresh in the
 * background), `dead` (a miss).
 */
export type EntryState = 'fresh' | 'stale' | 'dead'

/** The timeline fields of an entry, all that freshness math needs. */
export type EntryTimeline = Pick<CacheEntry, 'freshUntil' | 'staleUntil'>

/**
 * The one place where freshness is decided.
 *
 * @param entry - the entry's timeline
 * @param now - the current time, epoch ms
 * @example
 * ```ts
 * entryState({ freshUntil: 1000, staleUntil: 2000 }, 1500) // 'stale'
 * ```
 */
export function entryState(entry: EntryTimeline, now: number): EntryState {
  if (now < entry.freshUntil) return 'fresh'
  return now < entry.staleUntil ? 'stale' : 'dead'
}

/**
 * Whether the entry may no longer be served at `now` (`now >= staleUntil`).
 *
 * @example
 * ```ts
 * if (isDead(entry, clock.now())) await store.delete(key)
 * ```
 */
export function isDead(entry: EntryTimeline, now: number): boolean {
  return now >= entry.staleUntil
}

/** Options of {@link createEntry}. */
export interface CreateEntryOptions {
  /** The time the value was produced, epoch ms. */
  now: number
  /** How long the value is fresh, ms (`Infinity` for never stale). */
  ttlMs: number
  /**
   * How long after `ttlMs` the value may still be served stale, ms.
   * @defaultValue 0
   */
  staleMs?: number
  /** Tags to attach. */
  tags?: string[]
}

/**
 * Builds an entry for `value` produced at `now`.
 *
 * @example
 * ```ts
 * const entry = createEntry(user, { now: Date.now(), ttlMs: 60_000, staleMs: 30_000 })
 * ```
 */
export function createEntry<T>(value: T, options: CreateEntryOptions): CacheEntry<T> {
  const freshUntil = options.now + options.ttlMs
  const entry: CacheEntry<T> = {
    value,
    createdAt: options.now,
    freshUntil,
    staleUntil: freshUntil + (options.staleMs ?? 0),
  }
  if (options.tags !== undefined && options.tags.length > 0) entry.tags = options.tags
  return entry
}

/**
 * Milliseconds until the entry is dead, for backends that own expiry (e.g. Redis `PX`).
 * `Infinity` when it never dies; `0` or less when already dead.
 *
 * @example
 * ```ts
 * const px = Math.ceil(remainingLifeMs(entry, Date.now()))
 * ```
 */
export function remainingLifeMs(entry: EntryTimeline, now: number): number {
  return entry.staleUntil - now
}

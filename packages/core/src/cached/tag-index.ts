import { createEntry } from '../store/entry'
import {
  type CacheEntry,
  type CacheStore,
  type FreshReadStore,
  NOT_FRESH,
  type SyncCacheStore,
  sharedStoreOf,
} from '../store/store'
import type { LoadPolicy, TagKeys } from './load-policy'
import type { StoreGuard } from './store-guard'

/** The key of a tag's invalidation record, after the instance prefix: `<prefix>:__tag:<tag>`. */
const TAG_RECORD_INFIX = '__tag:'

/**
 * The life of a tag record, and the longest life of a tagged entry: a record outlives every entry
 * written before it, in every process, so an invalidation is never forgotten while it matters.
 */
export const TAG_LIFE_MS = 7 * 24 * 60 * 60 * 1000
/** How far a stamp is moved past an invalidation in the same millisecond (well above a float64 ulp of epoch ms). */
const STAMP_STEP_MS = 1e-3

/** How many record keys a tag index remembers (tags made of ids can be unbounded). */
const MAX_REMEMBERED_KEYS = 1000

/** This process's view of one tag store's time line (shared by every cache over that store). */
interface TagClock {
  /** The latest creation stamp handed to a tagged computation. */
  lastStamp: number
  /** The latest invalidation time written. */
  lastInvalidation: number
}

const clocks = new WeakMap<CacheStore, TagClock>()

function clockOf(store: CacheStore): TagClock {
  let clock = clocks.get(store)
  if (clock === undefined) {
    clock = { lastStamp: 0, lastInvalidation: 0 }
    clocks.set(store, clock)
  }
  return clock
}

/** Whether two lists of tags are equal, element by element. */
function sameTags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** What a tagged entry is checked against: the invalidation time of each of its tags, when known. */
type Records = Map<string, CacheEntry | undefined>

/**
 * Tag invalidation, recorded in the store the entries live in (through the protocol only).
 *
 * `invalidateTags(['t'])` writes the record `<prefix>:__tag:t` holding the invalidation time; a
 * tagged entry whose `createdAt` is at or before the time of any of its tags' records is a miss.
 * Records live in the tag store (for a `ChainStore`, its shared tier, or the chain itself when a
 * bus keeps its upper tiers coherent), so every process reading that store agrees without a bus.
 * Untagged entries are never checked. Records expire after {@link TAG_LIFE_MS} (a week), and a
 * tagged entry lives at most as long.
 */
export class TagIndex {
  /** The guard of the store where records are read and written. */
  readonly guard: StoreGuard
  readonly #prefix: string
  readonly #clock: TagClock
  /** Record keys by tag: a hit reuses the same key string (and its hash) instead of building it. */
  readonly #recordKeys = new Map<string, string>()
  /** The tag store, when it hands a record's time without building an entry (`MemoryStore`). */
  readonly #fresh: FreshReadStore | undefined
  /** Whether a missing record is written as an empty one, so that an upper tier can answer next time. */
  readonly #seedMissing: boolean

  /**
   * @param guard - the tag store's guard
   * @param keyPrefix - the instance prefix with its separator (`'app:'`), or `''`
   */
  constructor(guard: StoreGuard, keyPrefix: string) {
    this.guard = guard
    this.#prefix = keyPrefix + TAG_RECORD_INFIX
    this.#clock = clockOf(guard.store)
    this.#seedMissing = guard.syncFirst !== undefined
    this.#fresh = guard.fresh
  }

  /** The store key of `tag`'s record. */
  recordKey(tag: string): string {
    let key = this.#recordKeys.get(tag)
    if (key === undefined) {
      key = this.#prefix + tag
      if (this.#recordKeys.size < MAX_REMEMBERED_KEYS) this.#recordKeys.set(tag, key)
    }
    return key
  }

  /**
   * The `createdAt` of a tagged value whose computation starts at `now`: after every invalidation
   * this process made, even one in the same millisecond.
   */
  stamp(now: number): number {
    const clock = this.#clock
    const stamp = now > clock.lastInvalidation ? now : clock.lastInvalidation + STAMP_STEP_MS
    if (stamp > clock.lastStamp) clock.lastStamp = stamp
    return stamp
  }

  /**
   * Cuts a tagged entry written at `now` to {@link TAG_LIFE_MS}, the life of tag records, so that
   * no record of an invalidation that concerns it can expire before it.
   */
  capLife(entry: CacheEntry, now: number): void {
    const limit = now + TAG_LIFE_MS
    if (entry.staleUntil <= limit) return
    entry.staleUntil = limit
    if (entry.freshUntil > limit) entry.freshUntil = limit
    if (entry.staleIfErrorFrom !== undefined && entry.staleIfErrorFrom > limit) entry.staleIfErrorFrom = limit
  }

  /**
   * Whether a tagged entry survives its tags' records; the tag store must be synchronous. With the
   * `policy` of the call, whose tags the entry usually carries, the record keys are those the
   * policy remembers (no lookup per tag).
   */
  validSync(entry: CacheEntry, policy?: LoadPolicy): boolean {
    const known = policy === undefined ? undefined : this.#keysOf(policy)
    return this.#survivesSync(entry.tags as string[], entry.createdAt, known)
  }

  /**
   * The check of {@link TagIndex.validSync} for entries written under `policy`, as a function of
   * their tags and `createdAt` (for `MemoryStore.getFreshSync`); `undefined` for a tags function.
   * The tag store must be synchronous.
   */
  survivesFor(policy: LoadPolicy): ((tags: readonly string[], createdAt: number) => boolean) | undefined {
    return this.#keysOf(policy)?.survives
  }

  #survivesSync(tags: readonly string[], createdAt: number, known: TagKeys | undefined): boolean {
    const guard = this.guard
    if (known !== undefined && sameTags(known.tags, tags)) {
      // The store itself, not the guard: one call less per record on the hit path.
      const store = guard.sync as SyncCacheStore
      const keys = known.keys
      const fresh = this.#fresh
      const present = known.present
      try {
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i] as string
          // A record found last time is read as its bare time (no entry built); a missing one
          // with getSync, whose miss is the whole answer.
          if (fresh !== undefined && present[i] === true) {
            const time = fresh.getFreshSync(key)
            if (time !== NOT_FRESH) {
              if (createdAt <= (time as number)) return false
              continue
            }
          }
          const record = store.getSync(key)
          present[i] = record !== undefined
          if (record !== undefined && createdAt <= (record.value as number)) return false
        }
        return true
      } catch {
        // The store failed: read again through the guard, which reports it.
      }
    }
    for (let i = 0; i < tags.length; i++) {
      const record = guard.getSync(this.recordKey(tags[i] as string))
      if (record !== undefined && createdAt <= (record.value as number)) return false
    }
    return true
  }

  /**
   * The record keys of a policy's list of tags, built once and kept on the policy (for this index:
   * a policy shared with another index is given that index's keys instead); `undefined` for a tags
   * function.
   */
  #keysOf(policy: LoadPolicy): TagKeys | undefined {
    const known = policy.tagKeys
    if (known !== undefined && known.owner === this) return known
    const tags = policy.tags
    if (tags === undefined || typeof tags === 'function') return undefined
    const copy = [...tags]
    const built: TagKeys = {
      owner: this,
      tags: copy,
      keys: copy.map((tag) => this.recordKey(tag)),
      present: copy.map(() => false),
      survives: (entryTags, createdAt) => this.#survivesSync(entryTags, createdAt, built),
    }
    policy.tagKeys = built
    return built
  }

  /** {@link TagIndex.validSync} over a sync-first tag store; `undefined` when a record needs an async read. */
  tryValidSync(entry: CacheEntry): boolean | undefined {
    const tags = entry.tags as string[]
    for (const tag of tags) {
      const record = this.guard.tryGetSync(this.recordKey(tag))
      if (record === undefined) return undefined
      if (!this.#survives(entry, record)) return false
    }
    return true
  }

  /**
   * Whether a tagged entry survives its tags' records, reading those not in `known`. A failed
   * read of the records makes it a miss (never serve what may have been invalidated).
   */
  async valid(entry: CacheEntry, known?: Records): Promise<boolean> {
    const tags = entry.tags as string[]
    const missing = known === undefined ? tags : tags.filter((tag) => !known.has(tag))
    let read: (CacheEntry | undefined)[] = []
    if (missing.length > 0) {
      const found = await this.guard.getMany(missing.map((tag) => this.recordKey(tag)))
      if (found === undefined) return false
      read = found
    }
    for (const [index, tag] of missing.entries()) {
      const record = read[index]
      if (record === undefined) this.#seed(tag)
      if (!this.#survives(entry, record)) return false
    }
    if (known === undefined) return true
    return tags.every((tag) => !known.has(tag) || this.#survives(entry, known.get(tag)))
  }

  /**
   * `entries` with the tagged ones that did not survive their tags replaced by `undefined`; the
   * records of every tag involved are read in one `getMany`.
   */
  async validMany(entries: readonly (CacheEntry | undefined)[]): Promise<(CacheEntry | undefined)[]> {
    const tags = new Set<string>()
    for (const entry of entries) if (entry?.tags !== undefined) for (const tag of entry.tags) tags.add(tag)
    if (tags.size === 0) return [...entries]
    const list = [...tags]
    const found = await this.guard.getMany(list.map((tag) => this.recordKey(tag)))
    if (found === undefined) return entries.map((entry) => (entry?.tags === undefined ? entry : undefined))
    const known: Records = new Map(list.map((tag, index) => [tag, found[index]]))
    return Promise.all(
      entries.map(async (entry) =>
        entry?.tags === undefined || (await this.valid(entry, known)) ? entry : undefined,
      ),
    )
  }

  /**
   * Reads `key` from `store` (which must be this index's store) together with the records of
   * `tags` in one `getMany`: a tagged hit whose tags are known beforehand costs no extra round trip.
   * Resolves the entry when it survives its tags, else `undefined`.
   */
  async readWith(key: string, tags: readonly string[]): Promise<CacheEntry | undefined> {
    const keys: string[] = [key]
    for (let i = 0; i < tags.length; i++) keys.push(this.recordKey(tags[i] as string))
    const found = await this.guard.getMany(keys)
    if (found === undefined) return undefined
    const entry = found[0]
    if (entry === undefined || entry.tags === undefined) return entry
    if (sameTags(entry.tags, tags)) {
      // The common case: the entry carries the call's tags, whose records were read with it.
      for (let i = 0; i < tags.length; i++) if (!this.#survives(entry, found[i + 1])) return undefined
      return entry
    }
    const known: Records = new Map(tags.map((tag, index) => [tag, found[index + 1]]))
    return (await this.valid(entry, known)) ? entry : undefined
  }

  /**
   * Records the invalidation of `tags` now: every entry carrying one of them, written at or before
   * this moment, is a miss from then on. Rejects when the store fails.
   */
  async invalidate(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return
    const clock = this.#clock
    const now = this.guard.clock.now()
    const at = Math.max(now, clock.lastStamp)
    if (at > clock.lastInvalidation) clock.lastInvalidation = at
    const record = createEntry(at, { now, ttlMs: TAG_LIFE_MS })
    await this.guard.setManyStrict(tags.map((tag): [string, CacheEntry] => [this.recordKey(tag), record]))
  }

  #survives(entry: CacheEntry, record: CacheEntry | undefined): boolean {
    return record === undefined || entry.createdAt > (record.value as number)
  }

  /** Writes an empty record (time 0) for `tag` if none exists, in the background (the guard absorbs failures). */
  #seed(tag: string): void {
    if (!this.#seedMissing) return
    const now = this.guard.clock.now()
    void this.guard.setIfAbsent(this.recordKey(tag), createEntry(0, { now, ttlMs: TAG_LIFE_MS }))
  }
}

/**
 * The tag index of a cache over `guard`'s store: records live in the store's shared store (see
 * `sharedStoreOf`), read and written with the same bounds, metrics and error handling.
 *
 * @param keyPrefix - the instance prefix with its separator, or `''`
 */
export function tagIndexFor(guard: StoreGuard, keyPrefix: string): TagIndex {
  const shared = sharedStoreOf(guard.store)
  return new TagIndex(shared === guard.store ? guard : guard.sibling(shared), keyPrefix)
}

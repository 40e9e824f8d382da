/**
 * The storage protocol: what every stratacache store implements. One file, so a reader finds
 * the port in one place.
 * @packageDocumentation
 */

import { hasCapability } from './store-capabilities'

/**
 * A stored value with its timeline. All times are epoch milliseconds.
 *
 * - fresh while `now < freshUntil`,
 * - stale while `freshUntil <= now < staleUntil` (served while a refresh runs),
 * - dead (a miss) once `now >= staleUntil`.
 */
export interface CacheEntry<T = unknown> {
  /** The cached value, as the function returned it. */
  value: T
  /** When the value was produced, epoch ms. */
  createdAt: number
  /** Until when the value is fresh, epoch ms; `Infinity` means never stale. */
  freshUntil: number
  /** Until when the value may be served at all, epoch ms, `>= freshUntil`; `Infinity` means never dead. */
  staleUntil: number
  /** Tags attached to the entry, for tag-based invalidation by the caller. */
  tags?: string[]
  /**
   * Stale-if-error: from this moment (epoch ms, `freshUntil <= staleIfErrorFrom <= staleUntil`)
   * until `staleUntil` the value is served only when recomputing it fails. Absent: the whole
   * window up to `staleUntil` is stale-while-revalidate. Stores keep the entry until `staleUntil`.
   */
  staleIfErrorFrom?: number
}

/**
 * An asynchronous key-value store of {@link CacheEntry} objects. Keys are opaque strings (any
 * Unicode, `:`, `/`, `*`, very long); a key never escapes the store's namespace.
 *
 * Every store passes `describeStoreConformance` from `@stratacache/core/testing`.
 */
export interface CacheStore {
  /** A short name for logs, metrics and error messages, e.g. `'memory'` or `'redis'`. */
  readonly name: string
  /** The live entry under `key`; dead and undecodable entries are misses (`undefined`). */
  get(key: string): Promise<CacheEntry | undefined>
  /** Stores `entry` under `key`, replacing any previous entry. */
  set(key: string, entry: CacheEntry): Promise<void>
  /** Removes `key`; resolves `true` if a live entry existed. */
  delete(key: string): Promise<boolean>
  /** Whether a live entry exists under `key`. */
  has(key: string): Promise<boolean>
  /** The entries under `keys`, in the same order, `undefined` for each miss. */
  getMany(keys: string[]): Promise<(CacheEntry | undefined)[]>
  /** Stores every `[key, entry]` pair. */
  setMany(items: [string, CacheEntry][]): Promise<void>
  /** Removes every key; resolves how many live entries existed. */
  deleteMany(keys: string[]): Promise<number>
  /**
   * Stores `entry` only when no live entry exists under `key`. Atomic: among concurrent callers
   * (in one process or, for shared backends, across processes) exactly one resolves `true`.
   */
  setIfAbsent(key: string, entry: CacheEntry): Promise<boolean>
  /** Removes every key matching a glob (`*` any run of characters, `?` exactly one); resolves the count. */
  deleteMatching(pattern: string): Promise<number>
  /** Removes every entry of this store's namespace or prefix, and nothing outside it. */
  clear(): Promise<void>
  /** Releases every socket, timer and file handle the store opened itself. */
  close(): Promise<void>
}

/**
 * A store that can also answer synchronously, such as `MemoryStore`. A synchronous function
 * cached over such a store stays synchronous.
 */
export interface SyncCacheStore extends CacheStore {
  /** Synchronous {@link CacheStore.get}. */
  getSync(key: string): CacheEntry | undefined
  /** Synchronous {@link CacheStore.set}. */
  setSync(key: string, entry: CacheEntry): void
  /** Synchronous {@link CacheStore.delete}. */
  deleteSync(key: string): boolean
}

/**
 * A store that can answer some reads without waiting, though not all (so it has no
 * {@link SyncCacheStore} twins): a `ChainStore` whose first tier is a `MemoryStore`. `cache()`
 * tries `tryGetSync` first and serves a hit at once; only on `undefined` does it call `get`.
 */
export interface SyncFirstReadStore extends CacheStore {
  /**
   * A live entry found without waiting (e.g. in an in-memory first tier), or `undefined` when
   * the answer needs `get()`, which may still find an entry in a slower tier. Promotes nothing
   * and reports nothing: a failure here is simply `undefined` (then `get()` meets it again).
   */
  tryGetSync(key: string): CacheEntry | undefined
}

/** What {@link FreshReadStore.getFreshSync} returns when it has no plain fresh value to hand. */
export const NOT_FRESH: unique symbol = Symbol.for('stratacache.notFresh')

/**
 * A synchronous store that can hand the common hit — a live, untagged entry without a stale
 * window — as its bare value, without building a {@link CacheEntry}: `cache()` reads it so first
 * and asks `getSync` only when it gets {@link NOT_FRESH}.
 */
export interface FreshReadStore extends SyncCacheStore {
  /**
   * The value under `key` when its entry is live, has `freshUntil === staleUntil` and no tags
   * (a use for LRU, as `getSync`); otherwise {@link NOT_FRESH}, and `getSync` has the answer.
   *
   * A store may also take `survives`, the caller's tag check: then a tagged entry (live, no stale
   * window) is handed too when `survives(tags, createdAt)` is `true` (`MemoryStore` does). A store
   * that ignores it answers {@link NOT_FRESH} for every tagged entry, which is always correct.
   */
  getFreshSync(key: string, survives?: (tags: readonly string[], createdAt: number) => boolean): unknown
}

/**
 * Whether `store` offers {@link FreshReadStore.getFreshSync} (besides the synchronous twins).
 *
 * @example
 * ```ts
 * const value = canGetFreshSync(store) ? store.getFreshSync(key) : NOT_FRESH
 * ```
 */
export function canGetFreshSync(store: CacheStore): store is FreshReadStore {
  return isSyncStore(store) && hasCapability(store, 'freshRead')
}

/**
 * Whether `store` offers {@link SyncFirstReadStore.tryGetSync}.
 *
 * @example
 * ```ts
 * const early = canTryGetSync(store) ? store.tryGetSync(key) : undefined
 * ```
 */
export function canTryGetSync(store: CacheStore): store is SyncFirstReadStore {
  return hasCapability(store, 'syncFirstRead')
}

/**
 * Whether `store` offers the synchronous methods of {@link SyncCacheStore}.
 *
 * @example
 * ```ts
 * if (isSyncStore(store)) store.setSync('k', entry)
 * ```
 */
export function isSyncStore(store: CacheStore): store is SyncCacheStore {
  return hasCapability(store, 'sync')
}

/**
 * A store made of tiers that hold private copies (a `ChainStore`): records that every process
 * must read alike, such as tag invalidations, are written and read in its `sharedStore`.
 */
export interface LayeredStore extends CacheStore {
  /**
   * The store that answers alike in every process: a chain's last tier, or the chain itself when
   * a bus keeps its upper tiers coherent.
   */
  readonly sharedStore: CacheStore
}

/**
 * The store where records shared by every process live: follows {@link LayeredStore.sharedStore}
 * down nested chains; any other store is its own.
 *
 * @example
 * ```ts
 * sharedStoreOf(new ChainStore([{ store: memory }, { store: redis }])) // redis
 * ```
 */
export function sharedStoreOf(store: CacheStore): CacheStore {
  let current = store
  for (;;) {
    const next = (current as Partial<LayeredStore>).sharedStore
    if (next === undefined || next === current) return current
    current = next
  }
}

/**
 * Whether `value` looks like a {@link CacheStore} (an object with `get` and `set` methods): the
 * check every option that accepts a store runs once, at configuration time.
 *
 * @example
 * ```ts
 * if (!isCacheStore(options.store)) throw new CacheConfigError('"store" must be a CacheStore', { option: 'store' })
 * ```
 */
export function isCacheStore(value: unknown): value is CacheStore {
  const store = value as Partial<CacheStore> | null
  return (
    typeof store === 'object' &&
    store !== null &&
    typeof store.get === 'function' &&
    typeof store.set === 'function'
  )
}

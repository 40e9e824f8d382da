import type { Duration } from '../duration'
import type { ErrorHandler } from '../instance-defaults'
import type { MetricsCollector } from '../metrics/collector'
import type { CacheStore, SyncCacheStore } from '../store/store'
import type { KeySpec } from './key-template'

/** A store, or a factory called once when the function is decorated. */
export type StoreOption = CacheStore | (() => CacheStore)

/** Options every `cache`, `cache.put` and `cache.evict` accepts. */
export interface CacheStoreOptions {
  /**
   * Where entries live: a store, or a factory called once at decoration time.
   * @defaultValue the instance's store; for the top-level `cache` and instances created without
   * a store, a new unbounded `MemoryStore` per function (expired entries are reclaimed; give a
   * bounded `MemoryStore` for functions with many distinct keys)
   * @example
   * ```ts
   * cache({ ttl: 60, store: new RedisStore({ url: 'redis://127.0.0.1:6379' }) })(fn)
   * ```
   */
  store?: StoreOption
  /**
   * The cache's name in metrics and in the omitted-key form `name:<arguments>`.
   * @defaultValue `fn.name`
   * @example
   * ```ts
   * cache({ ttl: 60, name: 'users.byId' })(async (id: string) => db.user(id))
   * ```
   */
  name?: string
  /**
   * Receives what the cache hit, missed, stored and failed.
   * @defaultValue the instance's collector (`NULL_METRICS` unless set)
   * @example
   * ```ts
   * const metrics = new InMemoryMetrics()
   * cache({ ttl: 60, metrics })(fn)
   * ```
   */
  metrics?: MetricsCollector
  /**
   * Called with every store error and background-refresh error the cache absorbed on the caller's
   * behalf. Never with the function's own errors on a miss: those reject to the callers.
   * @defaultValue the instance's handler (one warning log per error)
   * @example
   * ```ts
   * cache({ ttl: 60, onError: (error) => logger.warn({ error }, 'cache degraded') })(fn)
   * ```
   */
  onError?: ErrorHandler
  /**
   * A store call slower than this counts as failed with a `CacheTimeoutError`: a read becomes a
   * miss, a write is dropped, and the caller carries on. Calls to a store's synchronous methods
   * cannot hang and are not bounded.
   * @defaultValue none (store calls are not bounded by the cache; stores may bound their own)
   * @example
   * ```ts
   * cache({ ttl: 60, store: redisStore, operationTimeout: '200ms' })(fn)
   * ```
   */
  operationTimeout?: Duration
}

/** Options that shape the entries a cache writes (`cache` and `cache.put`). */
export interface CacheWriteOptions<A extends unknown[] = any[]> extends CacheStoreOptions {
  /**
   * How long a value stays fresh. `0` bypasses the cache entirely (always calls, never stores);
   * `Infinity` never expires.
   * @defaultValue the instance's `ttl`; required when the instance has none
   * @example
   * ```ts
   * cache({ ttl: '5m' })(fn)
   * ```
   */
  ttl?: Duration
  /**
   * The entry's key: a template (`'user:{0}'`, `'user:{id}'`, `'org:{0.org.id}'`, `'{}:{}'`) or a
   * function of the same arguments (called with the same `this`). Placeholders render strings as
   * they are, an absent argument as `''`, objects as JSON with sorted keys.
   * @defaultValue `name:<arguments>`: the arguments rendered as short type-tagged JSON with sorted
   * object keys (`getUser:42`, `getUser:"42"`, `find:{"id":7,"org":"acme"}`), or `#` and a 128-bit
   * hash of that rendering past 120 characters; identical in every process and across restarts,
   * and arguments of different types never share a key
   * @example
   * ```ts
   * cache({ ttl: 60, key: 'user:{id}' })(async (id: string) => db.user(id))
   * cache({ ttl: 60, key: (id: string, opts: { full: boolean }) => `user:${id}:${opts.full}` })(fn)
   * ```
   */
  key?: KeySpec<A>
  /**
   * Stale-while-revalidate window after `ttl`: a stale entry is returned at once while one
   * background refresh per key runs.
   * @defaultValue 0 (no stale serving)
   * @example
   * ```ts
   * cache({ ttl: 60, stale: 30 })(fn) // fresh for 60 s, then served stale for 30 s while refreshing
   * ```
   */
  stale?: Duration
  /**
   * Tags stored with each entry: a list, or a function of the arguments.
   * @defaultValue none
   * @example
   * ```ts
   * cache({ ttl: 60, tags: (id: string) => [`user:${id}`, 'users'] })(fn)
   * ```
   */
  tags?: readonly string[] | ((...args: A) => readonly string[])
  /**
   * Decides whether a computed value is stored. The value is returned either way.
   * @defaultValue every value is stored, `undefined` and `null` included
   * @example
   * ```ts
   * cache({ ttl: 60, cacheIf: (user) => user !== null })(fn)
   * ```
   */
  cacheIf?: (value: any) => boolean
}

/** Options of `cache(options)`. */
export interface CacheOptions<A extends unknown[] = any[]> extends CacheWriteOptions<A> {
  /**
   * Who computes a missing value:
   * - `'process'`: concurrent misses for one key in this process share one call;
   * - `'cluster'`: additionally, a lease taken with the store's `setIfAbsent` (key
   *   `<key>:__lease`, living `lockTimeout`) lets one process of the fleet compute while the
   *   others poll the store for its result every `pollInterval`, for at most `lockTimeout`, then
   *   compute themselves. Stale refreshes also take the lease, so the fleet refreshes a key once.
   *   The wrapper is always async in this mode.
   * @defaultValue 'process'
   * @example
   * ```ts
   * cache({ ttl: 60, store: redisStore, singleFlight: 'cluster', lockTimeout: '5s' })(fn)
   * ```
   */
  singleFlight?: 'process' | 'cluster'
  /**
   * With `singleFlight: 'cluster'`: how long waiters wait for the lease holder's value (and how
   * long the lease lives, so a crashed holder never blocks a key longer).
   * @defaultValue 10 seconds
   * @example
   * ```ts
   * cache({ ttl: 60, store, singleFlight: 'cluster', lockTimeout: 3 })(fn)
   * ```
   */
  lockTimeout?: Duration
  /**
   * With `singleFlight: 'cluster'`: how often waiters look for the lease holder's value.
   * @defaultValue 50 ms
   * @example
   * ```ts
   * cache({ ttl: 60, store, singleFlight: 'cluster', pollInterval: '20ms' })(fn)
   * ```
   */
  pollInterval?: Duration
}

/** Options of `cache.put(options)`: always run the function, then store its result under `key`. */
export type CachePutOptions<A extends unknown[] = any[]> = CacheWriteOptions<A>

/** Options of `cache.evict(options)`: run the function, then delete entries. */
export interface CacheEvictOptions<A extends unknown[] = any[]> extends CacheStoreOptions {
  /**
   * The key(s) to delete after the function succeeds: templates or functions of its arguments,
   * as in `cache({ key })`. Required unless `allEntries` is `true`.
   * @example
   * ```ts
   * cache.evict({ key: ['user:{0}', 'users:list'], store })(async (id: string, patch: Patch) => db.update(id, patch))
   * ```
   */
  key?: KeySpec<A> | readonly KeySpec<A>[]
  /**
   * Delete every entry instead of a key: the whole store when the instance has no prefix, or
   * every key under the instance prefix.
   * @defaultValue false
   * @example
   * ```ts
   * cache.evict({ allEntries: true, store })(async () => db.reimport())
   * ```
   */
  allEntries?: boolean
}

/** Whether a `store` option (or its absence, given the instance's default) is synchronous. */
export type IsSyncStoreOption<S, Default extends boolean> = [S] extends [undefined]
  ? Default
  : [S] extends [SyncCacheStore | (() => SyncCacheStore) | undefined]
    ? true
    : false

/** Whether a wrapper built with options `O` can stay synchronous for synchronous functions. */
export type SyncMode<O, Default extends boolean> = O extends { singleFlight: 'cluster' }
  ? false
  : O extends { store?: infer S }
    ? IsSyncStoreOption<S, Default>
    : Default

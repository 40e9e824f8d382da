import type { Duration } from '../duration'
import type { ErrorHandler } from '../instance-defaults'
import type { MetricsCollector } from '../metrics/collector'
import type { CacheStore, SyncCacheStore } from '../store/store'
import type { CacheTracer } from '../tracing/cache-tracer'
import type { CacheMode } from './cache-mode'

/**
 * The type of a function option (`key`, `tags`, `cacheIf`, `ttl`): its parameters are compared
 * both ways, so an option may annotate them (`(id: number) => …`) while an unannotated one gets
 * `unknown` until the decorator checks it against the wrapped function.
 */
export type OptionFunction<A extends unknown[], R> = { bivarianceHack(...args: A): R }['bivarianceHack']

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
   * Traces each lookup and each computation of a value (a {@link CacheTracer}, such as
   * `OpenTelemetryTracing` from `@stratacache/otel`). Without one no tracing code runs.
   * @defaultValue the instance's tracer (none unless set)
   * @example
   * ```ts
   * cache({ ttl: 60, tracer: new OpenTelemetryTracing() })(fn)
   * ```
   */
  tracer?: CacheTracer
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

/**
 * Options that shape the entries a cache writes (`cache` and `cache.put`).
 *
 * @typeParam A - the parameters the `key` and `tags` functions receive (checked against the
 * wrapped function's when the decorator is applied)
 * @typeParam R - the wrapped function's return type (`cacheIf`, `ttl` and `stale` receive it awaited)
 */
export interface CacheWriteOptions<A extends unknown[] = unknown[], R = unknown> extends CacheStoreOptions {
  /**
   * How long a value stays fresh. `0` bypasses the cache entirely (always calls, never stores);
   * `Infinity` never expires.
   * @defaultValue the instance's `ttl`; required when the instance has none
   * @example
   * ```ts
   * cache({ ttl: '5m' })(fn)
   * cache({ ttl: (token: { expiresIn: number }) => token.expiresIn })(fetchToken) // a function of the value
   * ```
   */
  ttl?: Duration | OptionFunction<[value: Awaited<R>], Duration>
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
  key?: string | OptionFunction<A, string>
  /**
   * Stale-while-revalidate window after `ttl`: a stale entry is returned at once while one
   * background refresh per key runs.
   * @defaultValue 0 (no stale serving)
   * @example
   * ```ts
   * cache({ ttl: 60, stale: 30 })(fn) // fresh for 60 s, then served stale for 30 s while refreshing
   * cache({ ttl: (token: Token) => token.expiresIn - 30 })(fetchToken) // a function of the value
   * ```
   */
  stale?: Duration | OptionFunction<[value: Awaited<R>], Duration>
  /**
   * Stale-if-error (RFC 5861): after the stale window ends, the entry is kept this much longer
   * and served **only when recomputing it fails** (the function rejects, or passes `hardTimeout`);
   * the failure then goes to `onError` and metrics (counted as stale and as an error), never to
   * the caller. Never served when the recompute succeeds.
   * @defaultValue 0 (none)
   * @example
   * ```ts
   * cache({ ttl: '1m', staleIfError: '1h' })(fetchRates) // an outage of the rates API serves the last rates for an hour
   * ```
   */
  staleIfError?: Duration
  /**
   * Tags stored with each entry: a list, or a function of the arguments. `invalidateTags` (on the
   * wrapper or the instance) makes every entry carrying one of them a miss, in every process. A
   * tagged entry lives at most a week (the life of the invalidation records).
   * @defaultValue none
   * @example
   * ```ts
   * cache({ ttl: 60, tags: (id: string) => [`user:${id}`, 'users'] })(fn)
   * ```
   */
  tags?: readonly string[] | OptionFunction<A, readonly string[]>
  /**
   * Decides whether a computed value is stored. The value is returned either way.
   * @defaultValue every value is stored, `undefined` and `null` included
   * @example
   * ```ts
   * cache({ ttl: 60, cacheIf: (user) => user !== null })(fn)
   * ```
   */
  cacheIf?: OptionFunction<[value: Awaited<R>], boolean>
}

/**
 * Options of `cache(options)`.
 *
 * @typeParam A - as in {@link CacheWriteOptions}
 * @typeParam R - as in {@link CacheWriteOptions}
 */
export interface CacheOptions<A extends unknown[] = unknown[], R = unknown> extends CacheWriteOptions<A, R> {
  /**
   * With an old value at hand (a stale-if-error entry), a caller waits at most this long for the
   * function: then it gets the old value, and the computation goes on in the background to update
   * the entry. Must be shorter than `hardTimeout`.
   * @defaultValue none
   * @example
   * ```ts
   * cache({ ttl: '1m', staleIfError: '1h', softTimeout: '200ms' })(fetchRates)
   * ```
   */
  softTimeout?: Duration
  /**
   * A caller waits at most this long for the function: then it gets the stale-if-error value, or
   * a `CacheTimeoutError` (operation `'load'`). A computation that finishes later still updates the entry.
   * @defaultValue none
   * @example
   * ```ts
   * cache({ ttl: '1m', hardTimeout: '2s' })(slowReport)
   * ```
   */
  hardTimeout?: Duration
  /**
   * How calls use the store (a `withCacheMode` scope overrides it): `'normal'`, `'read-only'`
   * (a miss throws `CacheMissError` without calling), `'write-only'` (always compute and store),
   * `'bypass'` (always compute, never read or store).
   * @defaultValue the instance's `mode` (`'normal'`)
   * @example
   * ```ts
   * cache({ ttl: 60, mode: 'read-only' })(expensiveReport) // filled by a warm-up job only
   * ```
   */
  mode?: CacheMode
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
export type CachePutOptions<A extends unknown[] = unknown[], R = unknown> = CacheWriteOptions<A, R>

/** Options of `cache.evict(options)`: run the function, then delete entries. */
export interface CacheEvictOptions<A extends unknown[] = unknown[]> extends CacheStoreOptions {
  /**
   * The key(s) to delete after the function succeeds: templates or functions of its arguments,
   * as in `cache({ key })`. Required unless `allEntries` is `true`.
   * @example
   * ```ts
   * cache.evict({ key: ['user:{0}', 'users:list'], store })(async (id: string, patch: Patch) => db.update(id, patch))
   * ```
   */
  key?: string | OptionFunction<A, string> | readonly (string | OptionFunction<A, string>)[]
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

/**
 * `unknown` when options `O` fit a function `F` (its parameters for `key` and `tags`, its awaited
 * return type for `cacheIf`, `ttl` and `stale`); otherwise a type that names the mismatch, so that
 * `cache(options)(fn)` does not compile.
 */
export type OptionsFit<O, F extends (...args: any[]) => any> =
  O extends CacheWriteOptions<Parameters<F>, ReturnType<F>>
    ? unknown
    : { 'the options key, tags, cacheIf or ttl functions do not fit this function': never }

/** Like {@link OptionsFit}, for `cache.evict`'s key functions. */
export type EvictOptionsFit<O, F extends (...args: any[]) => any> =
  O extends CacheEvictOptions<Parameters<F>>
    ? unknown
    : { 'the options key functions do not fit this function': never }

import { type Bg, createBg } from './background/bg'
import { type CacheFactory, createCacheFactory } from './cached/cache'
import type { CacheMode } from './cached/cache-mode'
import type { StoreOption } from './cached/cache-options'
import { functionStore } from './cached/function-store'
import { type GetOrSetOptions, KeyValueCache, type SetOptions } from './cached/key-value-cache'
import { resolveMode } from './cached/load-policy'
import { type Clock, systemClock } from './clock'
import { createLock, type LockFunction } from './coordination/lock'
import { createOnce, type Once } from './coordination/once'
import { createPool, type PoolFunction } from './coordination/pool'
import { createPooled, type Pooled } from './coordination/pooled'
import { type Duration, durationToMs } from './duration'
import { CacheConfigError } from './errors'
import { defaultErrorHandler, type ErrorHandler, type InstanceDefaults } from './instance-defaults'
import { type MetricsCollector, NULL_METRICS } from './metrics/collector'
import { MemoryStore } from './store/memory-store'
import { type CacheStore, isCacheStore, type SyncCacheStore } from './store/store'
import type { CacheTracer } from './tracing/cache-tracer'
import { checkTracer } from './tracing/use-tracer'

/** Options of {@link createCache}. */
export interface CreateCacheOptions<S extends StoreOption | undefined = StoreOption | undefined> {
  /**
   * The store every function of the instance uses (`cache`, `bg`, `lock`, `once`, `pool`,
   * `pooled`), unless a call passes its own: a store, or a factory called on first use.
   * @defaultValue none: each cached function gets its own `MemoryStore`, and the coordination
   * functions share one `MemoryStore` of the instance
   * @example
   * ```ts
   * createCache({ store: await storeFromUrl(process.env.CACHE_URL ?? 'memory://') })
   * ```
   */
  store?: S
  /**
   * Prepended to every key as `prefix:key`, so instances sharing a store never see each other's
   * keys. `clear()` of a cached function then clears only this prefix.
   * @defaultValue `''` (no prefix)
   * @example
   * ```ts
   * createCache({ store, prefix: 'billing' }) // keys 'billing:…'
   * ```
   */
  prefix?: string
  /**
   * The `ttl` of `cache()` calls that give none.
   * @defaultValue none: every `cache()` call must give a `ttl`
   * @example
   * ```ts
   * const { cache } = createCache({ ttl: '5m' })
   * ```
   */
  ttl?: Duration
  /**
   * The metrics collector of every function of the instance.
   * @defaultValue `NULL_METRICS`
   * @example
   * ```ts
   * createCache({ metrics: new InMemoryMetrics() })
   * ```
   */
  metrics?: MetricsCollector
  /**
   * Traces the lookups of every cached function and of `getOrSet`/`get`, and each computation of
   * a value (a {@link CacheTracer}, such as `OpenTelemetryTracing` from `@stratacache/otel`).
   * Decided here: an instance without a tracer runs no tracing code.
   * @defaultValue none
   * @example
   * ```ts
   * createCache({ store, tracer: new OpenTelemetryTracing() })
   * ```
   */
  tracer?: CacheTracer
  /**
   * Receives errors handled on the caller's behalf (store failures, background refreshes).
   * @defaultValue one warning log per error
   * @example
   * ```ts
   * createCache({ onError: (error) => logger.warn(error) })
   * ```
   */
  onError?: ErrorHandler
  /**
   * The time source of TTLs, refresh intervals, lock expiry and polling. Tests inject a
   * `ManualClock` from `@stratacache/core/testing`.
   * @defaultValue `systemClock`
   * @example
   * ```ts
   * createCache({ clock: new ManualClock() })
   * ```
   */
  clock?: Clock
  /**
   * The default `mode` of every cached call of the instance (its wrappers and `getOrSet`/`get`/`set`);
   * a `cache({ mode })` option or a `withCacheMode` scope overrides it.
   * @defaultValue 'normal'
   * @example
   * ```ts
   * createCache({ store, mode: process.env.CACHE_OFF ? 'bypass' : 'normal' })
   * ```
   */
  mode?: CacheMode
  /**
   * The name under which the key-value methods (`getOrSet`, `get`, `set`, …) record metrics.
   * @defaultValue the `prefix`, or `'cache'` without one
   * @example
   * ```ts
   * createCache({ store, prefix: 'app', name: 'app-kv', metrics })
   * ```
   */
  name?: string
}

/**
 * A set of `cache`, `bg`, `lock`, `once`, `pool` and `pooled` bound to the same defaults.
 *
 * @typeParam Sync - whether the instance's store is synchronous (then synchronous functions stay
 * synchronous when cached)
 */
export interface CacheInstance<Sync extends boolean = boolean> {
  /** `cache(options)` with the instance's store, prefix, ttl, metrics and error handler. */
  readonly cache: CacheFactory<Sync>
  /** `bg(options)`, `bg.write`, `bg.read`, `bg.shutdown` of the instance. */
  readonly bg: Bg
  /** `lock(key, options)` over the instance's store. */
  readonly lock: LockFunction
  /** `once(options)(fn)` over the instance's store. */
  readonly once: Once
  /** `pool(options)` over the instance's store. */
  readonly pool: PoolFunction
  /** `pooled(options)(fn)` over the instance's store. */
  readonly pooled: Pooled
  /**
   * The value under `key`, computed by `factory` on a miss and stored: the semantics of `cache()`
   * (stale-while-revalidate, stale-if-error, timeouts, single-flight: 50 concurrent calls on a cold
   * key make one factory call; a failing store is a miss, a failing write is dropped).
   * @example
   * ```ts
   * const user = await c.getOrSet('user:42', () => db.user(42), { ttl: '1m', stale: '5m', tags: ['users', 'org:7'] })
   * ```
   * @throws {@link CacheConfigError} (as a rejection) for invalid options, naming the option
   */
  getOrSet<T>(key: string, factory: () => T | PromiseLike<T>, options?: GetOrSetOptions<T>): Promise<T>
  /**
   * The cached value under `key` (fresh, or stale within `stale`), or `undefined`; never computes.
   * @example
   * ```ts
   * import { createCache } from '@stratacache/core'
   *
   * interface User { id: number; name: string }
   * const c = createCache({ prefix: 'app', ttl: '5m' })
   * const user = await c.get<User>('user:42') // User | undefined
   * ```
   */
  get<T = unknown>(key: string): Promise<T | undefined>
  /**
   * Stores `value` under `key` (and drops a computation of it in flight). A failing store is
   * reported to `onError`, never thrown. Nothing is written in `'read-only'` and `'bypass'` modes.
   * @example
   * ```ts
   * await c.set('user:42', user, { ttl: '1m', tags: ['users'] })
   * ```
   */
  set<T>(key: string, value: T, options?: SetOptions<T>): Promise<void>
  /**
   * The cached values under `keys`, in order, `undefined` for each miss (one store round trip).
   * @example
   * ```ts
   * import { createCache } from '@stratacache/core'
   *
   * interface User { id: number; name: string }
   * const c = createCache({ prefix: 'app', ttl: '5m' })
   * const [u1, u2] = await c.getMany<User>(['user:1', 'user:2'])
   * ```
   */
  getMany<T = unknown>(keys: readonly string[]): Promise<(T | undefined)[]>
  /**
   * Stores every `[key, value]` pair with the same options (one store round trip).
   * @example
   * ```ts
   * await c.setMany([['user:1', u1], ['user:2', u2]], { ttl: '1m' })
   * ```
   */
  setMany<T>(items: readonly (readonly [string, T])[], options?: SetOptions<T>): Promise<void>
  /**
   * Deletes `key` (and drops a computation in flight for it); `true` if it existed. Rejects when the store fails.
   * @example
   * ```ts
   * await c.delete('user:42')
   * ```
   */
  delete(key: string): Promise<boolean>
  /**
   * Whether a usable value is cached under `key`.
   * @example
   * ```ts
   * if (await c.has('user:42')) …
   * ```
   */
  has(key: string): Promise<boolean>
  /**
   * Every entry carrying one of `tags` — written by this instance's key-value methods or by its
   * `cache()` wrappers that use the instance's store (all of them when the instance was given a
   * `store`), in every process and on every tier — is a miss from now on; entries written
   * afterwards hit again. Recorded in the store itself (a chain's shared tier). Rejects when the
   * store fails.
   * @example
   * ```ts
   * await c.invalidateTags(['org:7'])
   * ```
   */
  invalidateTags(tags: readonly string[]): Promise<void>
  /**
   * Removes the instance's entries: every key under its prefix, or the whole store without a prefix.
   * @example
   * ```ts
   * await c.clear()
   * ```
   */
  clear(): Promise<void>
}

/** Whether an instance created with a `store` option of type `S` has a synchronous store. */
export type InstanceSync<S> = [S] extends [undefined]
  ? true
  : [S] extends [SyncCacheStore | (() => SyncCacheStore) | undefined]
    ? true
    : false

const INSTANCE_OPTIONS = ['store', 'prefix', 'ttl', 'metrics', 'tracer', 'onError', 'clock', 'mode', 'name']

function resolveDefaults(options: CreateCacheOptions): InstanceDefaults {
  if (typeof options !== 'object' || options === null) {
    throw new CacheConfigError('createCache() expects an options object')
  }
  for (const name of Object.keys(options)) {
    if (!INSTANCE_OPTIONS.includes(name)) {
      throw new CacheConfigError(
        `Unknown option "${name}" for createCache() (known: ${INSTANCE_OPTIONS.join(', ')})`,
        {
          option: name,
        },
      )
    }
  }
  const {
    store,
    prefix = '',
    ttl,
    metrics = NULL_METRICS,
    onError = defaultErrorHandler,
    clock = systemClock,
  } = options
  if (store !== undefined && typeof store !== 'function' && !isCacheStore(store)) {
    throw new CacheConfigError('Invalid "store": expected a CacheStore or a function returning one', {
      option: 'store',
    })
  }
  if (typeof prefix !== 'string') {
    throw new CacheConfigError(`Invalid "prefix": expected a string, got ${typeof prefix}`, {
      option: 'prefix',
    })
  }
  if (ttl !== undefined) durationToMs(ttl, 'ttl')
  if (typeof metrics?.recordHit !== 'function') {
    throw new CacheConfigError('Invalid "metrics": expected a MetricsCollector', { option: 'metrics' })
  }
  if (typeof onError !== 'function') {
    throw new CacheConfigError('Invalid "onError": expected a function', { option: 'onError' })
  }
  if (typeof clock?.now !== 'function' || typeof clock.setTimeout !== 'function') {
    throw new CacheConfigError('Invalid "clock": expected a Clock', { option: 'clock' })
  }
  let opened: CacheStore | undefined
  const instanceStore = (): CacheStore => {
    if (opened !== undefined) return opened
    const candidate =
      typeof store === 'function'
        ? store()
        : (store ?? new MemoryStore({ clock, maxEntries: Number.POSITIVE_INFINITY }))
    if (!isCacheStore(candidate)) {
      throw new CacheConfigError('Invalid "store": the store factory did not return a CacheStore', {
        option: 'store',
      })
    }
    opened = candidate
    return opened
  }
  return {
    store: instanceStore,
    hasExplicitStore: store !== undefined,
    prefix,
    ttl,
    metrics,
    tracer: checkTracer(options.tracer),
    onError,
    clock,
    mode: resolveMode(options.mode, 'normal'),
  }
}

function instanceName(options: CreateCacheOptions, prefix: string): string {
  if (options.name === undefined) return prefix === '' ? 'cache' : prefix
  if (typeof options.name !== 'string' || options.name === '') {
    throw new CacheConfigError('Invalid "name": expected a non-empty string', { option: 'name' })
  }
  return options.name
}

function buildInstance<Sync extends boolean>(
  options: CreateCacheOptions,
  shutdownScope: 'instance' | 'process',
): CacheInstance<Sync> {
  const defaults = resolveDefaults(options)
  const name = instanceName(options, defaults.prefix)
  const kv = new KeyValueCache(defaults, name)
  const { tracer } = defaults
  return {
    getOrSet:
      tracer === undefined
        ? (key, factory, callOptions) => kv.getOrSet(key, factory, callOptions) as Promise<never>
        : (key, factory, callOptions) =>
            tracer.traceLookup(name, 'getOrSet', () =>
              kv.getOrSet(
                key,
                typeof factory === 'function' ? tracer.traceLoad(name, factory) : factory,
                callOptions,
              ),
            ) as Promise<never>,
    get:
      tracer === undefined
        ? (key) => kv.get(key) as Promise<never>
        : (key) => tracer.traceLookup(name, 'get', () => kv.get(key)) as Promise<never>,
    set: (key, value, callOptions) => kv.set(key, value, callOptions),
    getMany: (keys) => kv.getMany(keys) as Promise<never[]>,
    setMany: (items, callOptions) => kv.setMany(items, callOptions),
    delete: (key) => kv.delete(key),
    has: (key) => kv.has(key),
    invalidateTags: (tags) => kv.invalidateTags(tags),
    clear: () => kv.clear(),
    cache: createCacheFactory<Sync>(defaults, () => functionStore(defaults.clock)),
    bg: createBg(defaults, { shutdownScope }),
    lock: createLock(defaults),
    once: createOnce(defaults),
    pool: createPool(defaults),
    pooled: createPooled(defaults),
  }
}

/**
 * Creates an instance: `cache`, `bg`, `lock`, `once`, `pool` and `pooled` sharing a store, a
 * key prefix, a default ttl, metrics and an error handler. Options are validated here.
 *
 * @throws {@link CacheConfigError} naming the option at fault
 * @example
 * ```ts
 * const { cache, lock } = createCache({ store: redisStore, prefix: 'billing', ttl: '5m' })
 * const getInvoice = cache({ key: 'invoice:{0}' })(async (id: string) => db.invoice(id))
 * ```
 */
export function createCache<S extends StoreOption | undefined = undefined>(
  options: CreateCacheOptions<S> = {},
): CacheInstance<InstanceSync<S>> {
  return buildInstance(options, 'instance')
}

const defaultInstance = buildInstance<true>({}, 'process')

/**
 * Caches a function or decorates a method (the default, in-memory instance: each function gets
 * its own `MemoryStore`). See {@link CacheFactory}.
 *
 * @example
 * ```ts
 * const getUser = cache({ ttl: 60, key: 'user:{0}' })(async (id: number) => db.user(id))
 * ```
 */
export const cache: CacheFactory<true> = defaultInstance.cache

/**
 * Background refresh on the default instance. See {@link Bg}.
 *
 * @example
 * ```ts
 * const flags = bg({ interval: 300, key: 'feature_flags' })(async () => remote.fetch())
 * ```
 */
export const bg: Bg = defaultInstance.bg

/**
 * Locks on the default instance (an in-memory store: one process).
 *
 * @example
 * ```ts
 * await using held = await lock('report:{0}', { wait: true }).acquire(2026)
 * ```
 */
export const lock: LockFunction = defaultInstance.lock

/**
 * Run-once guards on the default instance.
 *
 * @example
 * ```ts
 * const sync = once({ key: 'sync-order:{0}' })(syncOrder)
 * ```
 */
export const once: Once = defaultInstance.once

/**
 * Pools on the default instance.
 *
 * @example
 * ```ts
 * await using slot = await pool({ key: 'api', maxSize: 5 }).acquire()
 * ```
 */
export const pool: PoolFunction = defaultInstance.pool

/**
 * Pooled functions on the default instance.
 *
 * @example
 * ```ts
 * const call = pooled({ key: 'api:{0}', maxSize: 5 })(fetchThing)
 * ```
 */
export const pooled: Pooled = defaultInstance.pooled

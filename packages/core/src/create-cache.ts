import { type Bg, createBg } from './background/bg'
import { type CacheFactory, createCacheFactory } from './cached/cache'
import type { StoreOption } from './cached/cache-options'
import { type Clock, systemClock } from './clock'
import { createLock, type LockFunction } from './coordination/lock'
import { createOnce, type Once } from './coordination/once'
import { createPool, type PoolFunction } from './coordination/pool'
import { createPooled, type Pooled } from './coordination/pooled'
import { type Duration, durationToMs } from './duration'
import { CacheConfigError } from './errors'
import { defaultErrorHandler, type ErrorHandler, type InstanceDefaults } from './instance-defaults'
import { type MetricsCollector, NULL_METRICS } from './metrics/collector'
import { checkOptionNames } from './option-errors'
import { MemoryStore } from './store/memory-store'
import { type CacheStore, isCacheStore, type SyncCacheStore } from './store/store'

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
}

/** Whether an instance created with a `store` option of type `S` has a synchronous store. */
export type InstanceSync<S> = [S] extends [undefined]
  ? true
  : [S] extends [SyncCacheStore | (() => SyncCacheStore) | undefined]
    ? true
    : false

const INSTANCE_OPTIONS = ['store', 'prefix', 'ttl', 'metrics', 'onError', 'clock']

function resolveDefaults(options: CreateCacheOptions): InstanceDefaults {
  checkOptionNames('createCache()', options, INSTANCE_OPTIONS)
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
  return { store: instanceStore, hasExplicitStore: store !== undefined, prefix, ttl, metrics, onError, clock }
}

function buildInstance<Sync extends boolean>(
  options: CreateCacheOptions,
  shutdownScope: 'instance' | 'process',
): CacheInstance<Sync> {
  const defaults = resolveDefaults(options)
  return {
    cache: createCacheFactory<Sync>(
      defaults,
      () => new MemoryStore({ clock: defaults.clock, maxEntries: Number.POSITIVE_INFINITY }),
    ),
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

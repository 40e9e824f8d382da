import { optionalDurationToMs } from '../duration'
import { CacheConfigError } from '../errors'
import { type InstanceDefaults, safeReport } from '../instance-defaults'
import { checkOptionNames } from '../option-errors'
import { type CacheStore, isCacheStore } from '../store/store'
import type { CacheTracer } from '../tracing/cache-tracer'
import { checkTracer, tracedLoader, tracedMetrics } from '../tracing/use-tracer'
import { CacheEngine, isPromiseLike, type Job } from './cache-engine'
import type { CacheMode } from './cache-mode'
import type {
  CacheEvictOptions,
  CacheOptions,
  CachePutOptions,
  CacheStoreOptions,
  CacheWriteOptions,
  StoreOption,
  SyncMode,
} from './cache-options'
import { type AnyFunction, buildCachedFunction, type WrapperMode } from './cached-function'
import { type CacheDecorator, toDecorator, type WriteDecorator } from './decorate'
import { type CompiledKey, compileKey, type KeySpec } from './key-template'
import {
  configError,
  type LoadPolicy,
  type LoadPolicyOptions,
  resolveLoadPolicy,
  resolveMode,
} from './load-policy'
import { StoreGuard } from './store-guard'
import { tagIndexFor } from './tag-index'

/**
 * `cache(options)` and its write-side companions, bound to one instance's defaults. The top-level
 * `cache` export is the default instance's; `createCache(...)` makes others.
 *
 * @typeParam DefaultSync - whether the instance's default store is synchronous (in-memory)
 */
export interface CacheFactory<DefaultSync extends boolean = true> {
  /**
   * Caches a function or a method.
   *
   * @example
   * ```ts
   * const getUser = cache({ ttl: 60, key: 'user:{0}' })(async (id: number) => db.user(id))
   *
   * class Users {
   *   @cache({ ttl: '5m', key: 'user:{id}', stale: '1m' })
   *   async byId(id: string) { return db.user(id) }
   * }
   * ```
   * @throws {@link CacheConfigError} for invalid options (naming the option), and at decoration
   * for an anonymous function with neither `name` nor `key`
   * @throws {@link CacheKeyError} at decoration for a template placeholder that cannot be resolved
   */
  <O extends CacheOptions>(options: O): CacheDecorator<SyncMode<O, DefaultSync>, O>
  /**
   * A write-side decorator (cache-put): the function always runs, and its result is stored under
   * `key`, so readers cached with the same key and store see it.
   *
   * @example
   * ```ts
   * const saveUser = cache.put({ key: 'user:{0.id}', ttl: 60, store })(async (user: User) => db.save(user))
   * ```
   * @throws {@link CacheConfigError} without a `store` on an instance that has none (a per-function
   * store would be invisible to the readers)
   */
  put<O extends CachePutOptions>(options: O): WriteDecorator<SyncMode<O, DefaultSync>, O>
  /**
   * A write-side decorator (cache-evict): the function runs, then `key` (or every entry, with
   * `allEntries: true`) is deleted. Nothing is deleted when the function throws or rejects; a
   * failing delete is reported to `onError` and does not fail the call.
   *
   * @example
   * ```ts
   * class Users {
   *   @cache.evict({ key: 'user:{id}', store }) // the store its readers use
   *   async rename(id: string, name: string) { await db.rename(id, name) }
   * }
   * ```
   * @throws {@link CacheConfigError} without `key` or `allEntries`, or without a `store` on an
   * instance that has none
   */
  evict<O extends CacheEvictOptions>(options: O): WriteDecorator<SyncMode<O, DefaultSync>, O, true>
}

const STORE_OPTIONS = ['store', 'name', 'metrics', 'tracer', 'onError', 'operationTimeout'] as const
const WRITE_OPTIONS = [...STORE_OPTIONS, 'ttl', 'key', 'stale', 'staleIfError', 'tags', 'cacheIf'] as const
const CACHE_OPTIONS = [
  ...WRITE_OPTIONS,
  'singleFlight',
  'lockTimeout',
  'pollInterval',
  'softTimeout',
  'hardTimeout',
  'mode',
] as const
const EVICT_OPTIONS = [...STORE_OPTIONS, 'key', 'allEntries'] as const

function checkOptions(options: unknown, allowed: readonly string[], what: string): Record<string, unknown> {
  return checkOptionNames(`${what}()`, options, allowed)
}

function checkFunction(options: Record<string, unknown>, option: string): void {
  if (options[option] !== undefined && typeof options[option] !== 'function') {
    throw configError(option, `expected a function, got ${typeof options[option]}`)
  }
}

function checkKeySpec(value: unknown, option: string): void {
  if (typeof value !== 'string' && typeof value !== 'function') {
    throw configError(option, `expected a template string or a function, got ${typeof value}`)
  }
}

/** Options shared by all three forms, validated. */
interface StoreSettings {
  store: StoreOption | undefined
  name: string | undefined
  metrics: CacheStoreOptions['metrics'] & {}
  tracer: CacheTracer | undefined
  onError: CacheStoreOptions['onError'] & {}
  timeoutMs: number
}

function resolveStoreSettings(options: CacheStoreOptions, defaults: InstanceDefaults): StoreSettings {
  const record = options as Record<string, unknown>
  if (options.store !== undefined && typeof options.store !== 'function' && !isCacheStore(options.store)) {
    throw configError('store', 'expected a CacheStore or a function returning one')
  }
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw configError('name', `expected a string, got ${typeof options.name}`)
  }
  if (options.metrics !== undefined && typeof options.metrics?.recordHit !== 'function') {
    throw configError('metrics', 'expected a MetricsCollector')
  }
  checkFunction(record, 'onError')
  const tracer = checkTracer(options.tracer) ?? defaults.tracer
  const timeoutMs = optionalDurationToMs(
    options.operationTimeout,
    'operationTimeout',
    Number.POSITIVE_INFINITY,
  )
  if (timeoutMs === 0) throw configError('operationTimeout', 'must be greater than 0')
  return {
    store: options.store,
    name: options.name,
    metrics: tracedMetrics(options.metrics ?? defaults.metrics, tracer),
    tracer,
    onError: options.onError ?? defaults.onError,
    timeoutMs,
  }
}

/** Write options, validated. */
interface WriteSettings extends StoreSettings {
  key: KeySpec | undefined
  policy: LoadPolicy
  mode: CacheMode
}

function resolveWriteSettings(
  options: CacheWriteOptions & LoadPolicyOptions & { mode?: CacheMode },
  defaults: InstanceDefaults,
): WriteSettings {
  if (options.key !== undefined) checkKeySpec(options.key, 'key')
  return {
    ...resolveStoreSettings(options, defaults),
    key: options.key,
    policy: resolveLoadPolicy(options, options.ttl ?? defaults.ttl),
    mode: resolveMode(options.mode, defaults.mode ?? 'normal'),
  }
}

function isAsyncFunction(fn: Function): boolean {
  return Object.prototype.toString.call(fn) === '[object AsyncFunction]'
}

/**
 * Builds an instance's `cache` (with `cache.put` and `cache.evict`).
 *
 * @param defaults - the instance's defaults
 * @param functionStore - creates the store of a function that gets neither a `store` option nor
 * an instance store (a new `MemoryStore` per function)
 */
export function createCacheFactory<DefaultSync extends boolean>(
  defaults: InstanceDefaults,
  functionStore: () => CacheStore,
): CacheFactory<DefaultSync> {
  const keyPrefix = defaults.prefix === '' ? '' : `${defaults.prefix}:`

  function openGuard(
    settings: StoreSettings,
    cacheName: string,
    what: string,
    requireShared: boolean,
  ): StoreGuard {
    let store: CacheStore
    let ownStore = false
    if (settings.store !== undefined) {
      store = typeof settings.store === 'function' ? settings.store() : settings.store
      if (!isCacheStore(store)) throw configError('store', 'the store factory did not return a CacheStore')
    } else if (defaults.hasExplicitStore) {
      store = defaults.store()
    } else if (requireShared) {
      throw configError(
        'store',
        `${what}() needs the store its readers use: pass \`store\` (e.g. \`store: getUser.store\`) or create the instance with createCache({ store })`,
      )
    } else {
      store = functionStore()
      ownStore = true
    }
    return new StoreGuard({
      store,
      ownStore,
      prefix: defaults.prefix,
      cacheName: cacheName || 'anonymous',
      metrics: settings.metrics,
      onError: settings.onError,
      clock: defaults.clock,
      timeoutMs: settings.timeoutMs,
    })
  }

  function engineFor(fn: Function, settings: WriteSettings, what: string) {
    const name = settings.name ?? fn.name
    const key = compileKey(settings.key, fn, name, keyPrefix)
    const guard = openGuard(settings, name, what, what !== 'cache')
    const engine = new CacheEngine(guard, tagIndexFor(guard, keyPrefix), settings.mode)
    const loader = settings.tracer === undefined ? fn : tracedLoader(settings.tracer, name, fn as AnyFunction)
    // A policy of its own: the tag keys it remembers belong to this function's store.
    const job: Job = { fn: loader, policy: { ...settings.policy, tagKeys: undefined }, promiseFn: false }
    const syncFn = !isAsyncFunction(fn)
    const mode: WrapperMode =
      guard.sync === undefined
        ? guard.syncFirst === undefined
          ? 'async'
          : 'sync-first'
        : syncFn && settings.policy.cluster === undefined
          ? 'sync'
          : 'sync-store'
    return { engine, job, key, mode }
  }

  const cache = (options: CacheOptions) => {
    checkOptions(options, CACHE_OPTIONS, 'cache')
    const settings = resolveWriteSettings(options, defaults)
    return toDecorator((fn) => {
      const { engine, job, key, mode } = engineFor(fn, settings, 'cache')
      return buildCachedFunction(engine, job, key, mode, settings.policy.ttlMs === 0, settings.tracer)
    }, 'cache')
  }

  const put = (options: CachePutOptions) => {
    checkOptions(options, WRITE_OPTIONS, 'cache.put')
    const settings = resolveWriteSettings(options, defaults)
    return toDecorator((fn) => {
      const { engine, job, key, mode } = engineFor(fn, settings, 'cache.put')
      const { build, constant } = key
      const sync = mode === 'sync'
      return function cachePut(this: unknown, ...args: unknown[]): unknown {
        if (sync) return engine.recompute(constant ?? build(this, args), job, this, args, true)
        try {
          return engine.recompute(constant ?? build(this, args), job, this, args, false)
        } catch (error) {
          return Promise.reject(error)
        }
      }
    }, 'cache.put')
  }
  const evict = (options: CacheEvictOptions) => {
    checkOptions(options, EVICT_OPTIONS, 'cache.evict')
    const settings = resolveStoreSettings(options, defaults)
    const allEntries = options.allEntries ?? false
    if (typeof allEntries !== 'boolean') throw configError('allEntries', 'expected a boolean')
    const specs: readonly KeySpec[] =
      options.key === undefined ? [] : Array.isArray(options.key) ? options.key : [options.key as KeySpec]
    for (const spec of specs) checkKeySpec(spec, 'key')
    if (!allEntries && specs.length === 0) {
      throw new CacheConfigError('cache.evict() needs a `key` (or `allEntries: true`)', { option: 'key' })
    }
    return toDecorator((fn) => {
      const name = settings.name ?? fn.name
      const keys: CompiledKey[] = specs.map((spec) => compileKey(spec, fn, name, keyPrefix))
      const guard = openGuard(settings, name, 'cache.evict', true)
      const syncWrapper = guard.sync !== undefined && !isAsyncFunction(fn)
      const report = (error: unknown) => safeReport(guard.onError, error)
      // The function's work is done: a failed delete of a key is reported, never turned into a
      // failed call. A failed `allEntries` clear rejects the call (after the function ran): a
      // partial clear (a Cluster master unreachable) must not pass for a whole one.
      // Deletes start at once (over a synchronous store they are complete when this returns).
      const evictFor = (targets: string[]): Promise<void> => {
        try {
          if (allEntries) return guard.clear()
          return Promise.all(targets.map((key) => guard.deleteQuietly(key))).then(() => undefined)
        } catch (error) {
          report(error)
          return Promise.resolve()
        }
      }
      return function cacheEvict(this: unknown, ...args: unknown[]): unknown {
        let result: unknown
        let targets: string[]
        try {
          // Keys first: a key that cannot be built (CacheKeyError) fails the call before it runs.
          targets = keys.map((key) => key.constant ?? key.build(this, args))
          result = fn.apply(this, args)
        } catch (error) {
          if (syncWrapper) throw error
          return Promise.reject(error)
        }
        if (isPromiseLike(result)) {
          return Promise.resolve(result).then(async (value) => {
            await evictFor(targets)
            return value
          })
        }
        const evicted = evictFor(targets)
        if (!syncWrapper) return evicted.then(() => result)
        evicted.catch(report)
        return result
      }
    }, 'cache.evict')
  }

  return Object.assign(cache, { put, evict }) as unknown as CacheFactory<DefaultSync>
}

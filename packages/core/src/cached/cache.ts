import { type Duration, durationToMs, optionalDurationToMs } from '../duration'
import { CacheConfigError } from '../errors'
import { type InstanceDefaults, safeReport } from '../instance-defaults'
import { NULL_METRICS } from '../metrics/collector'
import { checkOptionNames } from '../option-errors'
import { type CacheStore, isCacheStore } from '../store/store'
import { CacheEngine, type ClusterSettings } from './cache-engine'
import type {
  CacheEvictOptions,
  CacheOptions,
  CachePutOptions,
  CacheStoreOptions,
  CacheWriteOptions,
  StoreOption,
  SyncMode,
} from './cache-options'
import { buildCachedFunction, type WrapperMode } from './cached-function'
import { type CacheDecorator, toDecorator, type WriteDecorator } from './decorate'
import { type CompiledKey, compileKey, type KeySpec } from './key-template'
import { StoreGuard } from './store-guard'

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
  <O extends CacheOptions>(options: O): CacheDecorator<SyncMode<O, DefaultSync>>
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
  put<O extends CachePutOptions>(options: O): WriteDecorator<SyncMode<O, DefaultSync>>
  /**
   * A write-side decorator (cache-evict): the function runs, then `key` (or every entry, with
   * `allEntries: true`) is deleted. Nothing is deleted when the function throws or rejects; a
   * failing delete is reported to `onError` and does not fail the call.
   *
   * @example
   * ```ts
   * class Users {
   *   @cache.evict({ key: 'user:{id}' })
   *   async rename(id: string, name: string) { await db.rename(id, name) }
   * }
   * ```
   * @throws {@link CacheConfigError} without `key` or `allEntries`, or without a `store` on an
   * instance that has none
   */
  evict<O extends CacheEvictOptions>(options: O): WriteDecorator<SyncMode<O, DefaultSync>>
}

const DEFAULT_LOCK_TIMEOUT_MS = 10_000
const DEFAULT_POLL_MS = 50

const STORE_OPTIONS = ['store', 'name', 'metrics', 'onError', 'operationTimeout'] as const
const WRITE_OPTIONS = [...STORE_OPTIONS, 'ttl', 'key', 'stale', 'tags', 'cacheIf'] as const
const CACHE_OPTIONS = [...WRITE_OPTIONS, 'singleFlight', 'lockTimeout', 'pollInterval'] as const
const EVICT_OPTIONS = [...STORE_OPTIONS, 'key', 'allEntries'] as const

function configError(option: string, message: string): CacheConfigError {
  return new CacheConfigError(`Invalid "${option}": ${message}`, { option })
}

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
  const timeoutMs = optionalDurationToMs(
    options.operationTimeout,
    'operationTimeout',
    Number.POSITIVE_INFINITY,
  )
  if (timeoutMs === 0) throw configError('operationTimeout', 'must be greater than 0')
  return {
    store: options.store,
    name: options.name,
    metrics: options.metrics ?? defaults.metrics,
    onError: options.onError ?? defaults.onError,
    timeoutMs,
  }
}

/** Write options, validated. */
interface WriteSettings extends StoreSettings {
  key: KeySpec | undefined
  ttlMs: number
  staleMs: number
  tags: CacheWriteOptions['tags']
  cacheIf: CacheWriteOptions['cacheIf']
}

function resolveWriteSettings(options: CacheWriteOptions, defaults: InstanceDefaults): WriteSettings {
  const record = options as Record<string, unknown>
  const ttl: Duration | undefined = options.ttl ?? defaults.ttl
  if (ttl === undefined) {
    throw new CacheConfigError(
      'Missing "ttl": give cache() a ttl, or give the instance (createCache) a default ttl',
      {
        option: 'ttl',
      },
    )
  }
  if (options.key !== undefined) checkKeySpec(options.key, 'key')
  if (options.tags !== undefined && typeof options.tags !== 'function') {
    if (!Array.isArray(options.tags) || !options.tags.every((tag) => typeof tag === 'string')) {
      throw configError('tags', 'expected an array of strings or a function returning one')
    }
  }
  checkFunction(record, 'cacheIf')
  return {
    ...resolveStoreSettings(options, defaults),
    key: options.key,
    ttlMs: durationToMs(ttl, 'ttl'),
    staleMs: optionalDurationToMs(options.stale, 'stale', 0),
    tags: options.tags,
    cacheIf: options.cacheIf,
  }
}

function resolveCluster(options: CacheOptions): ClusterSettings | undefined {
  const mode = options.singleFlight ?? 'process'
  if (mode !== 'process' && mode !== 'cluster') {
    throw configError('singleFlight', `expected 'process' or 'cluster', got ${JSON.stringify(mode)}`)
  }
  const lockTimeoutMs = optionalDurationToMs(options.lockTimeout, 'lockTimeout', DEFAULT_LOCK_TIMEOUT_MS)
  const pollMs = optionalDurationToMs(options.pollInterval, 'pollInterval', DEFAULT_POLL_MS)
  if (mode === 'process') return undefined
  if (lockTimeoutMs === 0 || !Number.isFinite(lockTimeoutMs)) {
    throw configError('lockTimeout', 'must be a finite duration greater than 0')
  }
  if (pollMs === 0) throw configError('pollInterval', 'must be greater than 0')
  return { lockTimeoutMs, pollMs }
}

function isAsyncFunction(fn: Function): boolean {
  return Object.prototype.toString.call(fn) === '[object AsyncFunction]'
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
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

  function engineFor(
    fn: Function,
    settings: WriteSettings,
    cluster: ClusterSettings | undefined,
    what: string,
  ) {
    const name = settings.name ?? fn.name
    const key = compileKey(settings.key, fn, name, keyPrefix)
    const guard = openGuard(settings, name, what, what !== 'cache')
    const engine = new CacheEngine(
      {
        fn,
        guard,
        key,
        ttlMs: settings.ttlMs,
        staleMs: settings.staleMs,
        tags: settings.tags,
        cacheIf: settings.cacheIf,
        cluster,
      },
      settings.metrics !== NULL_METRICS,
      false,
    )
    const syncFn = !isAsyncFunction(fn)
    const mode: WrapperMode =
      guard.sync === undefined
        ? guard.syncFirst === undefined
          ? 'async'
          : 'sync-first'
        : syncFn && cluster === undefined
          ? 'sync'
          : 'sync-store'
    return { engine, mode }
  }

  const cache = (options: CacheOptions) => {
    checkOptions(options, CACHE_OPTIONS, 'cache')
    const settings = resolveWriteSettings(options, defaults)
    const cluster = resolveCluster(options)
    return toDecorator((fn) => {
      const { engine, mode } = engineFor(fn, settings, cluster, 'cache')
      return buildCachedFunction(engine, mode, settings.ttlMs === 0)
    }, 'cache')
  }

  const put = (options: CachePutOptions) => {
    checkOptions(options, WRITE_OPTIONS, 'cache.put')
    const settings = resolveWriteSettings(options, defaults)
    return toDecorator((fn) => {
      const { engine, mode } = engineFor(fn, settings, undefined, 'cache.put')
      const { build, constant } = engine.key
      const sync = mode === 'sync'
      return function cachePut(this: unknown, ...args: unknown[]): unknown {
        if (sync) return engine.recompute(constant ?? build(this, args), this, args, true)
        try {
          return engine.recompute(constant ?? build(this, args), this, args, false)
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
      // The function's work is done: a failed eviction is reported, never turned into a failed call.
      // Deletes start at once (over a synchronous store they are complete when this returns).
      const evictFor = (thisArg: unknown, args: unknown[]): Promise<void> => {
        try {
          if (allEntries) return guard.clear().catch(report)
          const deletes = keys.map((key) => guard.deleteQuietly(key.constant ?? key.build(thisArg, args)))
          return Promise.all(deletes).then(() => undefined)
        } catch (error) {
          report(error)
          return Promise.resolve()
        }
      }
      return function cacheEvict(this: unknown, ...args: unknown[]): unknown {
        let result: unknown
        try {
          result = fn.apply(this, args)
        } catch (error) {
          if (syncWrapper) throw error
          return Promise.reject(error)
        }
        if (isPromiseLike(result)) {
          return Promise.resolve(result).then(async (value) => {
            await evictFor(this, args)
            return value
          })
        }
        const evicted = evictFor(this, args)
        return syncWrapper ? result : evicted.then(() => result)
      }
    }, 'cache.evict')
  }

  return Object.assign(cache, { put, evict }) as unknown as CacheFactory<DefaultSync>
}

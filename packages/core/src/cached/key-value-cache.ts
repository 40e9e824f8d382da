import type { Duration } from '../duration'
import { CacheConfigError, CacheKeyError } from '../errors'
import type { InstanceDefaults } from '../instance-defaults'
import { type CacheEntry, NOT_FRESH } from '../store/store'
import { tracedMetrics } from '../tracing/use-tracer'
import { CacheEngine, type Job } from './cache-engine'
import { scopeHook } from './cache-mode'
import { readFirstSync } from './cached-function'
import { readOnly } from './engine-reads'
import {
  checkTags,
  type LoadPolicy,
  type LoadPolicyOptions,
  resolveLoadPolicy,
  type ValueDuration,
} from './load-policy'
import { StoreGuard } from './store-guard'
import { tagIndexFor } from './tag-index'

/** Options of {@link KeyValueCache.set} and {@link KeyValueCache.setMany}: how the entry is stored. */
export interface SetOptions<T = unknown> {
  /**
   * How long the value stays fresh: a duration, or a function of the value. `0` stores nothing.
   * @defaultValue the instance's `ttl` (required when the instance has none)
   * @example
   * ```ts
   * await c.set('token', token, { ttl: (t) => t.expiresIn })
   * ```
   */
  ttl?: ValueDuration<T>
  /**
   * Stale-while-revalidate window after `ttl` (a duration, or a function of the value).
   * @defaultValue 0
   * @example
   * ```ts
   * await c.set('user:42', user, { ttl: '1m', stale: '5m' })
   * ```
   */
  stale?: ValueDuration<T>
  /**
   * After the stale window, how much longer the entry is kept, served only when recomputing it fails.
   * @defaultValue 0
   * @example
   * ```ts
   * await c.set('rates', rates, { ttl: '1m', staleIfError: '1h' })
   * ```
   */
  staleIfError?: Duration
  /**
   * Tags of the entry, for `invalidateTags`. A tagged entry lives at most a week (the life of the
   * invalidation records).
   * @defaultValue none
   * @example
   * ```ts
   * await c.set('user:42', user, { tags: ['users', 'org:7'] })
   * ```
   */
  tags?: readonly string[]
}

/** Options of {@link KeyValueCache.getOrSet}: {@link SetOptions} plus how the factory is waited for. */
export interface GetOrSetOptions<T = unknown> extends SetOptions<T> {
  /**
   * Decides whether a computed value is stored (it is returned either way).
   * @defaultValue every value is stored
   * @example
   * ```ts
   * await c.getOrSet('user:42', () => db.user(42), { cacheIf: (user) => user !== null })
   * ```
   */
  cacheIf?: (value: T) => boolean
  /**
   * With a stale-if-error value at hand, how long the caller waits for the factory before getting it.
   * @defaultValue none
   * @example
   * ```ts
   * await c.getOrSet('rates', fetchRates, { ttl: '1m', staleIfError: '1h', softTimeout: '200ms' })
   * ```
   */
  softTimeout?: Duration
  /**
   * How long the caller waits for the factory at all (then the stale-if-error value, or `CacheTimeoutError`).
   * @defaultValue none
   * @example
   * ```ts
   * await c.getOrSet('report', buildReport, { hardTimeout: '2s' })
   * ```
   */
  hardTimeout?: Duration
  /**
   * `'process'`: concurrent misses of a key in this process share one factory call; `'cluster'`:
   * one process of the fleet computes (see `cache({ singleFlight })`).
   * @defaultValue 'process'
   * @example
   * ```ts
   * await c.getOrSet('report', buildReport, { singleFlight: 'cluster' })
   * ```
   */
  singleFlight?: 'process' | 'cluster'
  /**
   * With `singleFlight: 'cluster'`: how long the others wait for the computing process.
   * @defaultValue 10 seconds
   * @example
   * ```ts
   * await c.getOrSet('report', buildReport, { singleFlight: 'cluster', lockTimeout: '5s' })
   * ```
   */
  lockTimeout?: Duration
  /**
   * With `singleFlight: 'cluster'`: how often the others look for its value.
   * @defaultValue 50 ms
   * @example
   * ```ts
   * await c.getOrSet('report', buildReport, { singleFlight: 'cluster', pollInterval: '20ms' })
   * ```
   */
  pollInterval?: Duration
}

const SET_OPTIONS = ['ttl', 'stale', 'staleIfError', 'tags']
const GET_OR_SET_OPTIONS = [
  ...SET_OPTIONS,
  'cacheIf',
  'softTimeout',
  'hardTimeout',
  'singleFlight',
  'lockTimeout',
  'pollInterval',
]
const NO_ARGS: unknown[] = []

function checkKey(key: unknown, what: string): string {
  if (typeof key !== 'string') throw new CacheKeyError(`${what}() expects a string key, got ${typeof key}`)
  return key
}

/**
 * An instance used as a key-value cache: the same engine as `cache()` (SWR, stale-if-error,
 * timeouts, single-flight, tags, fail-open reads and writes, metrics), called by key. Keys are put
 * under the instance prefix. Reached through the instance (`createCache(...).getOrSet`).
 */
export class KeyValueCache {
  readonly #defaults: InstanceDefaults
  readonly #name: string
  readonly #keyPrefix: string
  #engine: CacheEngine | undefined
  #defaultPolicy: LoadPolicy | undefined
  /** `getOrSet` policies per options object: a call site that reuses its options resolves them once (do not mutate them). */
  readonly #policies = new WeakMap<object, LoadPolicy>()
  /** How reads go, decided when the store is opened: synchronous, sync-first or async. */
  #syncRead: boolean | undefined

  /**
   * @param defaults - the instance's defaults (store, prefix, ttl, metrics, error handler, clock, mode)
   * @param name - the name recorded in metrics
   */
  constructor(defaults: InstanceDefaults, name: string) {
    this.#defaults = defaults
    this.#name = name
    this.#keyPrefix = defaults.prefix === '' ? '' : `${defaults.prefix}:`
  }

  /** The engine, opened (with the instance's store) on first use. */
  get engine(): CacheEngine {
    if (this.#engine !== undefined) return this.#engine
    const defaults = this.#defaults
    const guard = new StoreGuard({
      store: defaults.store(),
      ownStore: false,
      prefix: defaults.prefix,
      cacheName: this.#name,
      metrics: tracedMetrics(defaults.metrics, defaults.tracer),
      onError: defaults.onError,
      clock: defaults.clock,
      timeoutMs: Number.POSITIVE_INFINITY,
    })
    this.#syncRead = guard.sync !== undefined ? true : guard.syncFirst !== undefined ? false : undefined
    this.#engine = new CacheEngine(guard, tagIndexFor(guard, this.#keyPrefix), defaults.mode ?? 'normal')
    return this.#engine
  }

  #policy(options: LoadPolicyOptions | undefined, allowed: readonly string[], what: string): LoadPolicy {
    if (options === undefined) {
      this.#defaultPolicy ??= resolveLoadPolicy({}, this.#defaults.ttl)
      return this.#defaultPolicy
    }
    if (typeof options !== 'object' || options === null) {
      throw new CacheConfigError(
        `${what}() expects an options object, got ${options === null ? 'null' : typeof options}`,
      )
    }
    const cached = allowed === GET_OR_SET_OPTIONS ? this.#policies : undefined
    const known = cached?.get(options)
    if (known !== undefined) return known
    for (const name of Object.keys(options)) {
      if (!allowed.includes(name)) {
        throw new CacheConfigError(`Unknown option "${name}" for ${what}() (known: ${allowed.join(', ')})`, {
          option: name,
        })
      }
    }
    if (options.tags !== undefined) checkTags(options.tags)
    const policy = resolveLoadPolicy(options, options.ttl ?? this.#defaults.ttl)
    cached?.set(options, policy)
    return policy
  }

  /** See `CacheInstance.getOrSet`. */
  getOrSet(key: string, factory: () => unknown, options?: GetOrSetOptions<any>): Promise<unknown> {
    try {
      const fullKey = this.#keyPrefix + checkKey(key, 'getOrSet')
      if (typeof factory !== 'function') throw new CacheConfigError('getOrSet() expects a factory function')
      const policy = this.#policy(options as LoadPolicyOptions, GET_OR_SET_OPTIONS, 'getOrSet')
      const engine = this.engine
      const job: Job = { fn: factory, policy, promiseFn: true }
      const mode = scopeHook.active === 0 ? engine.mode : engine.currentMode()
      if (mode === 'bypass' || policy.ttlMs === 0)
        return Promise.resolve(engine.bypass(job, undefined, NO_ARGS))
      if (mode === 'write-only')
        return engine.recompute(fullKey, job, undefined, NO_ARGS, false) as Promise<unknown>
      if (mode === 'read-only') return readOnly(engine, fullKey, policy.tags)
      if (this.#syncRead === undefined || policy.cluster !== undefined)
        return engine.lookup(fullKey, job, undefined, NO_ARGS)
      if (this.#syncRead && engine.guard.fresh !== undefined) {
        // The common hit handed as a bare value by the store, as for cache() wrappers; with tags
        // in the call, the store checks the entry's tags against their records as it reads.
        const value =
          policy.tags === undefined
            ? engine.guard.getFreshSync(fullKey)
            : engine.freshTaggedSync(fullKey, policy)
        if (value !== NOT_FRESH) {
          engine.recordHit(fullKey)
          return Promise.resolve(value)
        }
      }
      return readFirstSync(engine, this.#syncRead, fullKey, job, undefined, NO_ARGS)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** See `CacheInstance.get`. */
  async get(key: string): Promise<unknown> {
    const fullKey = this.#keyPrefix + checkKey(key, 'get')
    const engine = this.engine
    const mode = engine.currentMode()
    if (mode === 'bypass' || mode === 'write-only') return undefined
    return this.#serve(await engine.read(fullKey), fullKey)
  }

  #serve(entry: CacheEntry | undefined, fullKey: string): unknown {
    const engine = this.engine
    const use = entry === undefined ? 'error-only' : engine.use(entry)
    if (use === 'error-only') {
      engine.recordMiss(fullKey)
      return undefined
    }
    engine.recordHit(fullKey)
    if (use === 'stale') engine.recordStale(fullKey)
    return (entry as CacheEntry).value
  }

  /** See `CacheInstance.getMany`. */
  async getMany(keys: readonly string[]): Promise<unknown[]> {
    if (!Array.isArray(keys)) throw new CacheKeyError('getMany() expects an array of keys')
    const fullKeys = keys.map((key) => this.#keyPrefix + checkKey(key, 'getMany'))
    const engine = this.engine
    const mode = engine.currentMode()
    if (mode === 'bypass' || mode === 'write-only') return fullKeys.map(() => undefined)
    const entries = (await engine.guard.getMany(fullKeys)) ?? []
    const checked = await engine.tags.validMany(entries)
    return checked.map((entry, index) => this.#serve(entry, fullKeys[index] as string))
  }

  #entry(value: unknown, policy: LoadPolicy): CacheEntry | undefined {
    const engine = this.engine
    return engine.writer.entryFor(value, policy, undefined, NO_ARGS, engine.writer.stamp(policy))
  }

  #writes(): boolean {
    const mode = this.engine.currentMode()
    return mode === 'normal' || mode === 'write-only'
  }

  /** See `CacheInstance.set`. */
  async set(key: string, value: unknown, options?: SetOptions<any>): Promise<void> {
    const fullKey = this.#keyPrefix + checkKey(key, 'set')
    const policy = this.#policy(options as LoadPolicyOptions, SET_OPTIONS, 'set')
    if (!this.#writes()) return
    const engine = this.engine
    engine.forget(fullKey)
    const entry = this.#entry(value, policy)
    // Not to be stored (a ttl of 0): no older value may outlive this write either.
    if (entry === undefined) await engine.guard.deleteQuietly(fullKey)
    else await engine.guard.set(fullKey, entry)
  }

  /** See `CacheInstance.setMany`. */
  async setMany(items: readonly (readonly [string, unknown])[], options?: SetOptions<any>): Promise<void> {
    if (!Array.isArray(items)) throw new CacheKeyError('setMany() expects an array of [key, value] pairs')
    const policy = this.#policy(options as LoadPolicyOptions, SET_OPTIONS, 'setMany')
    const writes: [string, CacheEntry][] = []
    for (const [key, value] of items) {
      const fullKey = this.#keyPrefix + checkKey(key, 'setMany')
      const entry = this.#writes() ? this.#entry(value, policy) : undefined
      this.engine.forget(fullKey)
      if (entry !== undefined) writes.push([fullKey, entry])
    }
    if (writes.length > 0) await this.engine.guard.setMany(writes)
  }

  /** See `CacheInstance.delete`. */
  async delete(key: string): Promise<boolean> {
    const fullKey = this.#keyPrefix + checkKey(key, 'delete')
    this.engine.forget(fullKey)
    return this.engine.guard.delete(fullKey)
  }

  /** See `CacheInstance.has`. */
  async has(key: string): Promise<boolean> {
    const entry = await this.engine.read(this.#keyPrefix + checkKey(key, 'has'))
    return entry !== undefined && this.engine.use(entry) !== 'error-only'
  }

  /** See `CacheInstance.invalidateTags`. */
  async invalidateTags(tags: readonly string[]): Promise<void> {
    await this.engine.tags.invalidate(checkTags(tags))
  }

  /** See `CacheInstance.clear`. */
  async clear(): Promise<void> {
    this.engine.forget()
    await this.engine.guard.clear()
  }
}

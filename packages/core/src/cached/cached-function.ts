import { type CacheEntry, type CacheStore, NOT_FRESH } from '../store/store'
import type { CacheTracer } from '../tracing/cache-tracer'
import type { CacheEngine, Job } from './cache-engine'
import { scopeHook } from './cache-mode'
import { peek, peekSync, readOnly, readOnlySync } from './engine-reads'
import type { CompiledKey } from './key-template'
import { checkTags } from './load-policy'

/** Any function `cache()` can wrap. */
export type AnyFunction = (...args: any[]) => any

/**
 * What a cached call returns: the function's own return type when it stays synchronous, else a
 * Promise. Whether it stays synchronous is decided at runtime from the store's methods and typed
 * from the store's declared type: declare synchronous stores as `MemoryStore` or
 * `SyncCacheStore`, not `CacheStore`, so that both agree.
 */
export type CachedReturn<R, Sync extends boolean> = Sync extends true ? R : Promise<Awaited<R>>

/** What `peek` returns: the cached value or `undefined`, synchronously when the wrapper is synchronous. */
export type PeekReturn<R, Sync extends boolean> = Sync extends true
  ? R extends PromiseLike<infer V>
    ? Promise<V | undefined>
    : R | undefined
  : Promise<Awaited<R> | undefined>

/** The controls attached to a cached function. */
export interface CachedFunctionControls<A extends unknown[], R, Sync extends boolean> {
  /**
   * Deletes the entry for these arguments (and drops a computation in flight for it, so its
   * result is not stored). Resolves whether an entry existed; rejects when the store fails.
   * @example
   * ```ts
   * await getUser.invalidate(42)
   * ```
   */
  invalidate(...args: A): Promise<boolean>
  /**
   * Invalidates every entry carrying one of `tags`, in the store shared by every process (see
   * `createCache(...).invalidateTags`). Rejects when the store fails.
   * @example
   * ```ts
   * await getUser.invalidateTags(['org:7'])
   * ```
   */
  invalidateTags(tags: readonly string[]): Promise<void>
  /**
   * Removes this cache's entries: the whole store when it is the function's own (the default),
   * else every key under the instance prefix, or the whole store for an instance without prefix.
   * Rejects when the store fails.
   * @example
   * ```ts
   * await getUser.clear()
   * ```
   */
  clear(): Promise<void>
  /**
   * The store key for these arguments, instance prefix included.
   * @example
   * ```ts
   * getUser.key(42) // 'user:42'
   * ```
   */
  key(...args: A): string
  /**
   * The cached value for these arguments (fresh or stale), or `undefined`; never calls the function.
   * @example
   * ```ts
   * const cached = await getUser.peek(42)
   * ```
   */
  peek(...args: A): PeekReturn<R, Sync>
  /**
   * Always calls the function and stores its result (a cache-put), superseding any computation in flight.
   * @example
   * ```ts
   * await getUser.refresh(42)
   * ```
   */
  refresh(...args: A): CachedReturn<R, Sync>
  /** The store in use. */
  readonly store: CacheStore
}

/**
 * A function wrapped by `cache()` over a store with synchronous methods (a `MemoryStore`): the
 * same parameters, `this` and return type as `F` — a synchronous function stays synchronous —
 * plus {@link CachedFunctionControls}.
 *
 * @example
 * ```ts
 * const square: CachedFunction<(x: number) => number> = cache({ ttl: 60, key: 'sq:{0}' })((x: number) => x * x)
 * ```
 */
export type CachedFunction<F extends AnyFunction> = ((
  this: ThisParameterType<F>,
  ...args: Parameters<F>
) => ReturnType<F>) &
  CachedFunctionControls<Parameters<F>, ReturnType<F>, true>

/**
 * A function wrapped by `cache()` over an asynchronous store (Redis, a chain, `singleFlight:
 * 'cluster'`): the same parameters and `this` as `F`, and a Promise of its result, plus
 * {@link CachedFunctionControls}.
 *
 * @example
 * ```ts
 * const square: AsyncCachedFunction<(x: number) => number> = cache({ ttl: 60, key: 'sq:{0}', singleFlight: 'cluster' })(
 *   (x: number) => x * x,
 * )
 * ```
 */
export type AsyncCachedFunction<F extends AnyFunction> = ((
  this: ThisParameterType<F>,
  ...args: Parameters<F>
) => Promise<Awaited<ReturnType<F>>>) &
  CachedFunctionControls<Parameters<F>, ReturnType<F>, false>

/**
 * How the wrapper runs, chosen once at decoration:
 * - `sync`: a function not declared `async` over a store with synchronous methods; stays synchronous;
 * - `sync-store`: async wrapper, but hits are read with the store's synchronous `getSync`;
 * - `sync-first`: async wrapper over a store that can answer some reads at once (`tryGetSync`, e.g. a
 *   `ChainStore` with a memory first tier); on `undefined` it awaits the store's `get`;
 * - `async`: every store call is awaited (and bounded by `operationTimeout`).
 */
export type WrapperMode = 'sync' | 'sync-store' | 'sync-first' | 'async'

/**
 * The async lookup of a store that answers reads synchronously: the whole answer from a
 * synchronous store (`syncStore`), or a possible early answer from a sync-first store (a miss
 * there still asks the store's async get). A fresh hit costs no store promise.
 */
export function readFirstSync(
  engine: CacheEngine,
  syncStore: boolean,
  key: string,
  job: Job,
  thisArg: unknown,
  args: unknown[],
): Promise<unknown> {
  const { guard } = engine
  const entry = syncStore ? guard.getSync(key) : guard.tryGetSync(key)
  // The common hit first: an untagged fresh entry.
  if (entry !== undefined && entry.tags === undefined && engine.isFresh(entry)) {
    engine.recordHit(key)
    return Promise.resolve(entry.value)
  }
  if (entry === undefined) {
    return syncStore
      ? engine.miss(key, job, thisArg, args, undefined)
      : engine.lookup(key, job, thisArg, args)
  }
  const usable = engine.checkSync(entry, job.policy)
  if (usable === undefined) return engine.lookup(key, job, thisArg, args)
  if (usable && engine.isFresh(entry)) {
    engine.recordHit(key)
    return Promise.resolve(entry.value)
  }
  return engine.settle(usable ? entry : undefined, key, job, thisArg, args)
}

/** The synchronous wrapper's answer for what `getSync` returned, past the common fresh hit. */
function serveSync(
  engine: CacheEngine,
  job: Job,
  key: string,
  entry: CacheEntry | undefined,
  thisArg: unknown,
  args: unknown[],
): unknown {
  if (entry === undefined || engine.checkSync(entry, job.policy) !== true) {
    return engine.missSync(key, job, thisArg, args, undefined)
  }
  if (engine.use(entry) === 'error-only') return engine.missSync(key, job, thisArg, args, entry)
  const value = engine.serve(entry, key, job, thisArg, args)
  return job.promiseFn ? Promise.resolve(value) : value
}

/** The caching path of one wrapper, chosen at decoration (see {@link WrapperMode}). */
function callCached(
  engine: CacheEngine,
  job: Job,
  key: CompiledKey,
  mode: WrapperMode,
): (thisArg: unknown, args: unknown[]) => unknown {
  const { build, constant } = key
  const { guard } = engine
  // A cache with tags writes tagged entries, which the store never hands as bare values…
  const fresh = job.policy.tags === undefined ? guard.fresh : undefined
  // …unless it checks them against their records as it reads (a list of tags, a sync tag store).
  if (fresh === undefined && guard.fresh !== undefined && Array.isArray(job.policy.tags)) {
    const { policy } = job
    if (mode === 'sync') {
      return (thisArg, args) => {
        const key = constant ?? build(thisArg, args)
        const value = engine.freshTaggedSync(key, policy)
        if (value !== NOT_FRESH) {
          engine.recordHit(key)
          return job.promiseFn ? Promise.resolve(value) : value
        }
        return serveSync(engine, job, key, guard.getSync(key), thisArg, args)
      }
    }
    if (mode === 'sync-store') {
      return (thisArg, args) => {
        let key: string
        try {
          key = constant ?? build(thisArg, args)
        } catch (error) {
          return Promise.reject(error)
        }
        const value = engine.freshTaggedSync(key, policy)
        if (value !== NOT_FRESH) {
          engine.recordHit(key)
          return Promise.resolve(value)
        }
        return readFirstSync(engine, true, key, job, thisArg, args)
      }
    }
  }
  if (mode === 'sync' && fresh !== undefined) {
    // The common hit handed as a bare value by the store (no entry object built).
    return (thisArg, args) => {
      const key = constant ?? build(thisArg, args)
      const value = guard.getFreshSync(key)
      if (value !== NOT_FRESH) {
        engine.recordHit(key)
        return job.promiseFn ? Promise.resolve(value) : value
      }
      return serveSync(engine, job, key, guard.getSync(key), thisArg, args)
    }
  }
  if (mode === 'sync') {
    return (thisArg, args) => {
      const key = constant ?? build(thisArg, args)
      const entry = guard.getSync(key)
      // The common hit first: an untagged entry without a stale window (no clock read).
      if (entry !== undefined && entry.tags === undefined && entry.freshUntil === entry.staleUntil) {
        engine.recordHit(key)
        return job.promiseFn ? Promise.resolve(entry.value) : entry.value
      }
      return serveSync(engine, job, key, entry, thisArg, args)
    }
  }
  if (mode === 'sync-store' && fresh !== undefined) {
    return (thisArg, args) => {
      let key: string
      try {
        key = constant ?? build(thisArg, args)
      } catch (error) {
        return Promise.reject(error)
      }
      const value = guard.getFreshSync(key)
      if (value !== NOT_FRESH) {
        engine.recordHit(key)
        return Promise.resolve(value)
      }
      return readFirstSync(engine, true, key, job, thisArg, args)
    }
  }
  if (mode === 'sync-store' || mode === 'sync-first') {
    const syncStore = mode === 'sync-store'
    return (thisArg, args) => {
      let key: string
      try {
        key = constant ?? build(thisArg, args)
      } catch (error) {
        return Promise.reject(error)
      }
      return readFirstSync(engine, syncStore, key, job, thisArg, args)
    }
  }
  return (thisArg, args) => {
    let key: string
    try {
      key = constant ?? build(thisArg, args)
    } catch (error) {
      return Promise.reject(error)
    }
    return engine.lookup(key, job, thisArg, args)
  }
}

/** One way of answering a call of the wrapper. */
type Call = (thisArg: unknown, args: unknown[]) => unknown

/** Calls the function directly (`ttl: 0`, or `'bypass'` mode). */
function callThrough(
  engine: CacheEngine,
  job: Job,
  sync: boolean,
): (thisArg: unknown, args: unknown[]) => unknown {
  if (sync) return (thisArg, args) => engine.bypass(job, thisArg, args)
  return (thisArg, args) => {
    try {
      return Promise.resolve(engine.bypass(job, thisArg, args))
    } catch (error) {
      return Promise.reject(error)
    }
  }
}

/** Runs `run` and turns a synchronous throw into a rejection. */
function rejecting<T>(run: () => Promise<T>): Promise<T> {
  try {
    return run()
  } catch (error) {
    return Promise.reject(error)
  }
}

/** Dispatches a call made while a `withCacheMode` scope may be active, or for a cache whose `mode` is not `'normal'`. */
function callModal(
  engine: CacheEngine,
  job: Job,
  key: CompiledKey,
  sync: boolean,
  normal: (thisArg: unknown, args: unknown[]) => unknown,
  through: (thisArg: unknown, args: unknown[]) => unknown,
): (thisArg: unknown, args: unknown[]) => unknown {
  return (thisArg, args) => {
    const mode = engine.currentMode()
    if (mode === 'normal') return normal(thisArg, args)
    if (mode === 'bypass') return through(thisArg, args)
    if (sync) {
      const entryKey = key.constant ?? key.build(thisArg, args)
      return mode === 'write-only'
        ? engine.recompute(entryKey, job, thisArg, args, true)
        : readOnlySync(engine, entryKey)
    }
    return rejecting(async () => {
      const entryKey = key.constant ?? key.build(thisArg, args)
      return mode === 'write-only'
        ? engine.recompute(entryKey, job, thisArg, args, false)
        : readOnly(engine, entryKey, job.policy.tags)
    })
  }
}

/**
 * Builds the public cached function over `engine`.
 *
 * @param job - the function and its load policy
 * @param key - the compiled key spec
 * @param mode - how the wrapper runs (decided at decoration)
 * @param bypass - `ttl: 0`: calls go straight to the function (the controls still work)
 * @param tracer - when set, each call runs inside `tracer.traceLookup`
 */
export function buildCachedFunction(
  engine: CacheEngine,
  job: Job,
  key: CompiledKey,
  mode: WrapperMode,
  bypass: boolean,
  tracer: CacheTracer | undefined,
): Function {
  const through = callThrough(engine, job, mode === 'sync')
  const untraced = bypass ? through : callCached(engine, job, key, mode)
  const traced = (call: Call): Call =>
    tracer === undefined
      ? call
      : (thisArg, args) => tracer.traceLookup(engine.name, 'call', () => call(thisArg, args))
  const run = traced(untraced)
  const modal = traced(callModal(engine, job, key, mode === 'sync', untraced, through))
  // While no scope is active and the cache's mode is 'normal', a call costs one check more.
  const wrapper =
    engine.mode === 'normal'
      ? function cached(this: unknown, ...args: unknown[]): unknown {
          return scopeHook.active === 0 ? run(this, args) : modal(this, args)
        }
      : function cached(this: unknown, ...args: unknown[]): unknown {
          return modal(this, args)
        }
  const { guard } = engine
  // The controls use `this` only when it is not the wrapper itself: `getUser.key.call(instance, 1)`.
  const self = (thisArg: unknown) => (thisArg === wrapper ? undefined : thisArg)
  const keyOf = (thisArg: unknown, args: unknown[]) => key.constant ?? key.build(self(thisArg), args)
  const controls = {
    key(this: unknown, ...args: unknown[]): string {
      return keyOf(this, args)
    },
    invalidate(this: unknown, ...args: unknown[]): Promise<boolean> {
      return rejecting(() => {
        const entryKey = keyOf(this, args)
        engine.forget(entryKey)
        return guard.delete(entryKey)
      })
    },
    invalidateTags(tags: readonly string[]): Promise<void> {
      return rejecting(() => engine.tags.invalidate(checkTags(tags)))
    },
    clear(): Promise<void> {
      engine.forget()
      return guard.clear()
    },
    peek(this: unknown, ...args: unknown[]): unknown {
      if (mode === 'sync') {
        const value = peekSync(engine, keyOf(this, args))
        return job.promiseFn ? Promise.resolve(value) : value
      }
      return rejecting(async () => peek(engine, keyOf(this, args)))
    },
    refresh(this: unknown, ...args: unknown[]): unknown {
      if (mode === 'sync') return engine.recompute(keyOf(this, args), job, self(this), args, true)
      return rejecting(async () => engine.recompute(keyOf(this, args), job, self(this), args, false))
    },
  }
  Object.defineProperties(wrapper, {
    name: { value: job.fn.name, configurable: true },
    length: { value: job.fn.length, configurable: true },
    store: { value: guard.store, enumerable: true },
  })
  return Object.assign(wrapper, controls)
}

import type { CacheStore } from '../store/store'
import type { CacheEngine } from './cache-engine'

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

function callCached(engine: CacheEngine, mode: WrapperMode): (this: unknown, ...args: unknown[]) => unknown {
  const { build, constant } = engine.key
  const { guard } = engine
  if (mode === 'sync') {
    return function cached(this: unknown, ...args: unknown[]): unknown {
      const key = constant ?? build(this, args)
      const entry = guard.getSync(key)
      if (entry !== undefined) {
        const value = engine.serve(entry, key, this, args)
        return engine.promiseFn ? Promise.resolve(value) : value
      }
      return engine.missSync(key, this, args)
    }
  }
  if (mode === 'sync-store' || mode === 'sync-first') {
    // A synchronous read first: the whole answer from a synchronous store, or a possible early
    // answer from a sync-first store (a miss there still asks the store's async get).
    const syncStore = mode === 'sync-store'
    return function cached(this: unknown, ...args: unknown[]): Promise<unknown> {
      let key: string
      try {
        key = constant ?? build(this, args)
      } catch (error) {
        return Promise.reject(error)
      }
      const entry = syncStore ? guard.getSync(key) : guard.tryGetSync(key)
      if (entry !== undefined && engine.isFresh(entry)) {
        if (engine.metricsOn) guard.metrics.recordHit(engine.name, key)
        return Promise.resolve(entry.value)
      }
      if (entry === undefined && !syncStore) return engine.lookup(key, this, args)
      return engine.settle(entry, key, this, args)
    }
  }
  return function cached(this: unknown, ...args: unknown[]): Promise<unknown> {
    let key: string
    try {
      key = constant ?? build(this, args)
    } catch (error) {
      return Promise.reject(error)
    }
    return engine.lookup(key, this, args)
  }
}

function callThrough(fn: Function, mode: WrapperMode): (this: unknown, ...args: unknown[]) => unknown {
  if (mode === 'sync') {
    return function bypassed(this: unknown, ...args: unknown[]): unknown {
      return fn.apply(this, args)
    }
  }
  return function bypassed(this: unknown, ...args: unknown[]): Promise<unknown> {
    try {
      return Promise.resolve(fn.apply(this, args))
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

/**
 * Builds the public cached function over `engine`.
 *
 * @param bypass - `ttl: 0`: calls go straight to the function (the controls still work)
 */
export function buildCachedFunction(engine: CacheEngine, mode: WrapperMode, bypass: boolean): Function {
  const wrapper = bypass ? callThrough(engine.fn, mode) : callCached(engine, mode)
  const { guard, key } = engine
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
    clear(): Promise<void> {
      engine.forget()
      return guard.clear()
    },
    peek(this: unknown, ...args: unknown[]): unknown {
      if (mode === 'sync') {
        const value = guard.getSync(keyOf(this, args))?.value
        return engine.promiseFn ? Promise.resolve(value) : value
      }
      return rejecting(async () => (await guard.get(keyOf(this, args)))?.value)
    },
    refresh(this: unknown, ...args: unknown[]): unknown {
      if (mode === 'sync') return engine.recompute(keyOf(this, args), self(this), args, true)
      return rejecting(async () => engine.recompute(keyOf(this, args), self(this), args, false))
    },
  }
  Object.defineProperties(wrapper, {
    name: { value: engine.fn.name, configurable: true },
    length: { value: engine.fn.length, configurable: true },
    store: { value: guard.store, enumerable: true },
  })
  return Object.assign(wrapper, controls)
}

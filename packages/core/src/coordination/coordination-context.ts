import type { Clock } from '../clock'
import { CacheConfigError } from '../errors'
import { type ErrorHandler, type InstanceDefaults, prefixKey } from '../instance-defaults'
import type { CacheStore } from '../store/store'
import { type CoordinationStore, isCoordinationStore } from './coordination-store'
import { fallbackCoordination } from './fallback-coordination'

/** Options shared by `lock`, `once`, `pool` and `pooled`. */
export interface CoordinationOptions {
  /**
   * The store holding the locks or slots: a {@link CacheStore}, or a factory called once on first
   * use. A store implementing {@link CoordinationStore} (e.g. `RedisStore`) is used natively and
   * is atomic across processes; any other store goes through `setIfAbsent`.
   * @default the instance's store (in-memory for the top-level functions)
   * @example
   * ```ts
   * lock('job', { store: new RedisStore({ url: 'redis://127.0.0.1:6379' }) })
   * ```
   */
  store?: CacheStore | (() => CacheStore)
  /**
   * Receives errors handled on the caller's behalf: a release that found the lock or slot no longer
   * held by this holder (it expired), and store failures during release.
   * @default the instance's `onError` (one warning log)
   * @example
   * ```ts
   * lock('job', { onError: (error) => logger.warn(error) })
   * ```
   */
  onError?: ErrorHandler
}

/** What a lock or pool needs at run time, resolved from its options and the instance. */
export interface CoordinationContext {
  readonly clock: Clock
  readonly onError: ErrorHandler
  /** The store, resolved on first use (it also scopes in-process wake-ups). */
  store(): CacheStore
  /** The store's primitives: native, or built on `setIfAbsent`. */
  primitives(): CoordinationStore
  /** The store key of a rendered key: `prefix:<kind>:<key>`. */
  storeKey(key: string): string
}

function isStoreLike(value: unknown): value is CacheStore {
  return (
    typeof value === 'object' && value !== null && typeof (value as CacheStore).setIfAbsent === 'function'
  )
}

/**
 * Validates the shared options once and returns the run-time context of one lock or pool.
 * `kind` keeps lock and pool keys apart from each other and from cache entries.
 *
 * @throws {@link CacheConfigError} naming `store` when it is neither a store nor a factory
 * @example
 * ```ts
 * const context = createCoordinationContext(defaults, options, 'lock')
 * ```
 */
export function createCoordinationContext(
  defaults: InstanceDefaults,
  options: CoordinationOptions,
  kind: 'lock' | 'pool',
): CoordinationContext {
  const { store: storeOption } = options
  if (storeOption !== undefined && typeof storeOption !== 'function' && !isStoreLike(storeOption)) {
    throw new CacheConfigError('Invalid "store": expected a CacheStore or a function returning one', {
      option: 'store',
    })
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new CacheConfigError('Invalid "onError": expected a function', { option: 'onError' })
  }
  let resolved: { store: CacheStore; primitives: CoordinationStore } | undefined
  const resolve = () => {
    if (resolved) return resolved
    const store =
      storeOption === undefined
        ? defaults.store()
        : typeof storeOption === 'function'
          ? storeOption()
          : storeOption
    if (!isStoreLike(store)) {
      throw new CacheConfigError('Invalid "store": the factory did not return a CacheStore', {
        option: 'store',
      })
    }
    const primitives = isCoordinationStore(store) ? store : fallbackCoordination(store, defaults.clock)
    resolved = { store, primitives }
    return resolved
  }
  return {
    clock: defaults.clock,
    onError: options.onError ?? defaults.onError,
    store: () => resolve().store,
    primitives: () => resolve().primitives,
    storeKey: (key) => prefixKey(defaults.prefix, `${kind}:${key}`),
  }
}

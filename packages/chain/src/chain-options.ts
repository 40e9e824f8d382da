import {
  CacheConfigError,
  type CacheStore,
  type Clock,
  type Duration,
  durationToMs,
  type ErrorHandler,
  type InvalidationBus,
  isSyncStore,
  missingMethod,
  optionNames,
  type SyncCacheStore,
} from '@stratacache/core'

/** One tier of a {@link ChainStore}. */
export interface ChainTier {
  /**
   * The store of this tier. Tiers are listed fastest first; the last one is the authoritative,
   * usually shared, tier (Redis, S3, a shared directory). The upper tiers should be this
   * process's own (a `MemoryStore`, a local `FileStore`).
   * @example `{ store: new MemoryStore({ maxEntries: 10_000 }) }`
   */
  store: CacheStore
  /**
   * The longest a copy may live in this tier: an entry written or promoted here has its
   * `freshUntil` and `staleUntil` cut to `now + ttl`. It only ever shortens an entry, never
   * extends it. Seconds, or a string such as `'30s'`; must be greater than zero.
   * @defaultValue `Infinity` (copies live as long as the entry)
   * @example `{ store: l1, ttl: '1m' }`
   */
  ttl?: Duration
}

/** Options of {@link ChainStore}. */
export interface ChainStoreOptions {
  /**
   * An invalidation bus shared with the other processes (or other chains) that use the same last
   * tier. After each write or delete the chain publishes `{ kind, keys, namespace, origin }`; on a
   * message from another origin it drops its upper-tier copies of those keys (a `clear`, a
   * pattern delete and a bus reconnect drop every upper-tier copy).
   *
   * A bus given as an instance is the caller's: `close()` leaves it open unless `closeBus: true`.
   * A bus given as a factory is built by the chain (once, at construction) and closed by its
   * `close()`.
   * @defaultValue none: upper tiers are invalidated only by their `ttl`
   * @example `new ChainStore(tiers, { bus: () => new RedisBus({ url }) })`
   */
  bus?: InvalidationBus | (() => InvalidationBus)
  /**
   * Whether {@link ChainStore.close} also closes the bus. A bus the chain built from a factory
   * is closed unless `closeBus: false`; a bus passed as an instance only with `closeBus: true`
   * (it may be shared with other chains).
   * @defaultValue `true` for a bus built from a factory, `false` for a bus instance
   * @example `new ChainStore(tiers, { bus, closeBus: true })`
   */
  closeBus?: boolean
  /**
   * The store's name in logs, metrics and errors.
   * @defaultValue `'chain'`
   * @example `{ name: 'users' }`
   */
  name?: string
  /**
   * The namespace of the chain's bus messages: chains exchange invalidations only with chains of
   * the same namespace. Give each logical cache sharing a bus its own.
   * @defaultValue the `name`
   * @example `{ namespace: 'users:v2' }`
   */
  namespace?: string
  /**
   * Receives the failures the chain handles itself: a tier that failed and was skipped, a failed
   * promotion or bus publish.
   * @defaultValue one warning log per error
   * @example `{ onError: (error) => logger.warn(error) }`
   */
  onError?: ErrorHandler
  /**
   * The time source for the tier `ttl` caps.
   * @defaultValue `systemClock`
   * @example `{ clock: new ManualClock() }`
   */
  clock?: Clock
  /**
   * Whether {@link ChainStore.close} also closes the tiers' stores (set `false` when the stores
   * are shared with other code that closes them).
   * @defaultValue `true`
   * @example `{ closeTiers: false }`
   */
  closeTiers?: boolean
}

/** Options of {@link ChainStore.build}: the {@link ChainStoreOptions} and the tiers' `ttl`s. */
export interface ChainBuildOptions extends ChainStoreOptions {
  /**
   * One `ttl` per store, in the order of the stores (see {@link ChainTier.ttl}); `undefined` for
   * a tier without a cap. Its length must match the stores'.
   * @defaultValue no caps
   * @example `ChainStore.build([l1, l2], { ttls: ['30s', undefined] })`
   */
  ttls?: readonly (Duration | undefined)[]
}

/** A validated tier, as the chain keeps it. */
export interface Tier {
  readonly store: CacheStore
  /** The store itself when it is a {@link SyncCacheStore}. */
  readonly sync: SyncCacheStore | undefined
  readonly ttlMs: number
  /** 1-based position, for messages. */
  readonly position: number
}

/** Checks the tiers given to the constructor (a non-empty list of distinct stores, ttls above 0). */
export function validateTiers(tiers: readonly ChainTier[]): Tier[] {
  if (!Array.isArray(tiers) || tiers.length === 0) {
    throw new CacheConfigError('ChainStore: `tiers` must be a non-empty array of { store, ttl? }', {
      option: 'tiers',
    })
  }
  const seen = new Set<CacheStore>()
  return tiers.map((tier, index) => {
    const option = `tiers[${index}].store`
    const store = (tier as Partial<ChainTier> | undefined)?.store
    if (typeof store !== 'object' || store === null) {
      throw new CacheConfigError(`ChainStore: \`${option}\` must be a CacheStore`, { option })
    }
    const missing = missingMethod(store, 'protocol')
    if (missing !== undefined) {
      throw new CacheConfigError(`ChainStore: \`${option}\` is not a CacheStore (no ${missing}() method)`, {
        option,
      })
    }
    if (seen.has(store)) {
      throw new CacheConfigError(`ChainStore: \`${option}\` is already an earlier tier`, { option })
    }
    seen.add(store)
    const ttlMs =
      tier.ttl === undefined ? Number.POSITIVE_INFINITY : durationToMs(tier.ttl, `tiers[${index}].ttl`)
    if (ttlMs <= 0) {
      throw new CacheConfigError(`ChainStore: \`tiers[${index}].ttl\` must be greater than zero`, {
        option: `tiers[${index}].ttl`,
      })
    }
    return { store, sync: isSyncStore(store) ? store : undefined, ttlMs, position: index + 1 }
  })
}

/** The bus of a `bus` factory; a factory that throws is a `CacheConfigError`. */
export function buildBus(factory: () => InvalidationBus): InvalidationBus {
  try {
    return factory()
  } catch (error) {
    throw new CacheConfigError('ChainStore: the `bus` factory threw', { option: 'bus', cause: error })
  }
}

/** Every option of {@link ChainStoreOptions}, checked by the compiler. */
export const CHAIN_STORE_OPTION_NAMES = optionNames<ChainStoreOptions>({
  bus: true,
  name: true,
  namespace: true,
  onError: true,
  clock: true,
  closeTiers: true,
  closeBus: true,
})

/** An optional string option: the fallback when absent, a `CacheConfigError` when empty or not a string. */
export function nonEmptyString(value: unknown, option: string, fallback: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || value === '') {
    throw new CacheConfigError(`ChainStore: \`${option}\` must be a non-empty string`, { option })
  }
  return value
}

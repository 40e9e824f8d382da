/**
 * The one table of what a store offers beyond the {@link CacheStore} protocol, by method name.
 * `isSyncStore`, `canTryGetSync`, `isCoordinationStore` and `canPrune` read it; `instrument`,
 * `ChainStore`, `FailoverStore` and test doubles ask it instead of probing methods by hand.
 * @packageDocumentation
 */

import type { CacheStore } from './store'

/**
 * The methods of each capability: `protocol` is required of every store; the others are
 * optional, and a store has one when it offers every method listed.
 *
 * - `sync`: `getSync`/`setSync`/`deleteSync` (`SyncCacheStore`, e.g. `MemoryStore`);
 * - `freshRead`: `getFreshSync`, beside `sync` (`FreshReadStore`, e.g. `MemoryStore`);
 * - `syncFirstRead`: `tryGetSync` (`SyncFirstReadStore`, e.g. a `ChainStore` over memory);
 * - `coordination`: native lock and pool primitives (`CoordinationStore`, e.g. `RedisStore`);
 * - `lockExtension`: `extendLock`, beside `coordination`;
 * - `prune`: `prune()`, a sweep of dead entries (`PrunableStore`, e.g. `FileStore`).
 *
 * @example
 * ```ts
 * STORE_CAPABILITY_METHODS.sync // ['getSync', 'setSync', 'deleteSync']
 * ```
 */
export const STORE_CAPABILITY_METHODS = Object.freeze({
  protocol: Object.freeze([
    'get',
    'set',
    'delete',
    'has',
    'getMany',
    'setMany',
    'deleteMany',
    'setIfAbsent',
    'deleteMatching',
    'clear',
    'close',
  ] as const),
  sync: Object.freeze(['getSync', 'setSync', 'deleteSync'] as const),
  freshRead: Object.freeze(['getFreshSync'] as const),
  syncFirstRead: Object.freeze(['tryGetSync'] as const),
  coordination: Object.freeze([
    'acquireLock',
    'releaseLock',
    'lockOwner',
    'acquireSlot',
    'releaseSlot',
    'countSlots',
  ] as const),
  lockExtension: Object.freeze(['extendLock'] as const),
  prune: Object.freeze(['prune'] as const),
})

/** A capability of {@link STORE_CAPABILITY_METHODS}. */
export type StoreCapability = keyof typeof STORE_CAPABILITY_METHODS

/** A store that can sweep its dead entries on demand (`FileStore`, `BlobStore`, `MemoryStore`). */
export interface PrunableStore extends CacheStore {
  /** Removes dead entries now; resolves how many. */
  prune(): Promise<number> | number
}

/**
 * The first method of `capability` that `value` lacks, or `undefined` when it has them all.
 *
 * @example
 * ```ts
 * missingMethod(tier, 'protocol') // 'deleteMatching' for an object without it
 * ```
 */
export function missingMethod(value: unknown, capability: StoreCapability): string | undefined {
  if (typeof value !== 'object' || value === null) return STORE_CAPABILITY_METHODS[capability][0]
  const candidate = value as Record<string, unknown>
  return STORE_CAPABILITY_METHODS[capability].find((method) => typeof candidate[method] !== 'function')
}

/**
 * Whether `store` offers every method of `capability`.
 *
 * @example
 * ```ts
 * if (hasCapability(store, 'prune')) await (store as PrunableStore).prune()
 * ```
 */
export function hasCapability(store: unknown, capability: StoreCapability): boolean {
  return missingMethod(store, capability) === undefined
}

/**
 * The optional capabilities `store` has, in table order.
 *
 * @example
 * ```ts
 * storeCapabilities(new MemoryStore()) // ['sync', 'prune']
 * ```
 */
export function storeCapabilities(store: CacheStore): StoreCapability[] {
  return (Object.keys(STORE_CAPABILITY_METHODS) as StoreCapability[]).filter(
    (capability) => capability !== 'protocol' && hasCapability(store, capability),
  )
}

/**
 * Whether `store` offers {@link PrunableStore.prune}.
 *
 * @example
 * ```ts
 * if (canPrune(store)) await store.prune()
 * ```
 */
export function canPrune(store: CacheStore): store is PrunableStore {
  return hasCapability(store, 'prune')
}

import { type CacheStore, type CoordinationStore, isCoordinationStore } from '@stratacache/core'

/**
 * The {@link CoordinationStore} primitives of `store`, bound to it, or `undefined` when it has
 * none. A chain installs them from its last tier, so `lock`, `once`, `pool` and `pooled` over a
 * chain use that tier's atomic primitives (e.g. `RedisStore`'s Lua scripts); coordination keys
 * live only there, never in the upper tiers.
 *
 * @example
 * ```ts
 * const primitives = forwardCoordination(redisStore)
 * if (primitives !== undefined) Object.assign(chain, primitives)
 * ```
 */
export function forwardCoordination(store: CacheStore): CoordinationStore | undefined {
  if (!isCoordinationStore(store)) return undefined
  const primitives: CoordinationStore = {
    acquireLock: (key, token, ttlMs) => store.acquireLock(key, token, ttlMs),
    releaseLock: (key, token) => store.releaseLock(key, token),
    lockOwner: (key) => store.lockOwner(key),
    acquireSlot: (key, maxSize, token, ttlMs) => store.acquireSlot(key, maxSize, token, ttlMs),
    releaseSlot: (key, token, maxSize) => store.releaseSlot(key, token, maxSize),
    countSlots: (key, maxSize) => store.countSlots(key, maxSize),
  }
  const extendLock = store.extendLock
  if (typeof extendLock === 'function') {
    primitives.extendLock = (key, token, ttlMs) => extendLock.call(store, key, token, ttlMs)
  }
  return primitives
}

import type { CacheStore } from '../store/store'

/**
 * Atomic coordination primitives a store may implement natively, so that `lock`, `once`, `pool`
 * and `pooled` are exact across processes. `RedisStore` implements them with Lua
 * (`SET key token NX PX ttl`, compare-and-delete, and a sorted set of expiring slots).
 *
 * A store without them still works: the coordination functions fall back to
 * {@link CacheStore.setIfAbsent} (see `fallbackCoordination`), which is exact for acquiring but
 * leaves a small race on release (documented there).
 *
 * Across processes, `lock`/`once`/`pool`/`pooled` are exactly as atomic as these primitives: every
 * process builds its instance on a store over the same backend and prefix (e.g.
 * `createCache({ store: new RedisStore({ url, prefix }) })`) and uses the same keys. Check an
 * implementation with `describeCoordinationConformance` from `@stratacache/core/testing`.
 *
 * Contract shared by every method:
 * - `key` is the full key, already in the instance's namespace (`prefix:lock:…` / `prefix:pool:…`);
 *   the store applies its own namespace on top, as it does for cache entries. Lock and pool keys
 *   live beside cache entries, so `clear()` and `deleteMatching()` remove them too.
 * - `token` is an opaque random string (a UUID) identifying one holder.
 * - `ttlMs` is a positive number of milliseconds, or `Infinity` for "never expires".
 * - Expiry is the store's own (Redis: `PX`, server time); an expired lock or slot is free.
 * - A backend failure rejects (with `CacheStoreError`/`CacheTimeoutError`), it never hangs.
 *
 * @example
 * ```ts
 * const locks: Pick<CoordinationStore, 'acquireLock'> = {
 *   acquireLock: (key, token, ttlMs) => backend.setIfAbsent(key, token, { px: ttlMs }),
 * }
 * ```
 */
export interface CoordinationStore {
  /**
   * Takes the lock under `key` for `token` when no live lock exists there; the lock expires after
   * `ttlMs`. Atomic: among concurrent callers exactly one resolves `true`. Not reentrant: a second
   * call with the same token on a held key resolves `false`.
   */
  acquireLock(key: string, token: string, ttlMs: number): Promise<boolean>
  /**
   * Frees the lock under `key` only if `token` holds it (compare-and-delete, atomic). Resolves
   * `true` if it was freed, `false` if the lock had expired or belongs to another token.
   */
  releaseLock(key: string, token: string): Promise<boolean>
  /**
   * Resets the expiry of the lock under `key` to `ttlMs` from now, only if `token` holds it.
   * Resolves `false` if it does not. Optional: without it, `handle.extend()` is unsupported.
   */
  extendLock?(key: string, token: string, ttlMs: number): Promise<boolean>
  /** The token holding the live lock under `key`, or `undefined` when the lock is free. */
  lockOwner(key: string): Promise<string | undefined>
  /**
   * Takes one slot of the pool under `key` for `token` when fewer than `maxSize` live slots are
   * held; the slot expires after `ttlMs`. Atomic: the number of live slots never exceeds `maxSize`.
   */
  acquireSlot(key: string, maxSize: number, token: string, ttlMs: number): Promise<boolean>
  /**
   * Frees the slot `token` holds in the pool under `key`; `false` if it had expired or never
   * existed. `maxSize` is the pool's capacity, as passed to `acquireSlot`: a store that keeps a
   * pool in one structure (Redis: one sorted set) may ignore it.
   */
  releaseSlot(key: string, token: string, maxSize: number): Promise<boolean>
  /**
   * How many live (unexpired) slots the pool under `key` holds. `maxSize` as for `releaseSlot`
   * (may be ignored).
   */
  countSlots(key: string, maxSize: number): Promise<number>
}

const COORDINATION_METHODS = [
  'acquireLock',
  'releaseLock',
  'lockOwner',
  'acquireSlot',
  'releaseSlot',
  'countSlots',
] as const

/**
 * Whether `store` implements the {@link CoordinationStore} primitives natively (every required
 * method present). `instrument()` forwards them, so an instrumented RedisStore still qualifies; a
 * wrapper that does not forward them falls back to `setIfAbsent`.
 *
 * @example
 * ```ts
 * if (isCoordinationStore(store)) await store.acquireLock('lock:job', token, 30_000)
 * ```
 */
export function isCoordinationStore(store: CacheStore): store is CacheStore & CoordinationStore {
  const candidate = store as unknown as Record<string, unknown>
  return COORDINATION_METHODS.every((method) => typeof candidate[method] === 'function')
}

import type { Clock } from '../clock'
import { createEntry } from '../store/entry'
import { type CacheStore, isSyncStore } from '../store/store'
import type { CoordinationStore } from './coordination-store'

/**
 * The {@link CoordinationStore} primitives built on the plain {@link CacheStore} protocol, for
 * stores that do not implement them natively.
 *
 * - A lock is one entry under its key whose value is the holder's token, written with
 *   `setIfAbsent` and expiring after the lock's ttl (`freshUntil = staleUntil = now + ttl`, `now`
 *   read from `clock`; the store judges expiry with its own clock, so give both the same clock).
 * - A pool of `maxSize` is `maxSize` slot entries `<key>:slot:0` … `<key>:slot:<maxSize-1>`; a
 *   holder takes a free one with `setIfAbsent`, so at most `maxSize` holders exist at once. Every
 *   pool operation reads all slots with one `getMany`: cost grows with `maxSize`.
 *
 * Acquiring is exact wherever `setIfAbsent` is atomic. Release, extend and slot release are a
 * read, a comparison and a write. On a store with synchronous methods (`MemoryStore`) they run in
 * one tick and are atomic too. On other stores a residual race remains: if a lock or slot expires
 * *during* its holder's release round trip and another caller takes it in that window, the
 * release (or extend) acts on the new holder's entry. Keep `ttl` well above the time a holder
 * needs, or use a store with native primitives (`RedisStore`).
 *
 * Locks and slots are entries like any other: a store that evicts under pressure (a `MemoryStore`
 * with `maxEntries`/`maxBytes`) may drop one, which frees it early. Give coordination a store
 * that does not evict (the instance's default in-memory store does not).
 *
 * @example
 * ```ts
 * const primitives = fallbackCoordination(store, systemClock)
 * if (await primitives.acquireLock('lock:job', token, 30_000)) { … }
 * ```
 */
export function fallbackCoordination(store: CacheStore, clock: Clock): CoordinationStore {
  const entryFor = (token: string, ttlMs: number) => createEntry(token, { now: clock.now(), ttlMs })

  /** Deletes `key` if its entry holds `token`; atomic on a synchronous store. */
  const compareAndDelete = async (key: string, token: string): Promise<boolean> => {
    if (isSyncStore(store)) {
      if (store.getSync(key)?.value !== token) return false
      return store.deleteSync(key)
    }
    if ((await store.get(key))?.value !== token) return false
    return store.delete(key)
  }

  const slotKeys = (key: string, maxSize: number): string[] =>
    Array.from({ length: maxSize }, (_, index) => `${key}:slot:${index}`)

  return {
    acquireLock: (key, token, ttlMs) => store.setIfAbsent(key, entryFor(token, ttlMs)),

    releaseLock: compareAndDelete,

    async extendLock(key, token, ttlMs) {
      if (isSyncStore(store)) {
        if (store.getSync(key)?.value !== token) return false
        store.setSync(key, entryFor(token, ttlMs))
        return true
      }
      if ((await store.get(key))?.value !== token) return false
      await store.set(key, entryFor(token, ttlMs))
      return true
    },

    async lockOwner(key) {
      const entry = await store.get(key)
      return entry === undefined ? undefined : String(entry.value)
    },

    async acquireSlot(key, maxSize, token, ttlMs) {
      const keys = slotKeys(key, maxSize)
      const entries = await store.getMany(keys)
      for (let index = 0; index < keys.length; index++) {
        if (entries[index] !== undefined) continue
        if (await store.setIfAbsent(keys[index]!, entryFor(token, ttlMs))) return true
      }
      return false
    },

    async releaseSlot(key, token, maxSize) {
      const keys = slotKeys(key, maxSize)
      const entries = await store.getMany(keys)
      const index = entries.findIndex((entry) => entry?.value === token)
      return index >= 0 && compareAndDelete(keys[index]!, token)
    },

    async countSlots(key, maxSize) {
      const entries = await store.getMany(slotKeys(key, maxSize))
      return entries.filter((entry) => entry !== undefined).length
    },
  }
}

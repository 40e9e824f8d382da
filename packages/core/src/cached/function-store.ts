import type { Clock } from '../clock'
import { MemoryStore } from '../store/memory-store'

let warned = false

/**
 * The store of a `cache()` given no `store` on an instance without one: a `MemoryStore` of the
 * function's own, unbounded. The first one in a process logs a warning (once), as an unbounded
 * `new MemoryStore()` does, since a function called with ever new arguments grows it forever.
 * Pass `store` (e.g. `new MemoryStore({ maxEntries: 10_000 })`, or `maxEntries: Infinity` to say
 * unbounded is intended) to choose.
 *
 * @example
 * ```ts
 * const factory = createCacheFactory(defaults, () => functionStore(defaults.clock))
 * ```
 */
export function functionStore(clock: Clock): MemoryStore {
  if (!warned) {
    warned = true
    console.warn(
      '[stratacache] cache() without a `store` keeps each function’s entries in an unbounded MemoryStore of ' +
        'its own. Pass `store: new MemoryStore({ maxEntries })` to bound it (or `maxEntries: Infinity` to ' +
        'state that unbounded is intended), or give createCache() a store.',
    )
  }
  return new MemoryStore({ clock, maxEntries: Number.POSITIVE_INFINITY })
}

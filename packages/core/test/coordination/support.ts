// Test support for the coordination tests (not published): instance defaults built directly,
// and an asynchronous-only view of a store.
import type { Clock } from '../../src/clock'
import type { InstanceDefaults } from '../../src/instance-defaults'
import { NULL_METRICS } from '../../src/metrics/collector'
import type { CacheStore } from '../../src/store/store'

/** Instance defaults over `store` and `clock` (prefix `'app'`), for building lock/once/pool/pooled directly. */
export function defaultsFor(
  store: CacheStore,
  clock: Clock,
  overrides: Partial<InstanceDefaults> = {},
): InstanceDefaults {
  return {
    store: () => store,
    hasExplicitStore: true,
    prefix: 'app',
    ttl: undefined,
    metrics: NULL_METRICS,
    onError: () => {},
    clock,
    ...overrides,
  }
}

/**
 * `store` without its synchronous methods, as a remote store looks: the `setIfAbsent` fallback
 * then takes its asynchronous (non-atomic release) path.
 */
export function asyncOnly(store: CacheStore): CacheStore {
  return {
    name: `${store.name}-async`,
    get: (key) => store.get(key),
    set: (key, entry) => store.set(key, entry),
    delete: (key) => store.delete(key),
    has: (key) => store.has(key),
    getMany: (keys) => store.getMany(keys),
    setMany: (items) => store.setMany(items),
    deleteMany: (keys) => store.deleteMany(keys),
    setIfAbsent: (key, entry) => store.setIfAbsent(key, entry),
    deleteMatching: (pattern) => store.deleteMatching(pattern),
    clear: () => store.clear(),
    close: () => store.close(),
  }
}

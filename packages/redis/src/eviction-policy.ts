import { CacheConfigError } from '@stratacache/core'

/**
 * Which entry a bounded `RedisStore` evicts when a write would exceed `maxEntries`:
 * - `'lru'`: the least recently read or written,
 * - `'mru'`: the most recently read or written,
 * - `'lfu'`: the least frequently read or written (ties: the lowest Redis key, byte order),
 * - `'fifo'`: the oldest written (reads do not count),
 * - `'random'`: any one, uniformly.
 *
 * @example
 * ```ts
 * const policy: EvictionPolicy = 'lfu'
 * new RedisStore({ client, maxEntries: 10_000, policy })
 * ```
 */
export type EvictionPolicy = 'lru' | 'mru' | 'lfu' | 'fifo' | 'random'

const POLICIES: readonly EvictionPolicy[] = ['lru', 'mru', 'lfu', 'fifo', 'random']

/** Whether reads change the eviction order (and so must run through the index script). */
export function readsTouchIndex(policy: EvictionPolicy): boolean {
  return policy === 'lru' || policy === 'mru' || policy === 'lfu'
}

/**
 * Validates `policy` (default `'lru'`).
 * @throws {@link CacheConfigError} naming `policy`
 */
export function toEvictionPolicy(owner: string, policy: unknown): EvictionPolicy {
  if (policy === undefined) return 'lru'
  if (!POLICIES.includes(policy as EvictionPolicy)) {
    throw new CacheConfigError(
      `${owner}: \`policy\` must be one of ${POLICIES.join(', ')}, got ${String(policy)}`,
      {
        option: 'policy',
      },
    )
  }
  return policy as EvictionPolicy
}

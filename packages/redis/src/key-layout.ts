/**
 * Where a `RedisStore` keeps its data.
 *
 * - Unbounded: each entry under `prefix + key`.
 * - Bounded (`maxEntries`): each entry under `{prefix}key`, its index (a sorted set) under
 *   `stratacache:index:{prefix}`, the index's sequence counter under `stratacache:seq:{prefix}`
 *   and the entries' expiry times under `stratacache:expiry:{prefix}`. The prefix is a Redis Cluster hash tag, so a bounded store's
 *   entries and index share one hash slot (the Lua scripts that evict need that); on a Cluster a
 *   bounded store therefore lives on one master. The index keys never start with the entry
 *   prefix, so no cache key can collide with them.
 */
export interface KeyLayout {
  /** Prepended to every key to form its Redis key. */
  readonly entryPrefix: string
  /** The index sorted set (bounded stores only). */
  readonly index: string
  /** The index's sequence counter (bounded stores only). */
  readonly seq: string
  /** The expiry times of bounded entries (bounded stores only). */
  readonly expiries: string
}

/**
 * The {@link KeyLayout} of a store with `prefix`.
 *
 * @example
 * ```ts
 * keyLayout('app:', false).entryPrefix // 'app:'
 * keyLayout('app:', true).entryPrefix  // '{app:}'
 * ```
 */
export function keyLayout(prefix: string, bounded: boolean): KeyLayout {
  if (!bounded) return { entryPrefix: prefix, index: '', seq: '', expiries: '' }
  return {
    entryPrefix: `{${prefix}}`,
    index: `stratacache:index:{${prefix}}`,
    seq: `stratacache:seq:{${prefix}}`,
    expiries: `stratacache:expiry:{${prefix}}`,
  }
}

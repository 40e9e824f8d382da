/**
 * The peers, configured alike for the in-memory groups: memory only, values kept as they are
 * (no serialization, no cloning, wherever the library has an option for it), the same 60 s TTL
 * and the same 10k-entry bound. RESULTS.md quotes {@link PEER_CONFIGURATION}.
 */
import {
  type Cache as CachifiedCache,
  type CacheEntry as CachifiedEntry,
  totalTtl,
} from '@epic-web/cachified'
import { createCache as createDedupeCache } from 'async-cache-dedupe'
import { BentoCache, bentostore } from 'bentocache'
import { memoryDriver } from 'bentocache/drivers/memory'
import { createCache as createCacheManager } from 'cache-manager'
import { Cacheable, createKeyv } from 'cacheable'
import { LRUCache } from 'lru-cache'
import { MAX_ENTRIES, TTL_MS, TTL_SECONDS } from './payload'

/** How each peer is configured, in Markdown, for RESULTS.md. */
export const PEER_CONFIGURATION = [
  `bentocache: one L1 \`memoryDriver({ maxItems: ${MAX_ENTRIES}, serialize: false })\`, no L2, no bus, \`ttl: '60s'\`, \`getOrSet\``,
  `cache-manager: \`createCache({ stores: [createKeyv({ lruSize: ${MAX_ENTRIES}, useClone: false })], ttl: 60000 })\` (Keyv over CacheableMemory, the store its README recommends; Keyv serialization off), \`wrap\``,
  `cacheable: \`new Cacheable({ primary: createKeyv({ lruSize: ${MAX_ENTRIES}, useClone: false }), ttl: 60000 })\` (the default primary, with cloning off), \`getOrSet\``,
  `@epic-web/cachified: \`cachified({ key, cache, getFreshValue, ttl: 60000 })\` over the lru-cache adapter of its README (\`max: ${MAX_ENTRIES}\`)`,
  `async-cache-dedupe: \`createCache({ ttl: 60, storage: { type: 'memory', options: { size: ${MAX_ENTRIES} } } })\`, one \`define\` per function`,
  `lru-cache: \`new LRUCache({ max: ${MAX_ENTRIES}, ttl: 60000 })\`; \`memo()\` with a \`memoMethod\``,
].join('; ')

/** bentocache with a single in-memory layer holding values as they are. */
export function bentoMemory(maxItems = MAX_ENTRIES): BentoCache<{ memory: ReturnType<typeof bentostore> }> {
  return new BentoCache({
    default: 'memory',
    ttl: `${TTL_SECONDS}s`,
    stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems, serialize: false })) },
  })
}

/** cache-manager over Keyv + CacheableMemory, no serialization, no cloning. */
export function cacheManagerMemory(lruSize = MAX_ENTRIES): ReturnType<typeof createCacheManager> {
  return createCacheManager({ stores: [createKeyv({ lruSize, useClone: false })], ttl: TTL_MS })
}

/** cacheable with its in-memory primary, cloning off. */
export function cacheableMemory(lruSize = MAX_ENTRIES): Cacheable {
  return new Cacheable({ primary: createKeyv({ lruSize, useClone: false }), ttl: TTL_MS })
}

/** async-cache-dedupe with its memory storage. */
export function dedupeMemory(size = MAX_ENTRIES): ReturnType<typeof createDedupeCache> {
  return createDedupeCache({ ttl: TTL_SECONDS, storage: { type: 'memory', options: { size } } })
}

/** The lru-cache adapter of cachified's README. */
export function cachifiedLru(max = MAX_ENTRIES): CachifiedCache {
  const lru = new LRUCache<string, CachifiedEntry>({ max })
  return {
    set(key, value) {
      const ttl = totalTtl(value?.metadata)
      return lru.set(key, value, {
        ttl: ttl === Number.POSITIVE_INFINITY ? undefined : ttl,
        start: value?.metadata?.createdTime,
      })
    },
    get: (key) => lru.get(key),
    delete: (key) => lru.delete(key),
  }
}

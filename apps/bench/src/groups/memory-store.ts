import { createEntry, MemoryStore } from '@stratacache/core'
import { LRUCache } from 'lru-cache'
import type { BenchGroup } from '../harness'
import { HOT_KEYS, keys, MAX_ENTRIES, type SmallValue, smallValue, TTL_MS } from '../payload'
import { roundRobin } from '../round-robin'

const MAP = 'Map.get'
const LRU = 'lru-cache get (no TTL)'
const LRU_TTL = 'lru-cache get (TTL 60 s)'
const GET_SYNC = 'MemoryStore.getSync'
const GET = 'MemoryStore.get (async)'

/** Group 1: a hit in each in-memory store, round-robin over 10k keys. */
export const memoryStoreGroup: BenchGroup = {
  id: 'memory-store',
  number: '1',
  title: 'In-memory store hit',
  about: [
    `A hit read round-robin over ${HOT_KEYS.toLocaleString('en')} keys holding small objects. Every store is bounded to`,
    `${MAX_ENTRIES.toLocaleString('en')} entries and (but the Map) holds a 60 s TTL; \`MemoryStore.getSync\` returns the whole`,
    '`CacheEntry` (value and timestamps), lru-cache only the value. The async `get` is awaited.',
  ].join(' '),
  floor: MAP,
  targets: [
    {
      label: '`MemoryStore.getSync` hit ≤ 1.5× lru-cache `get` with a TTL',
      source: 'issue 2',
      subject: GET_SYNC,
      baseline: LRU_TTL,
      kind: 'atMost',
      ratio: 1.5,
    },
  ],
  async setup() {
    const hot = keys(HOT_KEYS)
    const map = new Map<string, SmallValue>()
    const lru = new LRUCache<string, SmallValue>({ max: MAX_ENTRIES })
    const lruTtl = new LRUCache<string, SmallValue>({ max: MAX_ENTRIES, ttl: TTL_MS })
    const store = new MemoryStore({ maxEntries: MAX_ENTRIES })
    const now = Date.now()
    hot.forEach((key, i) => {
      const value = smallValue(i)
      map.set(key, value)
      lru.set(key, value)
      lruTtl.set(key, value)
      store.setSync(key, createEntry(value, { now, ttlMs: TTL_MS }))
    })
    const mapKey = roundRobin(hot)
    const lruKey = roundRobin(hot)
    const lruTtlKey = roundRobin(hot)
    const syncKey = roundRobin(hot)
    const asyncKey = roundRobin(hot)
    return {
      cases: [
        { name: MAP, fn: () => map.get(mapKey()) },
        { name: LRU, fn: () => lru.get(lruKey()) },
        { name: LRU_TTL, fn: () => lruTtl.get(lruTtlKey()) },
        { name: GET_SYNC, fn: () => store.getSync(syncKey()) },
        { name: GET, fn: () => store.get(asyncKey()) },
      ],
    }
  },
}

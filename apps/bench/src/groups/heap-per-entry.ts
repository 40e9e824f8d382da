import { createCache, createEntry, MemoryStore } from '@stratacache/core'
import { LRUCache } from 'lru-cache'
import type { BenchGroup, RunOptions, TableResult } from '../harness'
import { median } from '../harness'
import { keyOf, smallValue, TTL_MS, TTL_SECONDS } from '../payload'
import { bentoMemory, cacheableMemory, cacheManagerMemory, dedupeMemory } from '../peers'

const COUNT = 100_000
const MAP = 'Map (no TTL)'
const LRU_TTL = 'lru-cache (TTL)'
const MEMORY_STORE = 'MemoryStore'
const BYTES = 'bytes/entry'

/** A contender fills a fresh cache with `COUNT` entries and returns a probe that reads one back. */
interface Contender {
  name: string
  fill(): Promise<() => Promise<unknown> | unknown>
}

const contenders: Contender[] = [
  {
    name: MAP,
    async fill() {
      const map = new Map<string, unknown>()
      for (let i = 0; i < COUNT; i++) map.set(keyOf(i), smallValue(i))
      return () => map.get(keyOf(0))
    },
  },
  {
    name: LRU_TTL,
    async fill() {
      const lru = new LRUCache<string, object>({ max: COUNT, ttl: TTL_MS })
      for (let i = 0; i < COUNT; i++) lru.set(keyOf(i), smallValue(i))
      return () => lru.get(keyOf(0))
    },
  },
  {
    name: MEMORY_STORE,
    async fill() {
      const store = new MemoryStore({ maxEntries: COUNT })
      const now = Date.now()
      for (let i = 0; i < COUNT; i++)
        store.setSync(keyOf(i), createEntry(smallValue(i), { now, ttlMs: TTL_MS }))
      return () => store.getSync(keyOf(0))?.value
    },
  },
  {
    name: 'stratacache cache() over MemoryStore (sync function, 100k arguments)',
    async fill() {
      const { cache } = createCache({ store: () => new MemoryStore({ maxEntries: COUNT }) })
      const cached = cache({ ttl: TTL_SECONDS, key: 'user:{0}' })((id: number) => smallValue(id))
      for (let i = 0; i < COUNT; i++) cached(i)
      return () => cached.peek(0)
    },
  },
  {
    name: 'bentocache (memory, serialize: false)',
    async fill() {
      const bento = bentoMemory(COUNT)
      for (let i = 0; i < COUNT; i++) await bento.set({ key: keyOf(i), value: smallValue(i) })
      return () => bento.get({ key: keyOf(0) })
    },
  },
  {
    name: 'cacheable (memory, useClone: false)',
    async fill() {
      const cacheable = cacheableMemory(COUNT)
      for (let i = 0; i < COUNT; i++) await cacheable.set(keyOf(i), smallValue(i))
      return () => cacheable.get(keyOf(0))
    },
  },
  {
    name: 'cache-manager (Keyv + CacheableMemory)',
    async fill() {
      const manager = cacheManagerMemory(COUNT)
      for (let i = 0; i < COUNT; i++) await manager.set(keyOf(i), smallValue(i))
      return () => manager.get(keyOf(0))
    },
  },
  {
    name: 'async-cache-dedupe (memory)',
    async fill() {
      const dedupe = dedupeMemory(COUNT).define('load', async (id: number) => smallValue(id))
      for (let i = 0; i < COUNT; i++) await dedupe.load(i)
      return () => dedupe.load(0)
    },
  },
]

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('the heap group needs node --expose-gc')
  gc()
  gc()
}

/** V8 heap plus typed-array data (held outside the heap): MemoryStore and lru-cache both keep typed arrays. */
function heldBytes(): number {
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

async function bytesPerEntry(contender: Contender): Promise<number> {
  collect()
  const before = heldBytes()
  const probe = await contender.fill()
  collect()
  const held = heldBytes() - before
  if ((await probe()) === undefined) throw new Error(`bench case "${contender.name}": lost its first entry`)
  return held / COUNT
}

/** Group 8: memory held per entry. */
export const heapPerEntryGroup: BenchGroup = {
  id: 'heap',
  number: '8',
  title: `Memory per entry, ${COUNT.toLocaleString('en')} small objects`,
  about: [
    `Bytes held per entry (V8 heap + typed-array data, after two full collections) once ${COUNT.toLocaleString('en')} small`,
    'objects are cached under `user:<i>` keys, key strings and values included; every cache is bounded to that count and,',
    'but the Map, holds a 60 s TTL. Peers as configured in group 2a. Median over rounds (run interleaved).',
  ].join(' '),
  targets: [
    {
      label: '`MemoryStore` heap per entry ≤ 1.05× lru-cache’s with a TTL',
      source: 'issue 2',
      subject: MEMORY_STORE,
      baseline: LRU_TTL,
      kind: 'atMost',
      ratio: 1.05,
      column: BYTES,
    },
  ],
  async table(_context, options: RunOptions): Promise<TableResult> {
    const rounds = Math.min(options.rounds, 3)
    const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
    for (let round = 0; round < rounds; round++) {
      for (const contender of contenders) samples.get(contender.name)?.push(await bytesPerEntry(contender))
    }
    const lru = median(samples.get(LRU_TTL) ?? [])
    return {
      columns: [BYTES, '× lru-cache (TTL)'],
      rows: contenders.map((c) => {
        const bytes = median(samples.get(c.name) ?? [])
        return {
          name: c.name,
          values: { [BYTES]: Math.round(bytes), '× lru-cache (TTL)': `${(bytes / lru).toFixed(3)}×` },
        }
      }),
    }
  },
}

/**
 * MemoryStore against lru-cache with a TTL set: the cost of a hit and the heap held per entry,
 * printed as ratios to lru-cache (targets: hit <= 1.5x, heap <= 1.05x). A plain Map is shown as
 * the floor, and an lru-cache holding whole CacheEntry objects shows what keeping the caller's
 * entry (instead of MemoryStore's typed-array timestamps) would cost. Run from packages/core:
 *
 *   node --expose-gc --import tsx bench/memory-store.ts
 *
 * Hits are timed first (rounds interleaved across contenders, median kept), heap afterwards, so
 * the large heaps built for the second phase do not disturb the timings of the first.
 */
import { LRUCache } from 'lru-cache'
import { MemoryStore } from '../src/store/memory-store'
import type { CacheEntry } from '../src/store/store'

const HEAP_ENTRIES = 100_000
const HIT_KEYS = 10_000
const HIT_OPS = 2_000_000
const ROUNDS = 7
const TTL_MS = 60_000

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with: node --expose-gc --import tsx bench/memory-store.ts')
const collect = () => {
  gc()
  gc()
}

/** A small object, like a row or a DTO. */
const smallValue = (i: number) => ({ id: i, name: `user ${i}`, active: i % 2 === 0 })
const keyOf = (i: number) => `user:${i}`

interface Contender<H> {
  name: string
  /** Builds the cache holding `count` entries (keys and values created here). */
  fill(count: number): H
  /** Reads `ops` hits cycling over the first `keys.length` keys; returns how many were found. */
  hit(holder: H, keys: string[], ops: number): number
}

const map: Contender<Map<string, unknown>> = {
  name: 'Map (floor)',
  fill(count) {
    const holder = new Map<string, unknown>()
    for (let i = 0; i < count; i++) holder.set(keyOf(i), smallValue(i))
    return holder
  },
  hit(holder, keys, ops) {
    let found = 0
    for (let i = 0; i < ops; i++) if (holder.get(keys[i % keys.length] as string) !== undefined) found++
    return found
  },
}

const lru: Contender<LRUCache<string, object>> = {
  name: 'lru-cache (ttl)',
  fill(count) {
    const holder = new LRUCache<string, object>({ max: count, ttl: TTL_MS })
    for (let i = 0; i < count; i++) holder.set(keyOf(i), smallValue(i))
    return holder
  },
  hit(holder, keys, ops) {
    let found = 0
    for (let i = 0; i < ops; i++) if (holder.get(keys[i % keys.length] as string) !== undefined) found++
    return found
  },
}

/** The design MemoryStore did not take: keeping each caller's CacheEntry object (boxed times and all). */
const lruOfEntries: Contender<LRUCache<string, CacheEntry>> = {
  name: 'lru of entries',
  fill(count) {
    const holder = new LRUCache<string, CacheEntry>({ max: count, ttl: TTL_MS })
    const now = Date.now()
    for (let i = 0; i < count; i++) {
      holder.set(keyOf(i), {
        value: smallValue(i),
        createdAt: now,
        freshUntil: now + TTL_MS,
        staleUntil: now + 2 * TTL_MS,
      })
    }
    return holder
  },
  hit(holder, keys, ops) {
    let found = 0
    for (let i = 0; i < ops; i++) if (holder.get(keys[i % keys.length] as string) !== undefined) found++
    return found
  },
}

const memoryStore: Contender<MemoryStore> = {
  name: 'MemoryStore',
  fill(count) {
    const holder = new MemoryStore({ maxEntries: count })
    const now = Date.now()
    for (let i = 0; i < count; i++) {
      holder.setSync(keyOf(i), {
        value: smallValue(i),
        createdAt: now,
        freshUntil: now + TTL_MS,
        staleUntil: now + 2 * TTL_MS,
      })
    }
    return holder
  },
  hit(holder, keys, ops) {
    let found = 0
    for (let i = 0; i < ops; i++) if (holder.getSync(keys[i % keys.length] as string) !== undefined) found++
    return found
  },
}

const contenders: Contender<any>[] = [map, lru, lruOfEntries, memoryStore]

const median = (samples: number[]) =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number

function nsPerHit<H>(contender: Contender<H>): number {
  const holder = contender.fill(HIT_KEYS)
  const keys = Array.from({ length: HIT_KEYS }, (_, i) => keyOf(i))
  contender.hit(holder, keys, HIT_OPS / 4)
  const started = performance.now()
  const found = contender.hit(holder, keys, HIT_OPS)
  const elapsed = performance.now() - started
  if (found !== HIT_OPS) throw new Error(`${contender.name}: ${found} hits of ${HIT_OPS}`)
  return (elapsed * 1e6) / HIT_OPS
}

/**
 * Typed arrays keep their data outside the V8 heap (`arrayBuffers`), so both are counted: MemoryStore
 * and lru-cache both hold per-slot typed arrays.
 */
const heldBytes = () => {
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

/** Memory held per entry (heap plus typed-array data), key string and value included, after full collections. */
function bytesPerEntry<H>(contender: Contender<H>): number {
  collect()
  const before = heldBytes()
  const holder = contender.fill(HEAP_ENTRIES)
  collect()
  const held = heldBytes() - before
  if (contender.hit(holder, [keyOf(0)], 1) !== 1) throw new Error(`${contender.name}: lost an entry`)
  return held / HEAP_ENTRIES
}

const hits = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const contender of contenders) hits.get(contender.name)?.push(nsPerHit(contender))
}
const heap = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const contender of contenders) heap.get(contender.name)?.push(bytesPerEntry(contender))
}

const hitOf = (name: string) => median(hits.get(name) ?? [])
const heapOf = (name: string) => median(heap.get(name) ?? [])
console.log(
  `node ${process.version}; medians of ${ROUNDS} rounds; hits: ${HIT_OPS} over ${HIT_KEYS} keys; heap: ${HEAP_ENTRIES} entries`,
)
for (const { name } of contenders) {
  console.log(
    `${name.padEnd(16)} hit ${hitOf(name).toFixed(1).padStart(6)} ns (${(hitOf(name) / hitOf(lru.name)).toFixed(2)}x lru)` +
      `   heap ${heapOf(name).toFixed(0).padStart(4)} B/entry (${(heapOf(name) / heapOf(lru.name)).toFixed(3)}x lru)`,
  )
}
const hitRatio = hitOf(memoryStore.name) / hitOf(lru.name)
const heapRatio = heapOf(memoryStore.name) / heapOf(lru.name)
console.log(`MemoryStore.getSync hit / lru-cache get (ttl): ${hitRatio.toFixed(2)}x (target <= 1.50)`)
console.log(`MemoryStore heap per entry / lru-cache (ttl): ${heapRatio.toFixed(3)}x (target <= 1.050)`)

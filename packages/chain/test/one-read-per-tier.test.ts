// A lookup reads each tier of a chain once and counts one miss per tier (issue 16): cache() over
// a chain whose first tier is synchronous calls tryGetSync, then get, and the get must not read
// the first tier again.
import {
  type CacheEntry,
  canTryGetSync,
  createCache,
  InMemoryMetrics,
  instrument,
  MemoryStore,
} from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { describe, expect, it, vi } from 'vitest'
import { ChainStore } from '../src/chain-store'
import { FaultyStore } from './support/faulty-store'

function setup() {
  const clock = new ManualClock()
  const metrics = new InMemoryMetrics()
  const memory = new MemoryStore({ clock, maxEntries: 100 })
  const l1 = instrument(memory, metrics, 'l1')
  const lower = new FaultyStore(clock, 'l2') // async only
  const l2 = instrument(lower, metrics, 'l2')
  const chain = new ChainStore([{ store: l1 }, { store: l2 }], { clock })
  const reads = vi.spyOn(memory, 'getSync')
  const { cache } = createCache({ store: chain, clock })
  let calls = 0
  const load = cache({ ttl: 60, key: 'k:{0}' })(async (id: number) => {
    calls++
    return id * 10
  })
  const stats = (name: string) => metrics.getStats().caches[name]
  return { clock, chain, memory, lower, reads, load, stats, calls: () => calls }
}

describe('one read per tier per lookup', () => {
  it('a cold call reads L1 once and L2 once, and counts one miss in each', async () => {
    const { load, reads, stats, lower, calls } = setup()
    expect(await load(1)).toBe(10)
    expect(calls()).toBe(1)
    expect(reads).toHaveBeenCalledTimes(1)
    expect(lower.calls.get('get')).toBe(1)
    expect(stats('l1')).toMatchObject({ hits: 0, misses: 1 })
    expect(stats('l2')).toMatchObject({ hits: 0, misses: 1 })
  })

  it('a value found in L2 is read once per tier and promoted; the next call is an L1 hit', async () => {
    const { load, reads, stats, lower, memory, calls } = setup()
    const entry: CacheEntry = { value: 70, createdAt: 0, freshUntil: Infinity, staleUntil: Infinity }
    await lower.inner.set('k:7', entry)
    expect(await load(7)).toBe(70)
    expect(reads).toHaveBeenCalledTimes(1)
    expect(lower.calls.get('get')).toBe(1)
    expect(stats('l1')).toMatchObject({ hits: 0, misses: 1 })
    expect(stats('l2')).toMatchObject({ hits: 1, misses: 0 })
    expect(memory.getSync('k:7')?.value).toBe(70)
    expect(await load(7)).toBe(70)
    expect(stats('l1')).toMatchObject({ hits: 1, misses: 1 })
    expect(lower.calls.get('get')).toBe(1)
    expect(calls()).toBe(0)
  })

  it('a get that does not follow a tryGetSync miss in the same turn reads L1 again', async () => {
    const { chain, reads, memory } = setup()
    if (!canTryGetSync(chain)) throw new Error('expected a sync-first chain')
    expect(chain.tryGetSync('k')).toBeUndefined()
    await Promise.resolve()
    // Written to L1 meanwhile (another path): the later get must see it.
    await memory.set('k', { value: 1, createdAt: 0, freshUntil: Infinity, staleUntil: Infinity })
    expect((await chain.get('k'))?.value).toBe(1)
    expect(reads).toHaveBeenCalledTimes(2)
  })

  it('a write between tryGetSync and get makes get read L1 again', async () => {
    const { chain, reads } = setup()
    if (!canTryGetSync(chain)) throw new Error('expected a sync-first chain')
    expect(chain.tryGetSync('k')).toBeUndefined()
    const written = chain.set('k', { value: 2, createdAt: 0, freshUntil: Infinity, staleUntil: Infinity })
    const read = chain.get('k')
    await written
    expect((await read)?.value).toBe(2)
    expect(reads).toHaveBeenCalledTimes(2)
  })
})

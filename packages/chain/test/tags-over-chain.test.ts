// invalidateTags over chains: two "processes" (each its own memory tier) sharing one async last
// tier, with and without a bus. The records live in the shared tier, so both cases are correct.
import {
  type CacheEntry,
  type CacheStore,
  createCache,
  MemoryBus,
  MemoryStore,
  sharedStoreOf,
} from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { describe, expect, it } from 'vitest'
import { ChainStore } from '../src/chain-store'

/** The shared tier: a MemoryStore behind async-only methods, counting the keys read. */
function sharedTier(clock: ManualClock): CacheStore & { reads: string[] } {
  const inner = new MemoryStore({ clock, maxEntries: 1000 })
  const reads: string[] = []
  return {
    name: 'shared',
    reads,
    get: async (key) => {
      reads.push(key)
      return inner.get(key)
    },
    getMany: async (keys) => {
      reads.push(...keys)
      return inner.getMany(keys)
    },
    set: (key, entry: CacheEntry) => inner.set(key, entry),
    setMany: (items) => inner.setMany(items),
    delete: (key) => inner.delete(key),
    deleteMany: (keys) => inner.deleteMany(keys),
    has: (key) => inner.has(key),
    setIfAbsent: (key, entry) => inner.setIfAbsent(key, entry),
    deleteMatching: (pattern) => inner.deleteMatching(pattern),
    clear: () => inner.clear(),
    close: () => inner.close(),
  }
}

function processes(bus: MemoryBus | undefined) {
  const clock = new ManualClock()
  const shared = sharedTier(clock)
  const open = () => {
    const l1 = new MemoryStore({ clock, maxEntries: 100 })
    const chain = new ChainStore([{ store: l1 }, { store: shared }], {
      clock,
      closeTiers: false,
      ...(bus ? { bus } : {}),
    })
    return { l1, chain, c: createCache({ store: chain, clock, prefix: 'app', ttl: 60 }) }
  }
  return { clock, shared, a: open(), b: open() }
}

describe('invalidateTags over a ChainStore', () => {
  it('without a bus: records live in the last tier, and an upper-tier copy is confirmed against them', async () => {
    const { a, b, shared } = processes(undefined)
    expect(sharedStoreOf(a.chain)).toBe(shared)
    await a.c.set('k', 'v1', { tags: ['t'] })
    expect(await b.c.get('k')).toBe('v1')
    expect(b.l1.getSync('app:k')).toBeDefined() // promoted into B's first tier
    await a.c.invalidateTags(['t'])
    expect(b.l1.getSync('app:__tag:t')).toBeUndefined() // nothing written above the shared tier
    expect(await b.c.get('k')).toBeUndefined()
    expect(await a.c.get('k')).toBeUndefined()
    await b.c.set('k', 'v2', { tags: ['t'] })
    expect(await b.c.get('k')).toBe('v2')
    // Without a bus, A's first tier keeps its old copy of the key (as for any overwrite), but it
    // never serves it: the copy was invalidated.
    expect(await a.c.get('k')).toBeUndefined()
  })

  it('with a bus: other chains drop their copies of the records, and tagged hits are then served from the first tier', async () => {
    const { a, b, shared, clock } = processes(new MemoryBus())
    expect(sharedStoreOf(a.chain)).toBe(a.chain)
    await a.c.set('k', 'v1', { tags: ['t'] })
    expect(await b.c.get('k')).toBe('v1')
    await Promise.resolve()
    shared.reads.length = 0
    expect(await b.c.get('k')).toBe('v1') // entry and (empty) record both in B's first tier
    expect(shared.reads).toEqual([])
    await a.c.invalidateTags(['t'])
    expect(await b.c.get('k')).toBeUndefined()
    expect(await a.c.get('k')).toBeUndefined()
    // Another process's write counts as after the invalidation from the next millisecond on.
    await clock.advance(1)
    await b.c.set('k', 'v2', { tags: ['t'] })
    expect(await a.c.get('k')).toBe('v2')
  })

  it('reaches entries written by cache() wrappers in every process', async () => {
    const { a, b } = processes(new MemoryBus())
    let calls = 0
    const wrap = (c: typeof a.c) =>
      c.cache({ key: 'user:{0}', tags: (id: number) => [`user:${id}`] })(
        async (id: number) => `${id}:${++calls}`,
      )
    const getA = wrap(a.c)
    const getB = wrap(b.c)
    expect(await getA(1)).toBe('1:1')
    await new Promise((resolve) => setImmediate(resolve))
    expect(await getB(1)).toBe('1:1')
    await getA.invalidateTags(['user:1'])
    expect(await getB(1)).toBe('1:2')
  })
})

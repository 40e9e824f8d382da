// The chain's seed API and ownership (issue 16): ChainStore.build(stores, { ttls }) and which
// bus a chain closes.
import { CacheConfigError, type InvalidationBus, MemoryBus, MemoryStore } from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { describe, expect, it, vi } from 'vitest'
import { ChainStore } from './chain-store'

const memory = (clock: ManualClock) => new MemoryStore({ clock, maxEntries: 100 })

describe('ChainStore.build', () => {
  it('builds the tiers from stores and a ttls list, in order', async () => {
    const clock = new ManualClock()
    const [l1, l2] = [memory(clock), memory(clock)]
    const chain = ChainStore.build([l1, l2], { ttls: ['1s', undefined], clock, name: 'built' })
    expect(chain.name).toBe('built')
    expect(chain.stores).toEqual([l1, l2])
    const now = clock.now()
    await chain.set('k', { value: 1, createdAt: now, freshUntil: now + 60_000, staleUntil: now + 60_000 })
    expect(l1.getSync('k')?.staleUntil).toBe(now + 1_000)
    expect(l2.getSync('k')?.staleUntil).toBe(now + 60_000)
    expect(ChainStore.build([memory(clock)]).stores).toHaveLength(1)
  })

  it('rejects a ttls list whose length does not match the stores, naming the option', () => {
    const clock = new ManualClock()
    const stores = [memory(clock), memory(clock)]
    for (const ttls of [[1], [1, 2, 3], []]) {
      const attempt = () => ChainStore.build(stores, { ttls })
      expect(attempt).toThrow(CacheConfigError)
      expect(attempt).toThrow(/`ttls` must list one ttl per store: 2 store\(s\), \d ttl\(s\)/)
    }
    expect(() => ChainStore.build(stores, { ttls: '1s' as never })).toThrow(/`ttls`/)
    expect(() => ChainStore.build(stores, { ttls: [0, undefined] })).toThrow(/tiers\[0\]\.ttl/)
    expect(() => ChainStore.build(undefined as never)).toThrow(/`stores`/)
  })
})

describe('ChainStore bus ownership', () => {
  function spiedBus(): InvalidationBus {
    const bus = new MemoryBus()
    vi.spyOn(bus, 'close')
    return bus
  }
  const tiers = () => [
    { store: new MemoryStore({ maxEntries: 10 }) },
    { store: new MemoryStore({ maxEntries: 10 }) },
  ]

  it('leaves a bus it was given open, unless closeBus: true', async () => {
    const shared = spiedBus()
    await new ChainStore(tiers(), { bus: shared }).close()
    expect(shared.close).not.toHaveBeenCalled()
    await new ChainStore(tiers(), { bus: shared, closeBus: true }).close()
    expect(shared.close).toHaveBeenCalledOnce()
  })

  it('closes a bus it built from a factory, unless closeBus: false', async () => {
    const built: InvalidationBus[] = []
    const factory = () => {
      const bus = spiedBus()
      built.push(bus)
      return bus
    }
    const chain = new ChainStore(tiers(), { bus: factory })
    expect(built).toHaveLength(1)
    await chain.close()
    await chain.close()
    expect(built[0]?.close).toHaveBeenCalledOnce()
    await new ChainStore(tiers(), { bus: factory, closeBus: false }).close()
    expect(built[1]?.close).not.toHaveBeenCalled()
  })

  it('a built bus carries invalidations like a given one', async () => {
    const bus = new MemoryBus()
    const [a, b] = [new ChainStore(tiers(), { bus: () => bus }), new ChainStore(tiers(), { bus })]
    const [l1] = b.stores
    await b.set('k', { value: 1, createdAt: 0, freshUntil: Infinity, staleUntil: Infinity })
    await a.delete('k')
    expect(await l1?.get('k')).toBeUndefined()
    await b.close()
    await a.close()
  })

  it('rejects a bad closeBus or a factory that throws or returns no bus, naming the option', () => {
    expect(() => new ChainStore(tiers(), { closeBus: 1 as never })).toThrow(/`closeBus`/)
    const cause = new Error('no redis')
    const throwing = () =>
      new ChainStore(tiers(), {
        bus: () => {
          throw cause
        },
      })
    expect(throwing).toThrow(CacheConfigError)
    expect(throwing).toThrow(/`bus` factory threw/)
    expect(() => new ChainStore(tiers(), { bus: () => ({}) as never })).toThrow(
      /factory returned something else/,
    )
  })
})

import { describe, expect, it, vi } from 'vitest'
import { createCache, cache as topLevelCache } from './create-cache'
import { CacheConfigError } from './errors'
import { InMemoryMetrics } from './metrics/in-memory-metrics'
import { MemoryStore } from './store/memory-store'
import { ManualClock } from './testing/manual-clock'

describe('createCache', () => {
  it('isolates instances sharing a store by prefix', async () => {
    const clock = new ManualClock()
    const store = new MemoryStore({ clock, maxEntries: 100 })
    const billing = createCache({ store, prefix: 'billing', clock })
    const shipping = createCache({ store, prefix: 'shipping', clock })
    const a = billing.cache({ ttl: 60, key: 'item:{0}' })(async (id: number) => `billing ${id}`)
    const b = shipping.cache({ ttl: 60, key: 'item:{0}' })(async (id: number) => `shipping ${id}`)
    expect(await a(1)).toBe('billing 1')
    expect(await b(1)).toBe('shipping 1')
    expect(a.key(1)).toBe('billing:item:1')
    await a.clear()
    expect(await store.has('billing:item:1')).toBe(false)
    expect(await store.has('shipping:item:1')).toBe(true)
  })

  it('shares its store, ttl and metrics with every function of the instance', async () => {
    const clock = new ManualClock()
    const store = new MemoryStore({ clock, maxEntries: 100 })
    const metrics = new InMemoryMetrics()
    const { cache, lock } = createCache({ store, ttl: '1m', metrics, clock })
    const get = cache({ key: 'k' })(async () => 1)
    await get()
    await get()
    expect(get.store).toBe(store)
    expect(metrics.getStats().caches.anonymous).toMatchObject({ hits: 1, misses: 1 })
    await clock.advance(60_000)
    expect(await store.has('k')).toBe(false)
    const held = await lock('job').acquire()
    expect(await lock('job').isLocked()).toBe(true)
    await held.release()
  })

  it('opens a store factory once, on first use', async () => {
    const factory = vi.fn(() => new MemoryStore({ maxEntries: 10 }))
    const { cache } = createCache({ store: factory, ttl: 60 })
    expect(factory).not.toHaveBeenCalled()
    const a = cache({ key: 'a' })(async () => 1)
    const b = cache({ key: 'b' })(async () => 2)
    expect(a.store).toBe(b.store)
    expect(factory).toHaveBeenCalledTimes(1)
  })

  it('validates its options, naming the option', () => {
    const optionOf = (run: () => unknown) => {
      try {
        run()
      } catch (error) {
        return CacheConfigError.isInstance(error) ? error.option : error
      }
      return 'no error'
    }
    expect(optionOf(() => createCache({ ttl: 'forever' as never }))).toBe('ttl')
    expect(optionOf(() => createCache({ prefix: 3 as never }))).toBe('prefix')
    expect(optionOf(() => createCache({ store: 'redis://' as never }))).toBe('store')
    expect(optionOf(() => createCache({ metrics: {} as never }))).toBe('metrics')
    expect(optionOf(() => createCache({ onError: 1 as never }))).toBe('onError')
    expect(optionOf(() => createCache({ clock: {} as never }))).toBe('clock')
    expect(optionOf(() => createCache({ namespace: 'x' } as never))).toBe('namespace')
  })
})

describe('the top-level default instance', () => {
  it('caches in memory with a store per function', async () => {
    let calls = 0
    const get = topLevelCache({ ttl: 60, key: 'k' })(async () => ++calls)
    const other = topLevelCache({ ttl: 60, key: 'k' })(async () => 'other')
    expect(await get()).toBe(1)
    expect(await get()).toBe(1)
    expect(await other()).toBe('other')
    expect(get.store).toBeInstanceOf(MemoryStore)
    await get.clear()
  })
})

import { describe, expect, it, vi } from 'vitest'
import { createCache } from '../create-cache'
import { createEntry } from '../store/entry'
import { MemoryStore } from '../store/memory-store'
import { ManualClock } from '../testing/manual-clock'
import { LEASE_SUFFIX } from './cluster-flight'
import { deferred, FaultyStore } from './store-doubles.fixture'

/** Two "processes": separate instances (separate in-process state) over one shared store. */
function fleet() {
  const clock = new ManualClock()
  const store = new MemoryStore({ clock, maxEntries: 1000 })
  const errors: unknown[] = []
  const onError = (error: unknown) => errors.push(error)
  const processA = createCache({ clock, store, onError })
  const processB = createCache({ clock, store, onError })
  return { clock, store, errors, processA, processB }
}

describe("singleFlight: 'cluster'", () => {
  it('lets one process compute while the others wait for its value in the store', async () => {
    const { clock, store, processA, processB } = fleet()
    const gate = deferred<string>()
    const load = vi.fn(async () => gate.promise)
    const options = {
      ttl: 60,
      key: 'report',
      singleFlight: 'cluster' as const,
      pollInterval: '50ms' as const,
    }
    const onA = processA.cache(options)(load)
    const onB = processB.cache(options)(load)
    const a = onA()
    const b = [onB(), onB()]
    await clock.advance(0)
    expect(load).toHaveBeenCalledTimes(1)
    expect(await store.has(`report${LEASE_SUFFIX}`)).toBe(true)
    await clock.advance(200)
    gate.resolve('done')
    await clock.advance(50)
    expect(await Promise.all([a, ...b])).toEqual(['done', 'done', 'done'])
    expect(load).toHaveBeenCalledTimes(1)
    expect(await store.has(`report${LEASE_SUFFIX}`)).toBe(false)
  })

  it('does not compute again when the value lands between a miss and winning the lease', async () => {
    // The holder stored its value and released the lease right after this process read a miss:
    // the store answers the first read of the key with a (now outdated) miss.
    const clock = new ManualClock()
    let outdatedReads = 1
    class OutdatedFirstRead extends MemoryStore {
      override getSync(key: string) {
        if (key === 'k' && outdatedReads-- > 0) return undefined
        return super.getSync(key)
      }
      override async get(key: string) {
        return this.getSync(key)
      }
    }
    const store = new OutdatedFirstRead({ clock, maxEntries: 100 })
    store.setSync('k', createEntry('from the holder', { now: clock.now(), ttlMs: 60_000 }))
    const load = vi.fn(async () => 'computed twice')
    const get = createCache({ clock, store }).cache({ ttl: 60, key: 'k', singleFlight: 'cluster' })(load)
    expect(await get()).toBe('from the holder')
    expect(load).not.toHaveBeenCalled()
    expect(await store.has(`k${LEASE_SUFFIX}`)).toBe(false)
  })

  it('lets a waiter take over when the lease holder fails', async () => {
    const { clock, processA, processB } = fleet()
    const gate = deferred<string>()
    const options = { ttl: 60, key: 'k', singleFlight: 'cluster' as const, pollInterval: 0.05 }
    const onA = processA.cache(options)(async () => gate.promise)
    const loadB = vi.fn(async () => 'from B')
    const onB = processB.cache(options)(loadB)
    const a = onA()
    const b = onB()
    await clock.advance(0)
    gate.reject(new Error('A failed'))
    await expect(a).rejects.toThrow('A failed')
    await clock.advance(50)
    expect(await b).toBe('from B')
    expect(loadB).toHaveBeenCalledTimes(1)
  })

  it('computes itself after lockTimeout when the holder hangs', async () => {
    const { clock, processA, processB } = fleet()
    const options = { ttl: 60, key: 'k', singleFlight: 'cluster' as const, lockTimeout: 2, pollInterval: 0.5 }
    processA.cache(options)(async () => new Promise<string>(() => {}))()
    const onB = processB.cache(options)(async () => 'B computed')
    let settled: string | undefined
    const b = onB().then((value) => {
      settled = value
    })
    await clock.advance(1500)
    expect(settled).toBeUndefined()
    await clock.advance(500)
    await b
    expect(settled).toBe('B computed')
  })

  it('refreshes a stale key once in the whole fleet', async () => {
    const { clock, processA, processB } = fleet()
    let version = 0
    const gate = deferred<void>()
    const load = vi.fn(async () => {
      version++
      if (version > 1) await gate.promise
      return version
    })
    const options = { ttl: 1, stale: 60, key: 'k', singleFlight: 'cluster' as const }
    const onA = processA.cache(options)(load)
    const onB = processB.cache(options)(load)
    expect(await onA()).toBe(1)
    await clock.advance(1000)
    expect(await onA()).toBe(1)
    await clock.advance(0)
    expect(await onB()).toBe(1)
    await clock.advance(0)
    expect(load).toHaveBeenCalledTimes(2)
    gate.resolve()
    await clock.advance(0)
    expect(await onB()).toBe(2)
  })

  it('computes without a lease when the store cannot take one', async () => {
    const clock = new ManualClock()
    const store = new FaultyStore(clock)
    store.failing.add('setIfAbsent')
    const errors: unknown[] = []
    const { cache } = createCache({ clock, store, onError: (e) => errors.push(e) })
    const get = cache({ ttl: 60, key: 'k', singleFlight: 'cluster' })(async () => 'v')
    expect(await get()).toBe('v')
    expect(errors).toHaveLength(1)
    expect(await get()).toBe('v')
  })

  it('returns a Promise even for a synchronous function', async () => {
    const { processA } = fleet()
    const get = processA.cache({ ttl: 60, key: 'k', singleFlight: 'cluster' })((x: number) => x + 1)
    const result: Promise<number> = get(1)
    expect(result).toBeInstanceOf(Promise)
    expect(await result).toBe(2)
  })
})

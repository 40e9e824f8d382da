import { describe, expect, it, vi } from 'vitest'
import { defaultsFor } from '../../test/coordination/support'
import { CacheConfigError, CachePoolFullError } from '../errors'
import { MemoryStore } from '../store/memory-store'
import { ManualClock } from '../testing/manual-clock'
import { createPool } from './pool'

function setup() {
  const clock = new ManualClock()
  const store = new MemoryStore({ clock, maxEntries: 10_000 })
  const onError = vi.fn()
  return { clock, store, onError, pool: createPool(defaultsFor(store, clock, { onError })) }
}

describe('pool', () => {
  it('admits exactly maxSize of 50 concurrent acquirers; the rest get CachePoolFullError', async () => {
    const { pool } = setup()
    const api = pool({ key: 'api', maxSize: 5 })
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => api.acquire()))
    const admitted = outcomes.filter((o) => o.status === 'fulfilled')
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []))
    expect(admitted).toHaveLength(5)
    expect(refused).toHaveLength(45)
    for (const error of refused) {
      expect(CachePoolFullError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ key: 'api', maxSize: 5, message: 'api is full (maxSize=5)' })
    }
    expect(await api.size()).toBe(5)
  })

  it('with wait: true, never exceeds maxSize while 50 workers take turns, and all finish', async () => {
    const { pool, clock } = setup()
    const api = pool({ key: 'api', maxSize: 5, wait: true, timeout: 60 })
    let inside = 0
    let maxInside = 0
    let finished = 0
    const worker = async () => {
      await using _slot = await api.acquire()
      inside++
      maxInside = Math.max(maxInside, inside)
      await new Promise((resolve) => setImmediate(resolve))
      inside--
      finished++
    }
    const all = Promise.all(Array.from({ length: 50 }, worker))
    let settled = false
    void all.then(() => (settled = true))
    for (let step = 0; step < 1000 && !settled; step++) await clock.advance(100)
    await all
    expect(finished).toBe(50)
    expect(maxInside).toBe(5)
    expect(await api.size()).toBe(0)
  })

  it('frees a slot on release and on `await using` disposal', async () => {
    const { pool } = setup()
    const p = pool({ key: 'api', maxSize: 1 })
    {
      await using slot = await p.acquire()
      expect(slot.key).toBe('api')
      expect(await p.size()).toBe(1)
      await expect(p.acquire()).rejects.toThrow(CachePoolFullError)
    }
    expect(await p.size()).toBe(0)
    const slot = await p.acquire()
    expect(await slot.release()).toBe(true)
    expect(await slot.release()).toBe(false)
    expect(await p.tryAcquire()).toBeDefined()
    expect(await p.tryAcquire()).toBeUndefined()
  })

  it('expires slots after slotTtl (default 600 s) so crashed holders free them', async () => {
    const { pool, clock, onError } = setup()
    const p = pool({ key: 'api', maxSize: 2 })
    const crashed = await p.acquire()
    await p.acquire()
    await clock.advance(599_999)
    expect(await p.size()).toBe(2)
    await clock.advance(1)
    expect(await p.size()).toBe(0)
    const fresh = await p.acquire()
    expect(await crashed.release()).toBe(false) // its slot expired: nothing touched, reported
    expect(onError).toHaveBeenCalledTimes(1)
    expect(String(onError.mock.calls[0]?.[0])).toMatch(/api.*expired/)
    expect(await p.size()).toBe(1)
    expect(await fresh.release()).toBe(true)
  })

  it('keys pools by template arguments and reports size per key', async () => {
    const { pool } = setup()
    const perUser = pool({ key: 'api:{0}', maxSize: 2, slotTtl: '1m' })
    await perUser.acquire('u1')
    await perUser.acquire('u1')
    await perUser.acquire('u2')
    await expect(perUser.acquire('u1')).rejects.toThrow('api:u1 is full (maxSize=2)')
    expect(await perUser.size('u1')).toBe(2)
    expect(await perUser.size('u2')).toBe(1)
    expect(perUser.key('u3')).toBe('api:u3')
  })

  it('with wait: true, fails with CachePoolFullError after timeout, or takes a slot freed meanwhile', async () => {
    const { pool, clock } = setup()
    const p = pool({ key: 'api', maxSize: 1, wait: true, timeout: 1, pollInterval: 0.25 })
    const holder = await p.acquire()
    const timedOut = p.acquire().catch((e: unknown) => e)
    await clock.advance(1000)
    expect(CachePoolFullError.isInstance(await timedOut)).toBe(true)

    const waiting = p.acquire()
    await clock.advance(300)
    await holder.release() // wakes the waiter at once
    const slot = await waiting
    expect(slot.released).toBe(false)
  })

  it('validates its options, naming the option', () => {
    const { pool } = setup()
    for (const [options, option] of [
      [{ key: 'k', maxSize: 0 }, 'maxSize'],
      [{ key: 'k', maxSize: 1.5 }, 'maxSize'],
      [{ key: 'k', maxSize: '5' }, 'maxSize'],
      [{ key: 'k', maxSize: 5, slotTtl: -1 }, 'slotTtl'],
      [{ key: '', maxSize: 5 }, 'key'],
      [{ key: 'k', maxSize: 5, pollInterval: '0s' }, 'pollInterval'],
    ] as const) {
      try {
        pool(options as never)
        expect.unreachable(`${JSON.stringify(options)} should be refused`)
      } catch (error) {
        expect(CacheConfigError.isInstance(error)).toBe(true)
        expect((error as CacheConfigError).option).toBe(option)
      }
    }
  })
})

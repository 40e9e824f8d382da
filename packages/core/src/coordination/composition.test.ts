import { describe, expect, it, vi } from 'vitest'
import { createCache } from '../create-cache'
import { CacheLockError, CachePoolFullError } from '../errors'
import { lock as defaultLock, pool as defaultPool } from '../index'
import { MemoryStore } from '../store/memory-store'
import { flushMicrotasks, ManualClock } from '../testing/manual-clock'

function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

describe('coordination composed with cache() and with itself', () => {
  it('once(cache(fn)): one run at a time fills the cache; later calls are hits', async () => {
    const { cache, once } = createCache({ clock: new ManualClock() })
    const { opened, open } = gate()
    const build = vi.fn(async (year: number) => {
      await opened
      return `report ${year}`
    })
    const report = once({ key: 'build:{0}' })(cache({ ttl: 60, key: 'report:{0}' })(build))
    const first = report(2026)
    await expect(report(2026)).resolves.toBeUndefined() // skipped while the first runs
    open()
    await expect(first).resolves.toBe('report 2026')
    await expect(report(2026)).resolves.toBe('report 2026') // a cache hit under the guard
    expect(build).toHaveBeenCalledTimes(1)
  })

  it('pooled(cache(fn)): the bound applies to misses and hits alike, and slots come back', async () => {
    const { cache, pooled } = createCache({ clock: new ManualClock() })
    const { opened, open } = gate()
    const fetchProfile = vi.fn(async (user: string) => {
      await opened
      return { user }
    })
    const profile = pooled({ key: 'api', maxSize: 1, onFull: (user: string) => ({ user, queued: true }) })(
      cache({ ttl: 60, key: 'profile:{0}' })(fetchProfile),
    )
    const first = profile('u1')
    await flushMicrotasks()
    await expect(profile('u2')).resolves.toEqual({ user: 'u2', queued: true })
    open()
    await expect(first).resolves.toEqual({ user: 'u1' })
    await expect(profile('u1')).resolves.toEqual({ user: 'u1' })
    expect(fetchProfile).toHaveBeenCalledTimes(1)
    expect(await profile.size('any')).toBe(0) // the key 'api' takes no argument
  })

  it('a lock taken inside a pool slot: both released at the end of their scopes', async () => {
    const { lock, pool } = createCache({ clock: new ManualClock() })
    const workers = pool({ key: 'workers', maxSize: 2 })
    const ledger = lock('ledger')
    {
      await using _slot = await workers.acquire()
      await using _held = await ledger.acquire()
      expect(await workers.size()).toBe(1)
      expect(await ledger.isLocked()).toBe(true)
      await using _second = await workers.acquire()
      await expect(ledger.acquire()).rejects.toThrow(CacheLockError)
      await expect(workers.acquire()).rejects.toThrow(CachePoolFullError)
    }
    expect(await workers.size()).toBe(0)
    expect(await ledger.isLocked()).toBe(false)
  })

  it('instances with different prefixes on one store never contend', async () => {
    const clock = new ManualClock()
    const store = new MemoryStore({ clock, maxEntries: 1000 })
    const billing = createCache({ store, prefix: 'billing', clock })
    const shipping = createCache({ store, prefix: 'shipping', clock })
    await billing.lock('job').acquire()
    await expect(shipping.lock('job').acquire()).resolves.toBeDefined()
    await expect(billing.lock('job').acquire()).rejects.toThrow(CacheLockError)
    expect(await store.has('billing:lock:job')).toBe(true)
  })

  it('the top-level lock and pool work on the default in-memory instance', async () => {
    const key = `composition-${Math.random()}`
    await using held = await defaultLock(key).acquire()
    expect(await defaultLock(key).isLocked()).toBe(true)
    await using slot = await defaultPool({ key, maxSize: 1 }).acquire()
    await expect(defaultPool({ key, maxSize: 1 }).acquire()).rejects.toThrow(`${key} is full (maxSize=1)`)
    expect(held.released || slot.released).toBe(false)
  })
})

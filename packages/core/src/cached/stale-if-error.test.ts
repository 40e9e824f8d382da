import { describe, expect, it, vi } from 'vitest'
import { createCache } from '../create-cache'
import { CacheTimeoutError } from '../errors'
import { InMemoryMetrics } from '../metrics/in-memory-metrics'
import { MemoryStore } from '../store/memory-store'
import { ManualClock } from '../testing/manual-clock'
import { deferred } from './store-doubles.fixture'

function setup() {
  const clock = new ManualClock()
  const errors: unknown[] = []
  const metrics = new InMemoryMetrics()
  const store = new MemoryStore({ clock, maxEntries: 100 })
  const c = createCache({
    clock,
    store,
    metrics,
    ttl: 10,
    name: 'kv',
    onError: (error) => errors.push(error),
  })
  return { clock, errors, metrics, store, c }
}

/** A controllable load: each call returns the next deferred. */
function loads<T>() {
  const calls: ReturnType<typeof deferred<T>>[] = []
  const fn = vi.fn(() => {
    const next = deferred<T>()
    calls.push(next)
    return next.promise
  })
  return { fn, calls }
}

describe('staleIfError', () => {
  it('serves the old value only when recomputing fails, then counts it as stale and as an error', async () => {
    const { c, clock, errors, metrics } = setup()
    const options = { ttl: 10, stale: 5, staleIfError: 60 }
    await c.getOrSet('rates', async () => 1, options)
    await clock.advance(15_000) // past ttl + stale: only for errors
    expect(await c.get('rates')).toBeUndefined()
    expect(await c.has('rates')).toBe(false)
    const boom = new Error('rates API down')
    expect(
      await c.getOrSet(
        'rates',
        async () => {
          throw boom
        },
        options,
      ),
    ).toBe(1)
    expect(errors).toEqual([boom])
    expect(metrics.getStats().caches.kv).toMatchObject({ stale: 1 })
    expect(metrics.getStats().errors).toEqual({ 'kv.load': { Error: 1 } })
    // A successful recompute wins over the old value.
    expect(await c.getOrSet('rates', async () => 2, options)).toBe(2)
    expect(await c.get('rates')).toBe(2)
  })

  it('is never served past its window, and concurrent callers share one failing call', async () => {
    const { c, clock } = setup()
    await c.getOrSet('k', async () => 'old', { staleIfError: 5 })
    await clock.advance(12_000)
    const { fn, calls } = loads<string>()
    const both = [c.getOrSet('k', fn, { staleIfError: 5 }), c.getOrSet('k', fn, { staleIfError: 5 })]
    await vi.waitFor(() => expect(calls).toHaveLength(1))
    calls[0]?.reject(new Error('down'))
    expect(await Promise.all(both)).toEqual(['old', 'old'])
    await clock.advance(5_000)
    await expect(
      c.getOrSet('k', async () => Promise.reject(new Error('still down')), { staleIfError: 5 }),
    ).rejects.toThrow('still down')
  })

  it('works for cache() wrappers, synchronous ones included', async () => {
    const { c, clock, errors } = setup()
    let fail = false
    const square = c.cache({ key: 'sq:{0}', staleIfError: 60 })((n: number) => {
      if (fail) throw new Error('no')
      return n * n
    })
    expect(square(3)).toBe(9)
    await clock.advance(10_000)
    fail = true
    expect(square(3)).toBe(9)
    expect(errors).toHaveLength(1)
    fail = false
    expect(square(4)).toBe(16)
  })
})

describe('ttl and stale as functions of the value', () => {
  it('sets each entry’s freshness from its value; 0 stores nothing; a throwing or invalid one is reported', async () => {
    const { c, clock, errors } = setup()
    const fetchToken = c.cache({
      key: 'token:{0}',
      ttl: (token: { expiresIn: number }) => token.expiresIn,
      stale: (token: { expiresIn: number }) => token.expiresIn / 2,
    })(async (user: string, expiresIn: number) => ({ user, expiresIn }))
    const first = await fetchToken('a', 4)
    await clock.advance(3_999)
    expect(await fetchToken('a', 4)).toBe(first)
    await clock.advance(1)
    expect(await fetchToken('a', 4)).toBe(first) // stale for 2 s more, refreshed in the background
    await clock.advance(0)
    expect(await fetchToken('a', 4)).not.toBe(first)
    const never = await fetchToken('b', 0)
    expect(await fetchToken('b', 0)).not.toBe(never)
    expect(await fetchToken('c', -1)).toEqual({ user: 'c', expiresIn: -1 })
    expect((errors[0] as Error).name).toBe('CacheConfigError')
    expect((errors[0] as Error).message).toMatch(/"ttl"/)
  })
})

describe('softTimeout and hardTimeout', () => {
  it('past softTimeout the caller gets the old value; the computation finishes in the background and updates the entry', async () => {
    const { c, clock } = setup()
    const options = { staleIfError: 60, softTimeout: 1, hardTimeout: 5 }
    await c.getOrSet('k', async () => 'old', options)
    await clock.advance(10_000)
    const { fn, calls } = loads<string>()
    const caller = c.getOrSet('k', fn, options)
    await clock.advance(999)
    expect(calls).toHaveLength(1)
    await clock.advance(1)
    expect(await caller).toBe('old')
    calls[0]?.resolve('new')
    await vi.waitFor(async () => expect(await c.get('k')).toBe('new'))
    expect(clock.pendingTimers).toBe(0)
  })

  it('past hardTimeout without an old value: CacheTimeoutError; a late result still updates the entry', async () => {
    const { c, clock, metrics } = setup()
    const { fn, calls } = loads<string>()
    const caller = c.getOrSet('k', fn, { hardTimeout: 2 })
    const failure = caller.catch((error: unknown) => error)
    await clock.advance(2_000)
    const error = await failure
    expect(CacheTimeoutError.isInstance(error)).toBe(true)
    expect((error as CacheTimeoutError).operation).toBe('load')
    expect((error as Error).message).toMatch(/hardTimeout/)
    calls[0]?.resolve('late')
    await vi.waitFor(async () => expect(await c.get('k')).toBe('late'))
    expect(metrics.getStats().errors).toEqual({}) // the caller saw it: not an absorbed error
    expect(clock.pendingTimers).toBe(0)
  })

  it('past hardTimeout with a stale-if-error value: that value, and the timeout is reported', async () => {
    const { c, clock, errors } = setup()
    const options = { staleIfError: 60, hardTimeout: 2 }
    await c.getOrSet('k', async () => 'old', options)
    await clock.advance(10_000)
    const { fn, calls } = loads<string>()
    const caller = c.getOrSet('k', fn, options)
    await clock.advance(2_000)
    expect(await caller).toBe('old')
    expect(errors).toHaveLength(1)
    expect(CacheTimeoutError.isInstance(errors[0])).toBe(true)
    // A failure after the caller left is reported once, never an unhandled rejection.
    calls[0]?.reject(new Error('late failure'))
    await clock.advance(0)
    expect(errors).toHaveLength(1)
  })

  it('a computation faster than the timeouts clears both timers', async () => {
    const { c, clock } = setup()
    const options = { staleIfError: 60, softTimeout: 1, hardTimeout: 5 }
    await c.getOrSet('k', async () => 'old', options)
    expect(clock.pendingTimers).toBe(0)
    await clock.advance(10_000)
    expect(await c.getOrSet('k', async () => 'new', options)).toBe('new')
    expect(clock.pendingTimers).toBe(0)
  })

  it('a failure after a soft timeout goes to onError, not to an unhandled rejection', async () => {
    const { c, clock, errors } = setup()
    const options = { staleIfError: 60, softTimeout: 1 }
    await c.getOrSet('k', async () => 'old', options)
    await clock.advance(10_000)
    const { fn, calls } = loads<string>()
    const caller = c.getOrSet('k', fn, options)
    await clock.advance(1_000)
    expect(await caller).toBe('old')
    calls[0]?.reject(new Error('late'))
    await clock.advance(0)
    expect(errors).toEqual([new Error('late')])
  })

  it('cache() takes the same options', async () => {
    const { c, clock } = setup()
    const { fn } = loads<number>()
    const slow = c.cache({ key: 'slow', hardTimeout: '100ms' })(fn)
    const failure = slow().catch((error: unknown) => error)
    await clock.advance(100)
    expect(CacheTimeoutError.isInstance(await failure)).toBe(true)
  })
})

import { describe, expect, it, vi } from 'vitest'
import { createCache } from '../create-cache'
import { CacheConfigError } from '../errors'
import { InMemoryMetrics } from '../metrics/in-memory-metrics'
import { MemoryStore } from '../store/memory-store'
import { ManualClock } from '../testing/manual-clock'
import { deferred, FaultyStore } from './store-doubles.fixture'

function setup(options: { prefix?: string; async?: boolean } = {}) {
  const clock = new ManualClock()
  const errors: unknown[] = []
  const metrics = new InMemoryMetrics()
  const faulty = new FaultyStore(clock)
  const store = options.async ? faulty : new MemoryStore({ clock, maxEntries: 1000 })
  const instance = createCache({
    clock,
    store,
    metrics,
    ttl: 60,
    onError: (error) => errors.push(error),
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
  })
  return { clock, errors, metrics, store, faulty, c: instance }
}

describe.each([
  ['a synchronous store', false],
  ['an async store', true],
])('createCache() as a key-value cache over %s', (_, async) => {
  it('getOrSet computes on a miss, serves hits, and 50 concurrent callers on a cold key share one call', async () => {
    const { c } = setup({ async })
    const gate = deferred<{ id: number }>()
    const factory = vi.fn(() => gate.promise)
    const callers = Array.from({ length: 50 }, () => c.getOrSet('user:42', factory))
    gate.resolve({ id: 42 })
    const values = await Promise.all(callers)
    expect(factory).toHaveBeenCalledTimes(1)
    expect(new Set(values).size).toBe(1)
    expect(await c.getOrSet('user:42', factory)).toBe(values[0])
    expect(factory).toHaveBeenCalledTimes(1)
  })

  it('get, set, has, delete, getMany, setMany and clear under the prefix', async () => {
    const { c } = setup({ async, prefix: 'app' })
    expect(await c.get('a')).toBeUndefined()
    await c.set('a', 1)
    expect(await c.get<number>('a')).toBe(1)
    expect(await c.has('a')).toBe(true)
    await c.setMany([
      ['b', 2],
      ['c', 3],
    ])
    expect(await c.getMany(['a', 'b', 'x', 'c'])).toEqual([1, 2, undefined, 3])
    expect(await c.delete('a')).toBe(true)
    expect(await c.delete('a')).toBe(false)
    expect(await c.has('a')).toBe(false)
    await c.clear()
    expect(await c.getMany(['b', 'c'])).toEqual([undefined, undefined])
  })

  it('serves a stale value at once and refreshes it once in the background', async () => {
    const { c, clock } = setup({ async })
    let calls = 0
    const factory = async () => ++calls
    expect(await c.getOrSet('n', factory, { ttl: 10, stale: 10 })).toBe(1)
    await clock.advance(10_000)
    expect(await c.getOrSet('n', factory, { ttl: 10, stale: 10 })).toBe(1)
    expect(await c.get('n')).toBe(1) // stale within `stale` counts for get
    await vi.waitFor(async () => expect(await c.get('n')).toBe(2))
    expect(calls).toBe(2)
    await clock.advance(20_000)
    expect(await c.get('n')).toBeUndefined()
  })

  it('never caches a failing factory; its rejection reaches every concurrent caller', async () => {
    const { c, metrics } = setup({ async })
    const gate = deferred<number>()
    const factory = vi.fn(() => gate.promise)
    const both = [c.getOrSet('k', factory), c.getOrSet('k', factory)]
    gate.reject(new TypeError('db down'))
    for (const call of both) await expect(call).rejects.toThrow('db down')
    expect(factory).toHaveBeenCalledTimes(1)
    expect(await c.getOrSet('k', async () => 7)).toBe(7)
    expect(metrics.getStats().errors).toMatchObject({ 'cache.load': { TypeError: 1 } })
  })

  it('records metrics under the instance name', async () => {
    const { c, metrics } = setup({ async, prefix: 'app' })
    await c.getOrSet('k', async () => 1)
    await c.getOrSet('k', async () => 1)
    await c.get('missing')
    expect(metrics.getStats().caches.app).toMatchObject({ hits: 1, misses: 2, sets: 1 })
  })

  it('set with a ttl of 0 stores nothing and leaves no older value behind', async () => {
    const { c } = setup({ async })
    await c.set('k', 'old')
    await c.set('k', 'new', { ttl: 0 })
    expect(await c.get('k')).toBeUndefined()
  })

  it('ttl may be a function of the value', async () => {
    const { c, clock } = setup({ async })
    await c.getOrSet('token', async () => ({ expiresIn: 5 }), { ttl: (token) => token.expiresIn })
    await clock.advance(4_999)
    expect(await c.has('token')).toBe(true)
    await clock.advance(1)
    expect(await c.has('token')).toBe(false)
  })
})

describe('createCache() key-value: fail-open, validation, isolation', () => {
  it('a failing store is a miss and a dropped write; the caller gets its value', async () => {
    const { c, faulty, errors } = setup({ async: true })
    faulty.failing.add('get')
    faulty.failing.add('set')
    expect(await c.getOrSet('k', async () => 1)).toBe(1)
    expect(await c.get('k')).toBeUndefined()
    await c.set('k', 2)
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(3))
  })

  it('does not hold the caller on the store write after computing (it completes in the background)', async () => {
    const { c, faulty, errors } = setup({ async: true })
    faulty.hanging.add('set')
    expect(await c.getOrSet('k', async () => 1)).toBe(1)
    expect(errors).toEqual([])
  })

  it('a write that never settles pins the computed value only while it is fresh', async () => {
    const { c, faulty, clock } = setup({ async: true })
    faulty.hanging.add('set')
    let calls = 0
    const factory = async () => ++calls
    expect(await c.getOrSet('k', factory, { ttl: 10 })).toBe(1)
    expect(await c.getOrSet('k', factory, { ttl: 10 })).toBe(1) // joins the computation whose write is pending
    await clock.advance(10_000)
    expect(await c.getOrSet('k', factory, { ttl: 10 })).toBe(2)
  })

  it('names the option at fault, as a rejection', async () => {
    const { c } = setup()
    await expect(c.getOrSet('k', async () => 1, { ttl: -1 })).rejects.toThrow(CacheConfigError)
    await expect(c.getOrSet('k', async () => 1, { ttl: -1 })).rejects.toThrow(/"ttl"/)
    await expect(c.set('k', 1, { bogus: 1 } as never)).rejects.toThrow(/Unknown option "bogus"/)
    await expect(c.getOrSet('k', async () => 1, { softTimeout: 2, hardTimeout: 1 })).rejects.toThrow(
      /"softTimeout"/,
    )
  })

  it('requires a ttl when the instance has none', async () => {
    const c = createCache({ clock: new ManualClock() })
    await expect(c.getOrSet('k', async () => 1)).rejects.toThrow(/Missing "ttl"/)
    expect(await c.getOrSet('k', async () => 1, { ttl: 1 })).toBe(1)
  })

  it('two instances on one store never see each other’s keys', async () => {
    const clock = new ManualClock()
    const store = new MemoryStore({ clock, maxEntries: 100 })
    const a = createCache({ store, prefix: 'a', ttl: 60, clock })
    const b = createCache({ store, prefix: 'b', ttl: 60, clock })
    await a.set('k', 'from a')
    expect(await b.get('k')).toBeUndefined()
    await b.clear()
    expect(await a.get('k')).toBe('from a')
  })
})

describe("createCache() key-value: singleFlight 'cluster' and fast failure", () => {
  it('computes once per fleet: two instances on one store, 25 concurrent callers each', async () => {
    const clock = new ManualClock()
    const shared = new FaultyStore(clock)
    const a = createCache({ clock, store: shared, ttl: 60 })
    const b = createCache({ clock, store: shared, ttl: 60 })
    const gate = deferred<string>()
    const factory = vi.fn(() => gate.promise)
    const options = { singleFlight: 'cluster' as const, pollInterval: '10ms' as const }
    const callers = [a, b].flatMap((instance) =>
      Array.from({ length: 25 }, () => instance.getOrSet('report', factory, options)),
    )
    await vi.waitFor(() => expect(factory).toHaveBeenCalledTimes(1))
    gate.resolve('built once')
    await clock.advance(10)
    await clock.advance(10)
    expect(new Set(await Promise.all(callers))).toEqual(new Set(['built once']))
    expect(factory).toHaveBeenCalledTimes(1)
  })

  it('while the backend hangs, a miss waits for one store timeout (the read), never for the write', async () => {
    const clock = new ManualClock()
    const store = new FaultyStore(clock)
    store.hanging.add('get')
    store.hanging.add('set')
    const errors: unknown[] = []
    const { cache } = createCache({ clock, store, onError: (error) => errors.push(error) })
    const get = cache({ ttl: 60, key: 'k', operationTimeout: '200ms' })(async () => 'value')
    let settled = false
    const call = get().then((value) => {
      settled = true
      return value
    })
    await clock.advance(199)
    expect(settled).toBe(false)
    await clock.advance(1)
    expect(await call).toBe('value') // no second timeout for the write
    await clock.advance(200)
    expect(errors.map((error) => (error as Error).name)).toEqual(['CacheTimeoutError', 'CacheTimeoutError'])
  })
})

import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import type { Clock } from '../clock'
import { createCache, bg as topLevelBg } from '../create-cache'
import { CacheConfigError, CacheError, CacheStoreError } from '../errors'
import { defaultErrorHandler, type ErrorHandler, type InstanceDefaults } from '../instance-defaults'
import { NULL_METRICS } from '../metrics/collector'
import { InMemoryMetrics } from '../metrics/in-memory-metrics'
import { MemoryStore } from '../store/memory-store'
import type { CacheEntry } from '../store/store'
import { ManualClock } from '../testing/manual-clock'
import { type Bg, createBg } from './bg'

/**
 * A MemoryStore on the test's clock that counts reads and can be switched to failing (a test
 * double for a backend that is down).
 */
class TestStore extends MemoryStore {
  gets = 0
  failGet = false
  failSet = false
  constructor(clock: Clock) {
    super({ clock, maxEntries: 1000 })
  }
  override async get(key: string) {
    this.gets++
    if (this.failGet) throw new CacheStoreError('down', { store: this.name, operation: 'get', key })
    return super.get(key)
  }
  override async set(key: string, entry: CacheEntry) {
    if (this.failSet) throw new CacheStoreError('down', { store: this.name, operation: 'set', key })
    return super.set(key, entry)
  }
}

interface Setup {
  clock: ManualClock
  store: TestStore
  metrics: InMemoryMetrics
  errors: unknown[]
  bg: Bg
}

const started: Bg[] = []

function setup(overrides: Partial<InstanceDefaults> & { collectErrors?: boolean } = {}): Setup {
  const clock = new ManualClock()
  const store = new TestStore(clock)
  const metrics = new InMemoryMetrics()
  const errors: unknown[] = []
  const onError: ErrorHandler =
    overrides.collectErrors === false ? defaultErrorHandler : (e) => errors.push(e)
  const bg = createBg({
    store: () => store,
    hasExplicitStore: true,
    prefix: '',
    ttl: undefined,
    metrics,
    onError,
    clock,
    ...overrides,
  })
  started.push(bg)
  return { clock, store, metrics, errors, bg }
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((bg) => bg.shutdown()))
  vi.restoreAllMocks()
})

/** A loader that returns 1, 2, 3… and counts its calls. */
function counter() {
  let calls = 0
  const fn = vi.fn(async () => ++calls)
  return fn
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (e: unknown) => void } {
  let resolve!: (value: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('bg(options)(fn)', () => {
  it('loads at registration, refreshes every interval, and serves the current value without calling', async () => {
    const { bg, clock } = setup()
    const fn = counter()
    const flags = bg({ interval: 10, key: 'flags' })(fn)
    await clock.advance(0)
    expect(fn).toHaveBeenCalledTimes(1) // at registration, before anyone asked
    expect(await flags()).toBe(1)
    expect(await flags()).toBe(1)
    expect(fn).toHaveBeenCalledTimes(1)
    await clock.advance(10_000)
    expect(await flags()).toBe(2)
    await clock.advance(30_000)
    expect(await flags()).toBe(5)
    expect(fn).toHaveBeenCalledTimes(5)
    expect(flags.peek()).toBe(5)
    expect(flags.key).toBe('flags')
  })

  it('makes only the first call wait, and concurrent first callers share the first load', async () => {
    const { bg } = setup()
    const first = deferred<string>()
    const fn = vi.fn(() => first.promise)
    const flags = bg({ interval: 10, key: 'flags' })(fn)
    const callers = [flags(), flags(), flags()]
    expect(flags.peek()).toBeUndefined()
    first.resolve('loaded')
    expect(await Promise.all(callers)).toEqual(['loaded', 'loaded', 'loaded'])
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it("keeps the loader's value type (awaited), and bg.read's getter is typed by its parameter", () => {
    const { bg, store } = setup()
    const asyncLoader = bg({ interval: 10, key: 'a' })(async () => ({ on: true }))
    const syncLoader = bg({ interval: 10, key: 'b' })(() => 42)
    expectTypeOf(asyncLoader).returns.toEqualTypeOf<Promise<{ on: boolean }>>()
    expectTypeOf(asyncLoader.peek).returns.toEqualTypeOf<{ on: boolean } | undefined>()
    expectTypeOf(syncLoader).returns.toEqualTypeOf<Promise<number>>()
    const rates = bg.read<{ eur: number }>('a', { interval: 10, store })
    expectTypeOf(rates).returns.toEqualTypeOf<{ eur: number } | undefined>()
    expectTypeOf(bg.read('a', { interval: 10, store })).returns.toEqualTypeOf<unknown>()
  })

  it('accepts a synchronous loader', async () => {
    const { bg } = setup()
    const stats = bg({ interval: 60, key: 'stats' })(() => ({ users: 3 }))
    expect(await stats()).toEqual({ users: 3 })
  })

  it('stores each value with ttl = 2 × interval by default (freshUntil = staleUntil = now + ttl)', async () => {
    const { bg, clock, store } = setup()
    const t0 = clock.now()
    const flags = bg({ interval: '30s', key: 'flags' })(counter())
    await flags()
    expect(store.getSync('flags')).toEqual({
      value: 1,
      createdAt: t0,
      freshUntil: t0 + 60_000,
      staleUntil: t0 + 60_000,
    })
    const rates = bg({ interval: 30, ttl: '10m', key: 'rates' })(counter())
    await rates()
    expect(store.getSync('rates')?.staleUntil).toBe(t0 + 600_000)
    await clock.advance(30_000)
    expect(store.getSync('flags')).toMatchObject({
      value: 2,
      createdAt: t0 + 30_000,
      freshUntil: t0 + 90_000,
    })
  })

  it("keeps keys in the instance's namespace", async () => {
    const { bg, store } = setup({ prefix: 'app' })
    await bg({ interval: 10, key: 'flags' })(counter())()
    expect(store.getSync('app:flags')?.value).toBe(1)
    expect(store.getSync('flags')).toBeUndefined()
  })

  it('with runImmediately: false, the first call runs the first load and waits for it', async () => {
    const { bg, clock } = setup()
    const fn = counter()
    const flags = bg({ interval: 10, key: 'flags', runImmediately: false })(fn)
    await clock.advance(5000)
    expect(fn).not.toHaveBeenCalled()
    expect(await Promise.all([flags(), flags()])).toEqual([1, 1])
    expect(fn).toHaveBeenCalledTimes(1)
    await clock.advance(5000)
    expect(await flags()).toBe(2)
  })

  it('with runImmediately: false and no call, the first tick loads', async () => {
    const { bg, clock } = setup()
    const fn = counter()
    const flags = bg({ interval: 10, key: 'flags', runImmediately: false })(fn)
    await clock.advance(10_000)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(flags.peek()).toBe(1)
  })

  it('rehydrates from a live stored entry: no load at registration, the first load at the next interval', async () => {
    const { bg, clock, store } = setup()
    store.setSync('flags', {
      value: 'stored',
      createdAt: clock.now(),
      freshUntil: Infinity,
      staleUntil: Infinity,
    })
    const fn = vi.fn(async () => 'loaded')
    const flags = bg({ interval: 10, key: 'flags' })(fn)
    expect(await flags()).toBe('stored')
    await clock.advance(9_999)
    expect(fn).not.toHaveBeenCalled()
    await clock.advance(1)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(await flags()).toBe('loaded')
  })

  it('with runImmediately: false, the first call adopts a live stored entry instead of loading', async () => {
    const { bg, clock, store } = setup()
    store.setSync('flags', {
      value: 'stored',
      createdAt: clock.now(),
      freshUntil: Infinity,
      staleUntil: Infinity,
    })
    const fn = vi.fn(async () => 'loaded')
    const flags = bg({ interval: 10, key: 'flags', runImmediately: false })(fn)
    expect(store.gets).toBe(0)
    expect(await flags()).toBe('stored')
    expect(fn).not.toHaveBeenCalled()
    await clock.advance(10_000)
    expect(await flags()).toBe('loaded')
  })

  it('does not rehydrate from a dead entry', async () => {
    const { bg, clock, store } = setup()
    store.setSync('flags', { value: 'old', createdAt: 0, freshUntil: clock.now(), staleUntil: clock.now() })
    const flags = bg({ interval: 10, key: 'flags' })(async () => 'loaded')
    expect(await flags()).toBe('loaded')
  })

  it('loads anyway when the store cannot be read at registration', async () => {
    const { bg, store, errors, metrics } = setup()
    store.failGet = true
    const flags = bg({ interval: 10, key: 'flags' })(async () => 'loaded')
    expect(await flags()).toBe('loaded')
    expect(errors).toHaveLength(1)
    expect(CacheStoreError.isInstance(errors[0])).toBe(true)
    expect(metrics.getStats().errors['flags.get']).toEqual({ CacheStoreError: 1 })
  })

  it('keeps the last good value while refreshes fail, even past ttl, and recovers', async () => {
    const { bg, clock, errors, metrics } = setup()
    let fail = false
    let n = 0
    const flags = bg({ interval: 10, key: 'flags' })(async () => {
      if (fail) throw new TypeError(`boom ${n}`)
      return ++n
    })
    expect(await flags()).toBe(1)
    fail = true
    await clock.advance(100_000) // ten failed refreshes, five times the ttl
    expect(await flags()).toBe(1)
    expect(flags.peek()).toBe(1)
    expect(errors).toHaveLength(10) // a handler the user chose sees every failure
    expect((errors[0] as Error).message).toBe('boom 1')
    fail = false
    await clock.advance(10_000)
    expect(await flags()).toBe(2)
    const stats = metrics.getStats()
    expect(stats.backgroundRefresh.flags).toMatchObject({ success: 2, failure: 10 })
    expect(stats.errors['flags.refresh']).toEqual({ TypeError: 10 })
  })

  it('rejects the first callers when the first load fails, and a later call tries again', async () => {
    const { bg, errors } = setup()
    let attempts = 0
    const flags = bg({ interval: 10, key: 'flags' })(async () => {
      attempts++
      if (attempts === 1) throw new Error('not yet')
      return 'ok'
    })
    await expect(Promise.all([flags(), flags()])).rejects.toThrow('not yet')
    expect(attempts).toBe(1)
    expect(errors).toHaveLength(1)
    expect(await flags()).toBe('ok')
    expect(attempts).toBe(2)
  })

  it('serves the new value when the store rejects it, and reports the store error', async () => {
    const { bg, clock, store, errors, metrics } = setup()
    const flags = bg({ interval: 10, key: 'flags' })(counter())
    await flags()
    store.failSet = true
    await clock.advance(10_000)
    expect(await flags()).toBe(2)
    expect(store.getSync('flags')?.value).toBe(1)
    expect(errors).toHaveLength(1)
    expect(metrics.getStats().errors['flags.set']).toEqual({ CacheStoreError: 1 })
    expect(metrics.getStats().backgroundRefresh.flags).toMatchObject({ success: 1, failure: 1 })
  })

  it('by default logs one warning per failure streak, naming the key', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { bg, clock } = setup({ collectErrors: false })
    let fail = false
    const flags = bg({ interval: 10, key: 'flags' })(async () => {
      if (fail) throw new Error('remote down')
      return 'v'
    })
    await flags()
    fail = true
    await clock.advance(50_000)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/bg "flags".*remote down/)
    fail = false
    await clock.advance(10_000)
    fail = true
    await clock.advance(30_000)
    expect(warn).toHaveBeenCalledTimes(2)
  })

  it('logs a throwing onError instead of letting it escape', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { bg, clock } = setup()
    let fail = false
    const flags = bg({
      interval: 10,
      key: 'flags',
      onError: () => {
        throw new Error('handler bug')
      },
    })(async () => {
      if (fail) throw new Error('remote down')
      return 'v'
    })
    await flags()
    fail = true
    await clock.advance(20_000)
    expect(await flags()).toBe('v')
    expect(warn).toHaveBeenCalledTimes(2)
    expect(String(warn.mock.calls[0]?.[0])).toContain('handler bug')
  })

  it('never overlaps refreshes: a refresh slower than the interval skips ticks', async () => {
    const { bg, clock, metrics } = setup()
    const pending: ReturnType<typeof deferred<number>>[] = []
    const fn = vi.fn(() => {
      const next = deferred<number>()
      pending.push(next)
      return next.promise
    })
    const flags = bg({ interval: 10, key: 'flags' })(fn)
    await clock.advance(0)
    pending[0]?.resolve(1)
    expect(await flags()).toBe(1)
    await clock.advance(10_000) // refresh #2 starts and hangs
    expect(fn).toHaveBeenCalledTimes(2)
    await clock.advance(35_000) // three more ticks, all skipped
    expect(fn).toHaveBeenCalledTimes(2)
    expect(await flags()).toBe(1)
    pending[1]?.resolve(2)
    await clock.advance(0)
    expect(await flags()).toBe(2)
    expect(metrics.getStats().backgroundRefresh.flags?.avgMs).toBe((0 + 35_000) / 2)
    await clock.advance(5_000) // the next tick on the original phase (t = 50 s)
    expect(fn).toHaveBeenCalledTimes(3)
    pending[2]?.resolve(3)
  })

  it('records the duration of each refresh on the clock', async () => {
    const { bg, clock, metrics } = setup()
    const flags = bg({ interval: 10, key: 'flags' })(async () => {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 2000))
      return 'v'
    })
    await clock.advance(2000)
    expect(await flags()).toBe('v')
    expect(metrics.getStats().backgroundRefresh.flags).toEqual({ success: 1, failure: 0, avgMs: 2000 })
  })

  it('uses the clock option over the instance clock', async () => {
    const { bg, clock } = setup()
    const own = new ManualClock()
    const fn = counter()
    bg({ interval: 10, key: 'flags', clock: own })(fn)
    await clock.advance(30_000)
    expect(fn).toHaveBeenCalledTimes(1)
    await own.advance(30_000)
    expect(fn).toHaveBeenCalledTimes(4)
  })

  it('with an infinite interval loads once and keeps no timer', async () => {
    const { bg, clock, store } = setup()
    const flags = bg({ interval: Number.POSITIVE_INFINITY, key: 'flags' })(async () => 'once')
    expect(await flags()).toBe('once')
    expect(clock.pendingTimers).toBe(0)
    expect(store.getSync('flags')?.staleUntil).toBe(Number.POSITIVE_INFINITY)
  })

  it('stop() ends the schedule of one loader; it keeps serving its last value', async () => {
    const { bg, clock } = setup()
    const a = counter()
    const b = counter()
    const flags = bg({ interval: 10, key: 'a' })(a)
    bg({ interval: 10, key: 'b' })(b)
    await flags.stop()
    await clock.advance(30_000)
    expect(a).toHaveBeenCalledTimes(1)
    expect(b).toHaveBeenCalledTimes(4)
    expect(await flags()).toBe(1)
  })

  it('validates options at registration, naming the option', () => {
    const { bg } = setup()
    const configError = (f: () => unknown, option: string) => {
      try {
        f()
      } catch (error) {
        expect(CacheConfigError.isInstance(error)).toBe(true)
        expect((error as CacheConfigError).option).toBe(option)
        return
      }
      throw new Error('expected a CacheConfigError')
    }
    configError(() => bg({ key: 'k' } as never), 'interval')
    configError(() => bg({ interval: 0, key: 'k' }), 'interval')
    configError(() => bg({ interval: -1, key: 'k' }), 'interval')
    configError(() => bg({ interval: 'soon' as never, key: 'k' }), 'interval')
    configError(() => bg({ interval: 10, ttl: 0, key: 'k' }), 'ttl')
    configError(() => bg({ interval: 10, key: '' }), 'key')
    configError(() => bg({ interval: 10, key: 'user:{0}' }), 'key')
    configError(() => bg({ interval: 10, key: 42 as never }), 'key')
    configError(() => bg({ interval: 10, key: 'k', runImmediately: 'yes' as never }), 'runImmediately')
    configError(() => bg({ interval: 10, key: 'k', store: {} as never }), 'store')
    configError(() => bg({ interval: 10, key: 'k', onError: 'log' as never }), 'onError')
    configError(() => bg({ interval: 10, key: 'k' })('not a function' as never), 'fn')
    configError(() => bg({ interval: 10, key: 'k', runImmediatly: false } as never), 'runImmediatly')
    configError(() => bg(null as never), 'options')
    configError(() => bg.read('k', { interval: 10, stor: {} } as never), 'stor')
    configError(() => bg.read('k', 'fast' as never), 'options')
    configError(() => createBg({} as InstanceDefaults, { shutdownScope: 'all' as never }), 'shutdownScope')
  })

  it('accepts a store factory, called once at registration', async () => {
    const { bg, clock } = setup()
    const other = new TestStore(clock)
    const factory = vi.fn(() => other)
    await bg({ interval: 10, key: 'flags', store: factory })(async () => 'v')()
    await clock.advance(20_000)
    expect(factory).toHaveBeenCalledTimes(1)
    expect(other.getSync('flags')?.value).toBe('v')
  })
})

describe('bg.write and bg.read', () => {
  it('allows one writer per key per process, across instances sharing a namespace', async () => {
    const first = setup()
    const second = setup()
    const writer = first.bg.write({ interval: 10, key: 'rates' })(counter())
    const attempt = () => second.bg.write({ interval: 10, key: 'rates' })(counter())
    expect(attempt).toThrow(CacheConfigError)
    expect(attempt).toThrow(/already registered/)
    // another namespace is another key
    setup({ prefix: 'tenant-b' }).bg.write({ interval: 10, key: 'rates' })(counter())
    // a plain bg() loader is not a writer
    first.bg({ interval: 10, key: 'rates' })(counter())
    await writer.stop()
    expect(attempt).not.toThrow()
  })

  it('shares the writer registry with every copy of the package through globalThis', async () => {
    const registry = (globalThis as Record<symbol, Map<string, unknown> | undefined>)[
      Symbol.for('stratacache.bg.writers.v1')
    ]
    const { bg } = setup()
    const writer = bg.write({ interval: 10, key: 'rates' })(counter())
    // what another copy of @stratacache/core sees
    const seen = (globalThis as Record<symbol, Map<string, { intervalMs: number }>>)[
      Symbol.for('stratacache.bg.writers.v1')
    ]
    expect(seen?.get('rates')?.intervalMs).toBe(10_000)
    await writer.stop()
    expect(seen?.has('rates')).toBe(false)
    if (registry !== undefined) expect(seen).toBe(registry)
    // a writer registered by another copy blocks this one
    const clock = new ManualClock()
    seen?.set('fx', { store: new TestStore(clock), intervalMs: 1000, idle: async () => {} } as never)
    expect(() => bg.write({ interval: 10, key: 'fx' })(counter())).toThrow(CacheConfigError)
    seen?.delete('fx')
  })

  it('bg.write stores for readers; bg.read mirrors it and sees updates within one reader interval', async () => {
    const { bg, clock, store } = setup()
    let rate = 1.1
    const writer = bg.write({ interval: 60, key: 'rates' })(async () => ({ eur: rate }))
    expect(await writer()).toEqual({ eur: 1.1 })
    const rates = bg.read<{ eur: number }>('rates', { interval: 30, store })
    expect(rates()).toBeUndefined() // registration starts a sync; the getter never waits
    await rates.ready
    expect(rates()).toEqual({ eur: 1.1 })
    rate = 1.2
    await clock.advance(60_000) // the writer refreshes at t = 60 s, the reader syncs at t = 60 s too
    await clock.advance(30_000)
    expect(rates()).toEqual({ eur: 1.2 })
    expect(rates.key).toBe('rates')
  })

  it('bg.read never touches the store when called', async () => {
    const { bg, store } = setup()
    await bg.write({ interval: 60, key: 'rates' })(async () => 'r')()
    const rates = bg.read<string>('rates', { interval: 30, store })
    await rates.ready
    const gets = store.gets
    for (let i = 0; i < 1000; i++) expect(rates()).toBe('r')
    expect(store.gets).toBe(gets)
  })

  it("without a store, bg.read uses this process's writer: its store, its interval and its first load", async () => {
    const { bg, clock } = setup()
    const other = new TestStore(clock)
    let n = 0
    bg.write({ interval: 20, key: 'rates', store: other })(async () => ++n)
    const rates = bg.read<number>('rates')
    await rates.ready
    expect(rates()).toBe(1) // waited for the writer's first load
    await clock.advance(20_000)
    expect(rates()).toBe(2)
    expect(other.gets).toBe(3) // rehydration check + two syncs
  })

  it("a writer whose first load hangs does not stall a same-process reader's own schedule", async () => {
    const { bg, clock, store } = setup()
    bg.write({ interval: 60, key: 'rates' })(() => new Promise<string>(() => {}))
    const rates = bg.read<string>('rates')
    store.setSync('rates', {
      value: 'planted',
      createdAt: clock.now(),
      freshUntil: Infinity,
      staleUntil: Infinity,
    })
    await clock.advance(60_000)
    expect(rates()).toBe('planted')
    await bg.shutdown({ timeout: 0 })
  })

  it('without a store and without a writer, bg.read throws CacheConfigError', () => {
    const { bg, store } = setup()
    const attempt = () => bg.read('rates', { interval: 30 })
    expect(attempt).toThrow(CacheConfigError)
    expect(attempt).toThrow(/no "store" given/)
    expect(() => bg.read('rates', { store })).toThrow(/"interval" is required/)
    expect(() => bg.read('rates:{0}', { interval: 30, store })).toThrow(CacheConfigError)
    // the writer of another namespace is not this instance's writer
    setup({ prefix: 'other' }).bg.write({ interval: 10, key: 'rates' })(counter())
    expect(attempt).toThrow(CacheConfigError)
  })

  it('gives two readers two mirrors', async () => {
    const { bg, clock, store } = setup()
    let n = 0
    bg.write({ interval: 10, key: 'rates' })(async () => ++n)
    const fast = bg.read<number>('rates', { interval: 10, store })
    const slow = bg.read<number>('rates', { interval: 45, store })
    await Promise.all([fast.ready, slow.ready])
    await clock.advance(10_000)
    expect(fast()).toBe(2)
    expect(slow()).toBe(1)
    await fast.stop()
    await clock.advance(35_000)
    expect(fast()).toBe(2)
    expect(slow()).toBe(5)
  })

  it('keeps the mirror while the store fails or the entry expires, reporting once per streak by default', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { bg, clock, store, metrics } = setup({ collectErrors: false })
    const writer = bg.write({ interval: 10, key: 'rates' })(async () => 'r1')
    await writer()
    const rates = bg.read<string>('rates', { interval: 10, store })
    await rates.ready
    store.failGet = true
    await clock.advance(50_000)
    expect(rates()).toBe('r1')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/bg.read "rates".*store "memory"/)
    store.failGet = false
    await writer.stop() // the writer dies: its entry expires after ttl = 20 s
    await clock.advance(100_000)
    expect(rates()).toBe('r1')
    expect(warn).toHaveBeenCalledTimes(2)
    expect(String(warn.mock.calls[1]?.[0])).toMatch(/has its writer stopped/)
    const refresh = metrics.getStats().backgroundRefresh.rates
    expect(refresh?.failure).toBeGreaterThanOrEqual(10)
    expect(metrics.getStats().errors['rates.get']).toEqual({ CacheStoreError: 5 })
  })

  it('reports to a chosen onError every failed sync, and a missing entry as a CacheError', async () => {
    const { bg, clock, store } = setup()
    const errors: unknown[] = []
    await bg.write({ interval: 10, key: 'rates' })(async () => 'r')()
    const rates = bg.read('rates', { interval: 10, store, onError: (e) => errors.push(e) })
    await rates.ready
    store.deleteSync('rates')
    await clock.advance(20_000)
    expect(errors).toHaveLength(0) // the writer wrote it back at t = 10 s, before the reader's sync
    await bg.shutdown()
    const reader = bg.read('rates', { interval: 10, store, onError: (e) => errors.push(e) })
    await reader.ready
    store.deleteSync('rates')
    await clock.advance(20_000)
    expect(errors).toHaveLength(2)
    expect(CacheError.isInstance(errors[0])).toBe(true)
    expect(reader()).toBe('r')
  })

  it('with runImmediately: false, the reader syncs first after one interval; ready settles then', async () => {
    const { bg, clock, store } = setup()
    await bg.write({ interval: 60, key: 'rates' })(async () => 'r')()
    const rates = bg.read('rates', { interval: 30, store, runImmediately: false })
    let ready = false
    void rates.ready.then(() => {
      ready = true
    })
    await clock.advance(29_999)
    expect(rates()).toBeUndefined()
    expect(ready).toBe(false)
    await clock.advance(1)
    expect(rates()).toBe('r')
    expect(ready).toBe(true)
  })

  it('a reader started before any entry exists stays quiet until the writer writes', async () => {
    const { bg, clock, store, errors } = setup()
    const rates = bg.read('rates', { interval: 10, store })
    await clock.advance(30_000)
    expect(rates()).toBeUndefined()
    expect(errors).toHaveLength(0)
    bg.write({ interval: 60, key: 'rates' })(async () => 'late')
    await clock.advance(10_000)
    expect(rates()).toBe('late')
  })
})

describe('bg.shutdown()', () => {
  it("stops every timer of the instance's loaders, writers and readers and frees the writer keys", async () => {
    const { bg, clock, store } = setup()
    const fn = counter()
    bg({ interval: 10, key: 'a' })(fn)
    bg.write({ interval: 10, key: 'b' })(counter())
    bg.read('b', { interval: 5, store })
    expect(clock.pendingTimers).toBe(3)
    await bg.shutdown()
    expect(clock.pendingTimers).toBe(0)
    await clock.advance(60_000)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(() => bg.write({ interval: 10, key: 'b' })(counter())).not.toThrow()
  })

  it('waits for the refreshes in flight', async () => {
    const { bg } = setup()
    const slow = deferred<string>()
    const flags = bg({ interval: 10, key: 'flags' })(() => slow.promise)
    let done = false
    const shutdown = bg.shutdown().then(() => {
      done = true
    })
    await Promise.resolve()
    expect(done).toBe(false)
    slow.resolve('v')
    await shutdown
    expect(flags.peek()).toBe('v')
  })

  it('abandons a hung refresh after its timeout', async () => {
    const { bg, clock } = setup()
    const flags = bg({ interval: 10, key: 'flags' })(() => new Promise<string>(() => {}))
    let done = false
    const shutdown = bg.shutdown({ timeout: '2s' }).then(() => {
      done = true
    })
    await clock.advance(1999)
    expect(done).toBe(false)
    await clock.advance(1)
    await shutdown
    expect(clock.pendingTimers).toBe(0)
    expect(flags.peek()).toBeUndefined()
    const immediate = bg({ interval: 10, key: 'other' })(() => new Promise<string>(() => {}))
    await bg.shutdown({ timeout: 0 })
    expect(immediate.peek()).toBeUndefined()
    expect(clock.pendingTimers).toBe(0)
    expect(() => bg.shutdown({ timeout: -1 })).toThrow(CacheConfigError)
  })

  it("an instance's shutdown stops only its own tasks; a process-scoped one stops every instance's", async () => {
    const a = setup()
    const b = setup()
    const aFn = counter()
    const bFn = counter()
    a.bg({ interval: 10, key: 'x' })(aFn)
    b.bg({ interval: 10, key: 'x' })(bFn)
    await a.bg.shutdown()
    expect(a.clock.pendingTimers).toBe(0)
    expect(b.clock.pendingTimers).toBe(1)
    const top = createBg(
      {
        store: () => a.store,
        hasExplicitStore: false,
        prefix: '',
        ttl: undefined,
        metrics: NULL_METRICS,
        onError: defaultErrorHandler,
        clock: a.clock,
      },
      { shutdownScope: 'process' },
    )
    await top.shutdown()
    expect(b.clock.pendingTimers).toBe(0)
  })

  it('createCache instances compose bg: prefix isolation, and the top-level bg.shutdown() stops them all', async () => {
    const clock = new ManualClock()
    const store = new TestStore(clock)
    const billing = createCache({ store, prefix: 'billing', clock })
    const search = createCache({ store, prefix: 'search', clock })
    const billingFlags = billing.bg.write({ interval: 10, key: 'flags' })(async () => 'billing')
    const searchFlags = search.bg.write({ interval: 10, key: 'flags' })(async () => 'search')
    expect([await billingFlags(), await searchFlags()]).toEqual(['billing', 'search'])
    expect(store.getSync('billing:flags')?.value).toBe('billing')
    expect(() => search.bg.read('flags', { store }).stop()).not.toThrow()
    await billing.bg.shutdown()
    expect(clock.pendingTimers).toBe(1)
    await topLevelBg.shutdown()
    expect(clock.pendingTimers).toBe(0)
  })
})

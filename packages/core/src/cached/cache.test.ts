import { describe, expect, it, vi } from 'vitest'
import { createCache } from '../create-cache'
import { CacheConfigError, CacheKeyError, CacheStoreError, CacheTimeoutError } from '../errors'
import { InMemoryMetrics } from '../metrics/in-memory-metrics'
import { MemoryStore } from '../store/memory-store'
import { ManualClock } from '../testing/manual-clock'
import { deferred, FaultyStore, ThrowingSyncStore } from './store-doubles.fixture'

function setup(options: { prefix?: string } = {}) {
  const clock = new ManualClock()
  const errors: unknown[] = []
  const instance = createCache({ clock, onError: (error) => errors.push(error), ...options })
  return { clock, errors, ...instance }
}

describe('cache(): hits, misses and controls', () => {
  it('calls on a miss, serves hits, invalidates, clears and names its keys', async () => {
    const { cache } = setup()
    const load = vi.fn(async (id: number) => ({ id }))
    const getUser = cache({ ttl: 60, key: 'user:{0}' })(load)
    const first = await getUser(42)
    expect(await getUser(42)).toBe(first)
    expect(load).toHaveBeenCalledTimes(1)
    expect(getUser.key(42)).toBe('user:42')
    expect(getUser.store).toBeInstanceOf(MemoryStore)
    expect(await getUser.invalidate(42)).toBe(true)
    expect(await getUser.invalidate(42)).toBe(false)
    await getUser(42)
    expect(load).toHaveBeenCalledTimes(2)
    await getUser(7)
    await getUser.clear()
    await getUser(42)
    await getUser(7)
    expect(load).toHaveBeenCalledTimes(5)
  })

  it('keeps the function name and arity', () => {
    const { cache } = setup()
    const cached = cache({ ttl: 60 })(async function getUser(_id: number, _full: boolean) {
      return 1
    })
    expect(cached.name).toBe('getUser')
    expect(cached.length).toBe(2)
  })

  it('expires entries after ttl on the injected clock', async () => {
    const { cache, clock } = setup()
    let calls = 0
    const next = cache({ ttl: '1s', key: 'n' })(async () => ++calls)
    expect(await next()).toBe(1)
    await clock.advance(999)
    expect(await next()).toBe(1)
    await clock.advance(1)
    expect(await next()).toBe(2)
  })

  it('gives each function its own store by default, and a default key of name:<arguments>', async () => {
    const { cache } = setup()
    const a = cache({ ttl: 60 })(async function same(x: number) {
      return `a${x}`
    })
    const b = cache({ ttl: 60 })(async function same(x: number) {
      return `b${x}`
    })
    expect(a.key(1)).toBe(b.key(1))
    expect(a.key(1)).toBe('same:1')
    expect(await a(1)).toBe('a1')
    expect(await b(1)).toBe('b1')
    expect(a.store).not.toBe(b.store)
  })

  it('bypasses the cache entirely with ttl: 0', async () => {
    const { cache } = setup()
    const load = vi.fn(async (x: number) => x * 2)
    const doubled = cache({ ttl: 0, key: 'd:{0}' })(load)
    expect(await doubled(2)).toBe(4)
    expect(await doubled(2)).toBe(4)
    expect(load).toHaveBeenCalledTimes(2)
    expect(await doubled.store.has('d:2')).toBe(false)
    expect(await doubled.refresh(3)).toBe(6)
    expect(await doubled.store.has('d:3')).toBe(false)
  })

  it('peeks without calling and refreshes by always calling', async () => {
    const { cache } = setup()
    let version = 0
    const config = cache({ ttl: 60, key: 'config:{0}' })(async (name: string) => `${name}@${++version}`)
    expect(await config.peek('a')).toBeUndefined()
    expect(version).toBe(0)
    expect(await config('a')).toBe('a@1')
    expect(await config.peek('a')).toBe('a@1')
    expect(await config.refresh('a')).toBe('a@2')
    expect(await config('a')).toBe('a@2')
  })

  it('stores undefined and null by default, and honours cacheIf', async () => {
    const { cache } = setup()
    const nothing = vi.fn(async () => undefined)
    const cachedNothing = cache({ ttl: 60, key: 'nothing' })(nothing)
    await cachedNothing()
    await cachedNothing()
    expect(nothing).toHaveBeenCalledTimes(1)

    const find = vi.fn(async (id: number) => (id > 0 ? { id } : null))
    const cachedFind = cache({ ttl: 60, key: 'find:{0}', cacheIf: (value) => value !== null })(find)
    expect(await cachedFind(-1)).toBeNull()
    expect(await cachedFind(-1)).toBeNull()
    await cachedFind(1)
    await cachedFind(1)
    expect(find).toHaveBeenCalledTimes(3)
  })

  it('stores tags from a list or a function of the arguments', async () => {
    const { cache } = setup()
    const byId = cache({ ttl: 60, key: 'u:{0}', tags: (id: number) => [`user:${id}`, 'users'] })(
      async (id: number) => id,
    )
    const fixed = cache({ ttl: 60, key: 'f', tags: ['fixed'] })(async () => 1)
    await byId(3)
    await fixed()
    expect((await byId.store.get('u:3'))?.tags).toEqual(['user:3', 'users'])
    expect((await fixed.store.get('f'))?.tags).toEqual(['fixed'])
  })

  it('never caches the function’s own errors', async () => {
    const { cache, errors } = setup()
    let calls = 0
    const flaky = cache({ ttl: 60, key: 'flaky' })(async () => {
      calls++
      if (calls === 1) throw new Error('first call fails')
      return 'ok'
    })
    await expect(flaky()).rejects.toThrow('first call fails')
    expect(await flaky()).toBe('ok')
    expect(errors).toEqual([])
  })

  it('rejects (does not throw) when a key cannot be built for an async wrapper', async () => {
    const { cache } = setup()
    const byFn = cache({ ttl: 60, key: '{0}' })(async (value: unknown) => value)
    await expect(byFn(() => 1)).rejects.toBeInstanceOf(CacheKeyError)
  })
})

describe('cache(): stores that answer some reads at once (tryGetSync)', () => {
  /** An async-only store whose tryGetSync answers from its inner MemoryStore, for keys marked local. */
  function syncFirstStore(clock: ManualClock) {
    const store = new FaultyStore(clock)
    const local = new Set<string>()
    const tries: string[] = []
    const tryGetSync = (key: string) => {
      tries.push(key)
      return local.has(key) ? store.inner.getSync(key) : undefined
    }
    return Object.assign(store, { tryGetSync, local, tries })
  }

  it('serves a fresh early answer without awaiting get, and asks get when there is none', async () => {
    const { cache, clock } = setup()
    const store = syncFirstStore(clock)
    const load = vi.fn(async (id: number) => `user ${id}`)
    const get = cache({ ttl: 60, key: 'u:{0}', store })(load)
    expect(await get(1)).toBe('user 1') // no early answer: get() misses, the function runs
    expect(store.calls.get).toBe(1)
    store.local.add('u:1')
    expect(await get(1)).toBe('user 1') // early answer: get() is not called
    expect(store.calls.get).toBe(1)
    store.local.delete('u:1')
    expect(await get(1)).toBe('user 1') // no early answer, but get() finds it
    expect(store.calls.get).toBe(2)
    expect(load).toHaveBeenCalledTimes(1)
    expect(store.tries).toEqual(['u:1', 'u:1', 'u:1'])
  })

  it('serves a stale early answer and refreshes it once', async () => {
    const { cache, clock } = setup()
    const store = syncFirstStore(clock)
    let version = 0
    const get = cache({ ttl: 1, stale: 60, key: 'k', store })(async () => ++version)
    expect(await get()).toBe(1)
    store.local.add('k')
    await clock.advance(1000)
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1])
    await clock.advance(0)
    expect(await get()).toBe(2)
    expect(version).toBe(2)
  })

  it('treats a throwing tryGetSync as no early answer', async () => {
    const { cache, clock } = setup()
    const store = Object.assign(new FaultyStore(clock), {
      tryGetSync: () => {
        throw new Error('early read exploded')
      },
    })
    const get = cache({ ttl: 60, key: 'k', store })(async () => 'v')
    expect(await get()).toBe('v')
    expect(await get()).toBe('v')
    expect(store.calls.get).toBe(2)
  })
})

describe('cache(): single-flight', () => {
  it('shares one call among concurrent misses for a key', async () => {
    const { cache } = setup()
    const gate = deferred<string>()
    const load = vi.fn(async (_id: number) => gate.promise)
    const get = cache({ ttl: 60, key: 'k:{0}' })(load)
    const callers = Array.from({ length: 10 }, () => get(1))
    const other = get(2)
    gate.resolve('v')
    expect(await Promise.all(callers)).toEqual(Array(10).fill('v'))
    await other
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('over an async store, serves stale at once while a refresh is running', async () => {
    const { cache, clock } = setup()
    const store = new FaultyStore(clock)
    let gate: Promise<void> = Promise.resolve()
    let version = 0
    const get = cache({ ttl: 1, stale: 60, key: 'k', store })(async () => {
      await gate
      return ++version
    })
    expect(await get()).toBe(1)
    await clock.advance(1000)
    const slow = deferred<void>()
    gate = slow.promise
    expect(await get()).toBe(1) // stale, starts the refresh
    let second: number | undefined
    void get().then((value) => {
      second = value
    })
    await clock.advance(0)
    expect(second).toBe(1) // served stale without waiting for the running refresh
    slow.resolve()
    await clock.advance(0)
    expect(await get()).toBe(2)
    expect(version).toBe(2)
  })

  it('sends one store read for a stampede of callers on a cold key', async () => {
    const { cache, clock } = setup()
    const store = new FaultyStore(clock)
    const load = vi.fn(async () => 'v')
    const get = cache({ ttl: 60, key: 'cold', store })(load)
    expect(await Promise.all(Array.from({ length: 100 }, () => get()))).toEqual(Array(100).fill('v'))
    expect(store.calls.get).toBe(1)
    expect(load).toHaveBeenCalledTimes(1)
    expect(await get()).toBe('v') // the shared read is over: the next call reads again
    expect(store.calls.get).toBe(2)
  })

  it('does not hand a read begun before an invalidation to later callers', async () => {
    const { cache, clock } = setup()
    let gate: Promise<void> = Promise.resolve()
    class SlowReads extends FaultyStore {
      override async get(key: string) {
        const read = super.get(key) // reads now…
        await gate // …answers later
        return read
      }
    }
    const store = new SlowReads(clock)
    let version = 0
    const get = cache({ ttl: 60, key: 'k', store })(async () => ++version)
    expect(await get()).toBe(1)
    const slow = deferred<void>()
    gate = slow.promise
    const before = get() // its read saw version 1 and is still in flight
    await clock.advance(0)
    await get.invalidate()
    gate = Promise.resolve()
    const after = get()
    slow.resolve()
    expect(await before).toBe(1)
    expect(await after).toBe(2)
  })

  it('lets callers arriving while a computation is in flight join it without reading the store', async () => {
    const { cache, clock } = setup()
    const store = new FaultyStore(clock)
    const gate = deferred<string>()
    const load = vi.fn(async () => gate.promise)
    const get = cache({ ttl: 60, key: 'cold', store })(load)
    const first = get()
    await clock.advance(0)
    expect(load).toHaveBeenCalledTimes(1)
    const late = Array.from({ length: 50 }, () => get())
    gate.resolve('v')
    expect(await Promise.all([first, ...late])).toEqual(Array(51).fill('v'))
    expect(store.calls.get).toBe(1)
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('shares one call over an async store, even for a function that returns at once', async () => {
    const { cache, clock } = setup()
    const store = new FaultyStore(clock)
    const load = vi.fn((id: number) => id * 2)
    const get = cache({ ttl: 60, key: 'k:{0}', store })(load)
    expect(await Promise.all(Array.from({ length: 10 }, () => get(4)))).toEqual(Array(10).fill(8))
    expect(load).toHaveBeenCalledTimes(1)
    expect(await get(4)).toBe(8)
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('delivers a rejection to every waiter and stores nothing', async () => {
    const { cache } = setup()
    const gate = deferred<string>()
    const load = vi.fn(async () => gate.promise)
    const get = cache({ ttl: 60, key: 'k' })(load)
    const callers = Array.from({ length: 5 }, () => get())
    gate.reject(new Error('backend down'))
    const results = await Promise.allSettled(callers)
    expect(
      results.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'backend down'),
    ).toBe(true)
    expect(load).toHaveBeenCalledTimes(1)
    expect(await get.store.has('k')).toBe(false)
  })

  it('does not store the result of a computation invalidated while in flight', async () => {
    const { cache } = setup()
    const gate = deferred<string>()
    const get = cache({ ttl: 60, key: 'k' })(async () => gate.promise)
    const pending = get()
    await get.invalidate()
    gate.resolve('old')
    expect(await pending).toBe('old')
    expect(await get.store.has('k')).toBe(false)
  })
})

describe('cache(): stale-while-revalidate', () => {
  it('serves stale at once and runs one refresh for 20 concurrent stale reads', async () => {
    const { cache, clock } = setup()
    let version = 0
    const gate = deferred<void>()
    const load = vi.fn(async () => {
      version++
      if (version > 1) await gate.promise
      return version
    })
    const get = cache({ ttl: 10, stale: 20, key: 'v' })(load)
    expect(await get()).toBe(1)
    await clock.advance(10_000)
    const reads = await Promise.all(Array.from({ length: 20 }, () => get()))
    expect(reads).toEqual(Array(20).fill(1))
    await clock.advance(0)
    expect(load).toHaveBeenCalledTimes(2)
    // Still in flight: more stale reads do not start another refresh.
    expect(await get()).toBe(1)
    expect(load).toHaveBeenCalledTimes(2)
    gate.resolve()
    await clock.advance(0)
    expect(await get()).toBe(2)
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('keeps the stale value when a refresh fails, reports it, and lets a later stale read retry', async () => {
    const { cache, clock, errors } = setup()
    const metrics = new InMemoryMetrics()
    let calls = 0
    const get = cache({ ttl: 10, stale: 60, key: 'v', metrics, name: 'v' })(async () => {
      calls++
      if (calls === 2) throw new Error('refresh failed')
      return calls
    })
    expect(await get()).toBe(1)
    await clock.advance(10_000)
    expect(await get()).toBe(1)
    await clock.advance(0)
    expect(errors).toHaveLength(1)
    expect((errors[0] as Error).message).toBe('refresh failed')
    expect(await get()).toBe(1)
    await clock.advance(0)
    expect(await get()).toBe(3)
    const stats = metrics.getStats()
    expect(stats.caches.v).toMatchObject({ stale: 2 })
    expect(Object.values(stats.backgroundRefresh)[0]).toMatchObject({ success: 1, failure: 1 })
    expect(stats.errors).toEqual({ 'v.refresh': { Error: 1 } }) // counted once, as a refresh
  })

  it('treats an entry past ttl + stale as a miss the caller waits for', async () => {
    const { cache, clock } = setup()
    let calls = 0
    const get = cache({ ttl: 10, stale: 5, key: 'v' })(async () => ++calls)
    await get()
    await clock.advance(15_000)
    expect(await get()).toBe(2)
  })
})

describe('cache(): a failing store never breaks the caller', () => {
  it('treats a failing get as a miss and drops a failing set, reporting both', async () => {
    const { cache, clock, errors } = setup()
    const store = new FaultyStore(clock)
    const metrics = new InMemoryMetrics()
    store.failing.add('get')
    store.failing.add('set')
    const load = vi.fn(async (id: number) => id * 10)
    const get = cache({ ttl: 60, key: 'k:{0}', store, metrics })(load)
    expect(await get(1)).toBe(10)
    expect(await get(1)).toBe(10)
    expect(load).toHaveBeenCalledTimes(2)
    expect(errors).toHaveLength(4)
    expect(errors.every((e) => CacheStoreError.isInstance(e))).toBe(true)
    expect(errors[0]).toMatchObject({ store: 'faulty', operation: 'get', key: 'k:1' })
    expect(Object.keys(metrics.getStats().errors).length).toBeGreaterThan(0)
    store.failing.clear()
    await get(1)
    expect(await get(1)).toBe(10)
    expect(load).toHaveBeenCalledTimes(3)
  })

  it('bounds hanging store calls with operationTimeout and leaves no timer behind', async () => {
    const { cache, clock, errors } = setup()
    const store = new FaultyStore(clock)
    store.hanging.add('get')
    store.hanging.add('set')
    const get = cache({ ttl: 60, key: 'k', store, operationTimeout: '100ms' })(async () => 'v')
    const result = get()
    await clock.advance(100)
    await clock.advance(100)
    expect(await result).toBe('v')
    expect(errors.map((e) => CacheTimeoutError.isInstance(e) && (e as CacheTimeoutError).operation)).toEqual([
      'get',
      'set',
    ])
    expect(clock.pendingTimers).toBe(0)
  })

  it('absorbs a throwing synchronous store', () => {
    const { cache, clock, errors } = setup()
    const get = cache({ ttl: 60, key: 'k', store: new ThrowingSyncStore({ clock, maxEntries: 10 }) })(
      (x: number) => x + 1,
    )
    expect(get(1)).toBe(2)
    expect(errors).toHaveLength(2)
  })

  it('returns the value when the store cannot encode it', async () => {
    const { cache, clock, errors } = setup()
    const store = new FaultyStore(clock)
    store.inner.set = async () => {
      throw new (await import('../errors')).CacheSerializationError('cannot encode', { key: 'k' })
    }
    const get = cache({ ttl: 60, key: 'k', store })(async () => ({ fn: 'x' }))
    expect(await get()).toEqual({ fn: 'x' })
    await vi.waitFor(() => expect(errors).toHaveLength(1)) // the write completes after the caller got its value
    expect((errors[0] as Error).name).toBe('CacheSerializationError')
  })

  it('rejects invalidate and clear when the store fails (explicit operations)', async () => {
    const { cache, clock } = setup()
    const store = new FaultyStore(clock)
    store.failing.add('delete')
    store.failing.add('clear')
    const get = cache({ ttl: 60, key: 'k', store })(async () => 1)
    await expect(get.invalidate()).rejects.toBeInstanceOf(CacheStoreError)
    await expect(get.clear()).rejects.toBeInstanceOf(CacheStoreError)
  })
})

describe('cache(): synchronous functions', () => {
  it('stays synchronous over a store with synchronous methods', () => {
    const { cache } = setup()
    const square = vi.fn((x: number) => x * x)
    const cached = cache({ ttl: 60, key: 'sq:{0}' })(square)
    expect(cached(3)).toBe(9)
    expect(cached(3)).toBe(9)
    expect(square).toHaveBeenCalledTimes(1)
    expect(cached.peek(3)).toBe(9)
    expect(cached.refresh(3)).toBe(9)
    expect(square).toHaveBeenCalledTimes(2)
  })

  it('refreshes a stale synchronous entry after returning the stale value', async () => {
    const { cache, clock } = setup()
    let version = 0
    const read = cache({ ttl: 1, stale: 10, key: 'r' })(() => ++version)
    expect(read()).toBe(1)
    await clock.advance(1000)
    expect(read()).toBe(1)
    expect(version).toBe(1)
    await clock.advance(0)
    expect(version).toBe(2)
    expect(read()).toBe(2)
  })

  it('returns a Promise over an async store', async () => {
    const { cache, clock } = setup()
    const cached = cache({ ttl: 60, key: 'sq:{0}', store: new FaultyStore(clock) })((x: number) => x * x)
    const result = cached(4)
    expect(result).toBeInstanceOf(Promise)
    expect(await result).toBe(16)
  })

  it('detects a function that returns promises without being declared async', async () => {
    const { cache } = setup()
    const load = vi.fn((x: number) => Promise.resolve(x + 1))
    const cached = cache({ ttl: 60, key: 'p:{0}' })(load)
    const [a, b] = [cached(1), cached(1)]
    expect(await a).toBe(2)
    expect(await b).toBe(2)
    const hit = cached(1)
    expect(hit).toBeInstanceOf(Promise)
    expect(await hit).toBe(2)
    expect(load).toHaveBeenCalledTimes(1)
  })
})

describe('cache(): metrics', () => {
  it('records hits, misses, stale reads, sets and deletes under the name', async () => {
    const { cache, clock } = setup()
    const metrics = new InMemoryMetrics()
    const get = cache({ ttl: 1, stale: 10, key: 'k', metrics, name: 'users' })(async () => 1)
    await get()
    await get()
    await clock.advance(1000)
    await get()
    await clock.advance(0)
    await get.invalidate()
    expect(metrics.getStats().caches.users).toMatchObject({
      hits: 2,
      misses: 1,
      stale: 1,
      sets: 2,
      deletes: 1,
    })
  })
})

describe('cache(): options', () => {
  it('validates options once, naming the option', () => {
    const { cache } = setup()
    const optionOf = (run: () => unknown) => {
      try {
        run()
      } catch (error) {
        return CacheConfigError.isInstance(error) ? error.option : error
      }
      return 'no error'
    }
    expect(optionOf(() => cache({}))).toBe('ttl')
    expect(optionOf(() => cache({ ttl: -1 }))).toBe('ttl')
    expect(optionOf(() => cache({ ttl: 1, stale: 'soon' as never }))).toBe('stale')
    expect(optionOf(() => cache({ ttl: 1, singleFlight: 'fleet' as never }))).toBe('singleFlight')
    expect(optionOf(() => cache({ ttl: 1, operationTimeout: 0 }))).toBe('operationTimeout')
    expect(optionOf(() => cache({ ttl: 1, key: 3 as never }))).toBe('key')
    expect(optionOf(() => cache({ ttl: 1, tags: [1] as never }))).toBe('tags')
    expect(optionOf(() => cache({ ttl: 1, cacheIf: true as never }))).toBe('cacheIf')
    expect(optionOf(() => cache({ ttl: 1, store: {} as never }))).toBe('store')
    expect(optionOf(() => cache({ ttl: 1, staleTime: 3 } as never))).toBe('staleTime')
    expect(optionOf(() => cache({ ttl: 1 })(async () => 1))).toBe('name')
  })

  it('throws CacheKeyError at decoration for an unresolvable placeholder', () => {
    const { cache } = setup()
    expect(() => cache({ ttl: 1, key: 'user:{userId}' })(async (id: string) => id)).toThrow(CacheKeyError)
  })

  it('calls a store factory once at decoration', async () => {
    const { cache, clock } = setup()
    const factory = vi.fn(() => new MemoryStore({ clock }))
    const get = cache({ ttl: 1, key: 'k', store: factory })(async () => 1)
    await get()
    await get()
    expect(factory).toHaveBeenCalledTimes(1)
    expect(get.store).toBe(factory.mock.results[0]?.value)
  })
})

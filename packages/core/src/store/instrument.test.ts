import { describe, expect, it } from 'vitest'
import { cache } from '../create-cache'
import { CacheConfigError, CacheStoreError } from '../errors'
import { NULL_METRICS } from '../metrics/collector'
import { InMemoryMetrics } from '../metrics/in-memory-metrics'
import type { ManualClock } from '../testing/manual-clock'
import { describeStoreConformance } from '../testing/store-conformance'
import { instrument } from './instrument'
import { MemoryStore } from './memory-store'
import { type CacheEntry, type CacheStore, isSyncStore, type SyncCacheStore } from './store'

const entry = (value: unknown): CacheEntry => ({
  value,
  createdAt: 0,
  freshUntil: Number.POSITIVE_INFINITY,
  staleUntil: Number.POSITIVE_INFINITY,
})

/** A bounded MemoryStore whose entries weigh 100 bytes each. */
const memoryStore = (clock?: ManualClock) => new MemoryStore({ maxEntries: 1000, sizeOf: () => 100, clock })

/** Only the asynchronous protocol of a store (no sync twins, no size). */
function asyncOnly(inner: CacheStore): CacheStore {
  return {
    name: 'async-memory',
    get: (key) => inner.get(key),
    set: (key, value) => inner.set(key, value),
    delete: (key) => inner.delete(key),
    has: (key) => inner.has(key),
    getMany: (keys) => inner.getMany(keys),
    setMany: (items) => inner.setMany(items),
    deleteMany: (keys) => inner.deleteMany(keys),
    setIfAbsent: (key, value) => inner.setIfAbsent(key, value),
    deleteMatching: (pattern) => inner.deleteMatching(pattern),
    clear: () => inner.clear(),
    close: () => inner.close(),
  }
}

/** A store whose every operation fails, as a dead backend does. */
function deadStore(): CacheStore {
  const fail = (operation: string) => () =>
    Promise.reject(new CacheStoreError(`redis ${operation} failed`, { store: 'redis', operation }))
  return {
    name: 'redis',
    get: fail('get'),
    set: fail('set'),
    delete: fail('delete'),
    has: fail('has'),
    getMany: fail('getMany'),
    setMany: fail('setMany'),
    deleteMany: fail('deleteMany'),
    setIfAbsent: fail('setIfAbsent'),
    deleteMatching: fail('deleteMatching'),
    clear: fail('clear'),
    close: fail('close'),
  }
}

describe('instrument', () => {
  it('counts hits and misses of get, getMany and has, and times each operation', async () => {
    const metrics = new InMemoryMetrics()
    const store = instrument(asyncOnly(memoryStore()), metrics, 'L2')
    expect(isSyncStore(store)).toBe(false)
    await store.set('a', entry(1))
    expect(await store.get('a')).toEqual(entry(1))
    expect(await store.get('b')).toBeUndefined()
    expect(await store.getMany(['a', 'b', 'c'])).toEqual([entry(1), undefined, undefined])
    expect(await store.has('a')).toBe(true)
    expect(await store.has('b')).toBe(false)
    const stats = metrics.getStats()
    expect(stats.caches).toEqual({
      L2: { hits: 3, misses: 4, sets: 1, deletes: 0, stale: 0, hitRatePercent: 42.86 },
    })
    expect(Object.keys(stats.latency)).toEqual(['L2.set', 'L2.get', 'L2.getMany', 'L2.has'])
    expect(stats.latency['L2.get']?.count).toBe(2)
    expect(stats.latency['L2.get']?.p99Ms).toBeGreaterThanOrEqual(0)
  })

  it('counts one set per entry written and one delete per entry removed', async () => {
    const metrics = new InMemoryMetrics()
    const store = instrument(asyncOnly(memoryStore()), metrics, 'L1')
    await store.setMany([
      ['user:1', entry(1)],
      ['user:2', entry(2)],
      ['user:3', entry(3)],
      ['post:1', entry(4)],
    ])
    expect(await store.setIfAbsent('user:1', entry(9))).toBe(false)
    expect(await store.setIfAbsent('user:4', entry(9))).toBe(true)
    expect(await store.delete('user:1')).toBe(true)
    expect(await store.delete('user:1')).toBe(false)
    expect(await store.deleteMany(['user:2', 'nope'])).toBe(1)
    expect(await store.deleteMatching('user:*')).toBe(2)
    await store.clear()
    expect(metrics.getStats().caches.L1).toMatchObject({ sets: 5, deletes: 4 })
    expect(Object.keys(metrics.getStats().latency)).toEqual([
      'L1.setMany',
      'L1.setIfAbsent',
      'L1.delete',
      'L1.deleteMany',
      'L1.deleteMatching',
      'L1.clear',
    ])
    expect(metrics.getStats().latency['L1.setIfAbsent']?.count).toBe(2)
  })

  it('gives each written entry its size when sizeOf is set, and none otherwise', async () => {
    const sets: unknown[][] = []
    const metrics = { ...NULL_METRICS, recordSet: (...args: unknown[]) => sets.push(args) }
    const sized = instrument(memoryStore(), metrics, 'L1', {
      sizeOf: (written) => String(written.value).length,
    })
    await sized.set('a', entry('four'))
    await sized.setMany([['b', entry('xy')]])
    await sized.setIfAbsent('c', entry('abc'))
    sized.setSync('d', entry(''))
    await instrument(memoryStore(), metrics, 'L2').set('a', entry('four'))
    expect(sets).toEqual([
      ['L1', 'a', 4],
      ['L1', 'b', 2],
      ['L1', 'c', 3],
      ['L1', 'd', 0],
      ['L2', 'a', undefined],
    ])
  })

  it('keeps the synchronous twins of a sync store, reporting them as get/set/delete', () => {
    const metrics = new InMemoryMetrics()
    const store = instrument(memoryStore(), metrics, 'L1')
    expect(isSyncStore(store)).toBe(true)
    store.setSync('a', entry(1))
    expect(store.getSync('a')).toEqual(entry(1))
    expect(store.getSync('b')).toBeUndefined()
    expect(store.deleteSync('a')).toBe(true)
    expect(store.deleteSync('a')).toBe(false)
    const stats = metrics.getStats()
    expect(stats.caches.L1).toEqual({ hits: 1, misses: 1, sets: 1, deletes: 1, stale: 0, hitRatePercent: 50 })
    expect(Object.keys(stats.latency)).toEqual(['L1.set', 'L1.get', 'L1.delete'])
    expect(stats.latency['L1.delete']?.count).toBe(2)
  })

  it('keeps a synchronous function cached over an instrumented MemoryStore synchronous', () => {
    const metrics = new InMemoryMetrics()
    const store = instrument(memoryStore(), metrics, 'L1')
    let calls = 0
    const square = cache({ ttl: 60, key: 'square:{0}', store })((n: number) => {
      calls++
      return n * n
    })
    expect(square(3)).toBe(9)
    expect(square(3)).toBe(9)
    expect(calls).toBe(1)
    expect(metrics.getStats().caches.L1).toMatchObject({ hits: 1, misses: 1, sets: 1 })
  })

  it('counts the hits of a sync-first store’s tryGetSync (a ChainStore with a memory first tier)', async () => {
    const metrics = new InMemoryMetrics()
    const inner = memoryStore()
    const syncFirst: CacheStore & { tryGetSync(key: string): CacheEntry | undefined } = {
      name: 'chain-like',
      get: (key) => inner.get(key),
      set: (key, value) => inner.set(key, value),
      delete: (key) => inner.delete(key),
      has: (key) => inner.has(key),
      getMany: (keys) => inner.getMany(keys),
      setMany: (items) => inner.setMany(items),
      deleteMany: (keys) => inner.deleteMany(keys),
      setIfAbsent: (key, value) => inner.setIfAbsent(key, value),
      deleteMatching: (pattern) => inner.deleteMatching(pattern),
      clear: () => inner.clear(),
      close: () => inner.close(),
      tryGetSync: (key) => inner.getSync(key),
    }
    const store = instrument(syncFirst, metrics, 'L1')
    const value = cache({ ttl: 60, key: 'v', store })(async () => 1)
    expect(await value()).toBe(1)
    expect(await value()).toBe(1)
    expect(await value()).toBe(1)
    expect(metrics.getStats().caches.L1).toMatchObject({ hits: 2, misses: 1 })
  })

  it('records failures by error type and re-throws them unchanged', async () => {
    const metrics = new InMemoryMetrics()
    const store = instrument(deadStore(), metrics)
    const calls: [string, () => Promise<unknown>][] = [
      ['get', () => store.get('k')],
      ['set', () => store.set('k', entry(1))],
      ['delete', () => store.delete('k')],
      ['has', () => store.has('k')],
      ['getMany', () => store.getMany(['k'])],
      ['setMany', () => store.setMany([['k', entry(1)]])],
      ['deleteMany', () => store.deleteMany(['k'])],
      ['setIfAbsent', () => store.setIfAbsent('k', entry(1))],
      ['deleteMatching', () => store.deleteMatching('*')],
      ['clear', () => store.clear()],
      ['close', () => store.close()],
    ]
    for (const [operation, call] of calls) {
      const error = await call().catch((e: unknown) => e)
      expect(CacheStoreError.isInstance(error) && error.operation).toBe(operation)
    }
    const stats = metrics.getStats()
    expect(stats.caches).toEqual({})
    expect(stats.errors).toEqual(
      Object.fromEntries(calls.map(([operation]) => [`redis.${operation}`, { CacheStoreError: 1 }])),
    )
    expect(stats.latency['redis.get']?.count).toBe(1)
  })

  it('records a failing synchronous operation and re-throws it', () => {
    const metrics = new InMemoryMetrics()
    const broken = memoryStore()
    broken.getSync = () => {
      throw new TypeError('broken')
    }
    const store = instrument(broken, metrics, 'L1')
    expect(() => store.getSync('a')).toThrow(TypeError)
    expect(metrics.getStats().errors).toEqual({ 'L1.get': { TypeError: 1 } })
  })

  it('reports memory after every write when the store exposes size and bytes', async () => {
    const metrics = new InMemoryMetrics()
    const store = instrument(memoryStore(), metrics, 'L1', { memoryInterval: 0 })
    await store.get('a')
    expect(metrics.getStats().memory).toEqual({})
    await store.set('a', entry(1))
    store.setSync('b', entry(2))
    expect(metrics.getStats().memory).toEqual({ L1: { bytes: 200, entries: 2 } })
    await store.delete('a')
    expect(metrics.getStats().memory).toEqual({ L1: { bytes: 100, entries: 1 } })
    await store.clear()
    expect(metrics.getStats().memory).toEqual({ L1: { bytes: 0, entries: 0 } })
  })

  it('does not report memory for stores that cannot measure themselves', async () => {
    const metrics = new InMemoryMetrics()
    await instrument(asyncOnly(memoryStore()), metrics, 'L1', { memoryInterval: 0 }).set('a', entry(1))
    expect(metrics.getStats().memory).toEqual({})
  })

  it("names itself after the label, defaulting to the store's name", () => {
    expect(instrument(memoryStore(), new InMemoryMetrics(), 'L1:memory').name).toBe('L1:memory')
    expect(instrument(memoryStore(), new InMemoryMetrics()).name).toBe('memory')
  })

  it('forwards members beyond the protocol to the wrapped store, un-instrumented', async () => {
    const inner = Object.assign(asyncOnly(memoryStore()), {
      client: { host: '127.0.0.1' },
      metrics: "the store's own",
      read: () => "the store's own read",
      async acquireLock(this: { client: unknown }, key: string) {
        return this.client !== undefined && key === 'lock:a'
      },
    })
    const metrics = new InMemoryMetrics()
    const store = instrument(inner, metrics, 'L2') as CacheStore & typeof inner
    expect(await store.acquireLock('lock:a')).toBe(true)
    expect(store.client).toBe(inner.client)
    expect(store.metrics).toBe("the store's own")
    expect(store.read()).toBe("the store's own read")
    inner.client = { host: '10.0.0.1' }
    expect(store.client.host).toBe('10.0.0.1')
    const measured = instrument(memoryStore(), metrics, 'L1') as SyncCacheStore & MemoryStore
    measured.setSync('a', entry(1))
    expect(measured.size).toBe(1)
    expect(measured.bytes).toBe(100)
    expect(measured.prune()).toBe(0)
    expect(metrics.getStats().latency).not.toHaveProperty('L2.acquireLock')
  })

  it('can be stacked', async () => {
    const metrics = new InMemoryMetrics()
    const store = instrument(instrument(memoryStore(), metrics, 'inner'), metrics, 'outer')
    await store.set('a', entry(1))
    const stats = metrics.getStats()
    expect(stats.caches.inner?.sets).toBe(1)
    expect(stats.caches.outer?.sets).toBe(1)
    expect(stats.memory.outer).toEqual({ bytes: 100, entries: 1 })
  })

  it('rejects arguments that are not a store, a collector or a name', () => {
    const metrics = new InMemoryMetrics()
    expect(() => instrument({} as CacheStore, metrics)).toThrow(CacheConfigError)
    expect(() => instrument(memoryStore(), {} as InMemoryMetrics)).toThrow(/"metrics"/)
    expect(() => instrument(memoryStore(), metrics, '')).toThrow(/"name"/)
    expect(() => instrument(memoryStore(), metrics, 'L1', { memoryInterval: -1 })).toThrow(/memoryInterval/)
    expect(() => instrument(memoryStore(), metrics, 'L1', { clock: {} as never })).toThrow(/"clock"/)
    expect(() => instrument(memoryStore(), metrics, 'L1', { sizeOf: 1 as never })).toThrow(/"sizeOf"/)
  })
})

describeStoreConformance({
  name: 'instrument(MemoryStore)',
  createStore: ({ clock }) =>
    instrument(new MemoryStore({ clock, maxEntries: 100_000 }), new InMemoryMetrics(), 'L1'),
  capabilities: { expiry: 'clock', sync: true },
})

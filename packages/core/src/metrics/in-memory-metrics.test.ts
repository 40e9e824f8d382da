import { describe, expect, it } from 'vitest'
import { CacheConfigError } from '../errors'
import { ManualClock } from '../testing/manual-clock'
import { InMemoryMetrics } from './in-memory-metrics'

describe('InMemoryMetrics', () => {
  it('starts empty', () => {
    expect(new InMemoryMetrics({ clock: new ManualClock() }).getStats()).toEqual({
      uptimeSeconds: 0,
      caches: {},
      latency: {},
      errors: {},
      memory: {},
      backgroundRefresh: {},
      circuits: {},
    })
  })

  it('counts per cache, with the hit rate rounded to two decimals', () => {
    const metrics = new InMemoryMetrics()
    metrics.recordHit('users', 'user:1')
    metrics.recordHit('users')
    metrics.recordMiss('users')
    metrics.recordSet('users', 'user:1', 120)
    metrics.recordDelete('users')
    metrics.recordStale('users')
    metrics.recordSet('orders')
    expect(metrics.getStats().caches).toEqual({
      users: { hits: 2, misses: 1, sets: 1, deletes: 1, stale: 1, hitRatePercent: 66.67 },
      orders: { hits: 0, misses: 0, sets: 1, deletes: 0, stale: 0, hitRatePercent: 0 },
    })
  })

  it('keeps counters of interleaved caches apart', () => {
    const metrics = new InMemoryMetrics()
    for (let i = 0; i < 3; i++) {
      metrics.recordHit('a')
      metrics.recordMiss('b')
      metrics.recordHit('a')
    }
    const { caches } = metrics.getStats()
    expect(caches.a).toMatchObject({ hits: 6, misses: 0, hitRatePercent: 100 })
    expect(caches.b).toMatchObject({ hits: 0, misses: 3, hitRatePercent: 0 })
  })

  it('summarises latency per cache and operation in milliseconds (nearest-rank percentiles)', () => {
    const metrics = new InMemoryMetrics()
    // 1..100 ms, recorded in a shuffled order
    for (let i = 0; i < 100; i++) metrics.recordLatency('users', 'get', (((i * 37) % 100) + 1) / 1000)
    metrics.recordLatency('users', 'set', 0.0025)
    expect(metrics.getStats().latency).toEqual({
      'users.get': { count: 100, p50Ms: 50, p95Ms: 95, p99Ms: 99, avgMs: 50.5 },
      'users.set': { count: 1, p50Ms: 2.5, p95Ms: 2.5, p99Ms: 2.5, avgMs: 2.5 },
    })
  })

  it('computes percentiles over the last `latencyWindow` samples, count and mean over all', () => {
    const metrics = new InMemoryMetrics({ latencyWindow: 10 })
    for (let ms = 1; ms <= 1000; ms++) metrics.recordLatency('users', 'get', ms / 1000)
    expect(metrics.getStats().latency['users.get']).toEqual({
      count: 1000,
      p50Ms: 995,
      p95Ms: 1000,
      p99Ms: 1000,
      avgMs: 500.5,
    })
  })

  it('keeps the last samples once a growing window wraps around', () => {
    const metrics = new InMemoryMetrics({ latencyWindow: 20 })
    for (let ms = 1; ms <= 100; ms++) metrics.recordLatency('users', 'get', ms / 1000)
    expect(metrics.getStats().latency['users.get']).toEqual({
      count: 100,
      p50Ms: 90,
      p95Ms: 99,
      p99Ms: 100,
      avgMs: 50.5,
    })
  })

  it('counts errors per cache.operation and type', () => {
    const metrics = new InMemoryMetrics()
    metrics.recordError('users', 'get', 'CacheTimeoutError')
    metrics.recordError('users', 'get', 'CacheTimeoutError')
    metrics.recordError('users', 'get', 'CacheStoreError')
    metrics.recordError('users', 'set', 'CacheSerializationError')
    expect(metrics.getStats().errors).toEqual({
      'users.get': { CacheTimeoutError: 2, CacheStoreError: 1 },
      'users.set': { CacheSerializationError: 1 },
    })
  })

  it('keeps the last memory report per cache', () => {
    const metrics = new InMemoryMetrics()
    metrics.recordMemory('L1', 100, 1)
    metrics.recordMemory('L1', 4096, 5)
    expect(metrics.getStats().memory).toEqual({ L1: { bytes: 4096, entries: 5 } })
  })

  it('counts background refreshes with their mean duration', () => {
    const metrics = new InMemoryMetrics()
    metrics.recordBackgroundRefresh('flags', true, 0.01)
    metrics.recordBackgroundRefresh('flags', true, 0.02)
    metrics.recordBackgroundRefresh('flags', false, 0.03)
    expect(metrics.getStats().backgroundRefresh).toEqual({ flags: { success: 2, failure: 1, avgMs: 20 } })
    // a refresh is not cache traffic
    expect(metrics.getStats().caches).toEqual({})
  })

  it('reports uptime from its clock, and reset() clears everything and restarts it', async () => {
    const clock = new ManualClock()
    const metrics = new InMemoryMetrics({ clock })
    metrics.recordHit('users')
    metrics.recordLatency('users', 'get', 0.001)
    metrics.recordError('users', 'get', 'TypeError')
    metrics.recordMemory('users', 1, 1)
    metrics.recordBackgroundRefresh('users', true, 1)
    await clock.advance(12_500)
    expect(metrics.getStats().uptimeSeconds).toBe(12.5)
    metrics.reset()
    await clock.advance(1000)
    expect(metrics.getStats()).toEqual({
      uptimeSeconds: 1,
      caches: {},
      latency: {},
      errors: {},
      memory: {},
      backgroundRefresh: {},
      circuits: {},
    })
    metrics.recordMiss('users')
    expect(metrics.getStats().caches.users).toMatchObject({ hits: 0, misses: 1 })
  })

  it('ignores durations and sizes that are not finite non-negative numbers, without throwing', () => {
    const metrics = new InMemoryMetrics()
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      metrics.recordLatency('users', 'get', bad)
      metrics.recordMemory('users', bad, 1)
      metrics.recordBackgroundRefresh('users', false, bad)
    }
    const stats = metrics.getStats()
    expect(stats.latency).toEqual({})
    expect(stats.memory).toEqual({})
    expect(stats.backgroundRefresh).toEqual({ users: { success: 0, failure: 3, avgMs: 0 } })
  })

  it('reports caches with any name, __proto__ included', () => {
    const metrics = new InMemoryMetrics()
    metrics.recordHit('__proto__')
    metrics.recordLatency('constructor', 'get', 0.001)
    const stats = metrics.getStats()
    expect(Object.getPrototypeOf(stats.caches)).toBe(Object.prototype)
    expect(Object.keys(stats.caches)).toEqual(['__proto__'])
    expect(Object.keys(stats.latency)).toEqual(['constructor.get'])
  })

  it('returns a new snapshot on every call', () => {
    const metrics = new InMemoryMetrics()
    metrics.recordMemory('L1', 1, 1)
    const first = metrics.getStats()
    metrics.recordMemory('L1', 2, 2)
    expect(first.memory.L1).toEqual({ bytes: 1, entries: 1 })
  })

  it.each([0, -1, 1.5, Number.NaN, 2_000_000])(
    'rejects latencyWindow %s, naming the option',
    (latencyWindow) => {
      expect(() => new InMemoryMetrics({ latencyWindow })).toThrow(CacheConfigError)
      expect(() => new InMemoryMetrics({ latencyWindow })).toThrow(/latencyWindow/)
    },
  )

  it('rejects a clock without now()', () => {
    expect(() => new InMemoryMetrics({ clock: {} as never })).toThrow(/"clock"/)
  })
})

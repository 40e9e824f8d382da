import {
  CacheConfigError,
  createEntry,
  DEFAULT_SIZE_BUCKETS,
  instrument,
  MemoryStore,
} from '@stratacache/core'
import { Counter, Registry, register } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_DURATION_BUCKETS, PrometheusMetrics } from './index'

/** The sample lines of the exposition text (no comments, no blank lines). */
async function samples(registry: Registry): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((line) => line !== '' && !line.startsWith('#'))
}

const METRIC_NAMES = [
  'hits_total',
  'misses_total',
  'sets_total',
  'deletes_total',
  'stale_total',
  'errors_total',
  'background_refreshes_total',
  'operation_duration_seconds',
  'background_refresh_duration_seconds',
  'entry_size_bytes',
  'memory_bytes',
  'memory_entries',
]

afterEach(() => {
  for (const name of METRIC_NAMES) register.removeSingleMetric(`stratacache_${name}`)
})

describe('PrometheusMetrics', () => {
  it('counts hits, misses, sets, deletes and stale serves per cache, without keys', async () => {
    const registry = new Registry()
    const metrics = new PrometheusMetrics({ registry })
    metrics.recordHit('users', 'user:1')
    metrics.recordHit('users', 'user:2')
    metrics.recordHit('orders')
    metrics.recordMiss('users', 'user:3')
    metrics.recordSet('users', 'user:3')
    metrics.recordDelete('users', 'user:3')
    metrics.recordStale('users', 'user:1')
    expect(await samples(registry)).toEqual([
      'stratacache_hits_total{cache="users"} 2',
      'stratacache_hits_total{cache="orders"} 1',
      'stratacache_misses_total{cache="users"} 1',
      'stratacache_sets_total{cache="users"} 1',
      'stratacache_deletes_total{cache="users"} 1',
      'stratacache_stale_total{cache="users"} 1',
    ])
  })

  it('declares every metric with its type and help', async () => {
    const registry = new Registry()
    new PrometheusMetrics({ registry })
    const text = await registry.metrics()
    const types = text.split('\n').filter((line) => line.startsWith('# TYPE'))
    expect(types).toEqual([
      '# TYPE stratacache_hits_total counter',
      '# TYPE stratacache_misses_total counter',
      '# TYPE stratacache_sets_total counter',
      '# TYPE stratacache_deletes_total counter',
      '# TYPE stratacache_stale_total counter',
      '# TYPE stratacache_errors_total counter',
      '# TYPE stratacache_background_refreshes_total counter',
      '# TYPE stratacache_operation_duration_seconds histogram',
      '# TYPE stratacache_background_refresh_duration_seconds histogram',
      '# TYPE stratacache_entry_size_bytes histogram',
      '# TYPE stratacache_memory_bytes gauge',
      '# TYPE stratacache_memory_entries gauge',
    ])
    expect(text).toContain(
      '# HELP stratacache_hits_total Cache reads that found a live entry (stale serves included)',
    )
  })

  it('adds a key label only when recordKeys is set', async () => {
    const registry = new Registry()
    const metrics = new PrometheusMetrics({ registry, recordKeys: true })
    metrics.recordHit('users', 'user:1')
    metrics.recordMiss('users', 'user:"2"')
    expect(await samples(registry)).toEqual([
      'stratacache_hits_total{cache="users",key="user:1"} 1',
      'stratacache_misses_total{cache="users",key="user:\\"2\\""} 1',
    ])
  })

  it('observes durations in seconds in a histogram', async () => {
    const registry = new Registry()
    const metrics = new PrometheusMetrics({ registry, durationBuckets: [0.001, 0.01] })
    // binary-exact seconds, so that the sum prints exactly
    metrics.recordLatency('users', 'get', 2 ** -10)
    metrics.recordLatency('users', 'get', 2 ** -8)
    metrics.recordLatency('users', 'get', 2 ** -8)
    metrics.recordLatency('users', 'get', Number.NaN)
    metrics.recordLatency('users', 'get', -1)
    metrics.recordLatency('users', 'set', 2)
    expect(await samples(registry)).toEqual([
      'stratacache_operation_duration_seconds_bucket{le="0.001",cache="users",operation="get"} 1',
      'stratacache_operation_duration_seconds_bucket{le="0.01",cache="users",operation="get"} 3',
      'stratacache_operation_duration_seconds_bucket{le="+Inf",cache="users",operation="get"} 3',
      'stratacache_operation_duration_seconds_sum{cache="users",operation="get"} 0.0087890625',
      'stratacache_operation_duration_seconds_count{cache="users",operation="get"} 3',
      'stratacache_operation_duration_seconds_bucket{le="0.001",cache="users",operation="set"} 0',
      'stratacache_operation_duration_seconds_bucket{le="0.01",cache="users",operation="set"} 0',
      'stratacache_operation_duration_seconds_bucket{le="+Inf",cache="users",operation="set"} 1',
      'stratacache_operation_duration_seconds_sum{cache="users",operation="set"} 2',
      'stratacache_operation_duration_seconds_count{cache="users",operation="set"} 1',
    ])
  })

  it('observes the size of written entries, when given, in a bytes histogram', async () => {
    const registry = new Registry()
    const metrics = new PrometheusMetrics({ registry })
    metrics.recordSet('users', 'user:1', 100)
    metrics.recordSet('users', 'user:2', 5000)
    metrics.recordSet('users', 'user:3')
    metrics.recordSet('users', 'user:4', Number.NaN)
    const sizes = (await samples(registry)).filter((line) => line.startsWith('stratacache_entry_size'))
    expect(
      sizes.filter((line) => line.includes('_bucket')).map((line) => /le="([^"]+)"/.exec(line)?.[1]),
    ).toEqual([...DEFAULT_SIZE_BUCKETS.map(String), '+Inf'])
    expect(sizes).toContain('stratacache_entry_size_bytes_bucket{le="256",cache="users"} 1')
    expect(sizes).toContain('stratacache_entry_size_bytes_bucket{le="16384",cache="users"} 2')
    expect(sizes).toContain('stratacache_entry_size_bytes_sum{cache="users"} 5100')
    expect(sizes).toContain('stratacache_entry_size_bytes_count{cache="users"} 2')
    expect(await samples(registry)).toContain('stratacache_sets_total{cache="users"} 4')
  })

  it('uses the default buckets, 10 µs to 10 s', async () => {
    const registry = new Registry()
    new PrometheusMetrics({ registry }).recordLatency('users', 'get', 0.000001)
    const buckets = (await samples(registry)).filter((line) => line.includes('_bucket'))
    expect(buckets.map((line) => /le="([^"]+)"/.exec(line)?.[1])).toEqual([
      ...DEFAULT_DURATION_BUCKETS.map(String),
      '+Inf',
    ])
    expect(buckets[0]).toBe(
      'stratacache_operation_duration_seconds_bucket{le="0.00001",cache="users",operation="get"} 1',
    )
  })

  it('counts errors by cache, operation and error type', async () => {
    const registry = new Registry()
    const metrics = new PrometheusMetrics({ registry })
    metrics.recordError('redis', 'get', 'CacheTimeoutError')
    metrics.recordError('redis', 'get', 'CacheTimeoutError')
    metrics.recordError('redis', 'set', 'CacheSerializationError')
    expect(await samples(registry)).toEqual([
      'stratacache_errors_total{cache="redis",operation="get",error_type="CacheTimeoutError"} 2',
      'stratacache_errors_total{cache="redis",operation="set",error_type="CacheSerializationError"} 1',
    ])
  })

  it('counts background refreshes by outcome, and times them', async () => {
    const registry = new Registry()
    const metrics = new PrometheusMetrics({ registry, durationBuckets: [1] })
    metrics.recordBackgroundRefresh('flags', true, 0.25)
    metrics.recordBackgroundRefresh('flags', true, 0.5)
    metrics.recordBackgroundRefresh('flags', false, 1.5)
    expect(await samples(registry)).toEqual([
      'stratacache_background_refreshes_total{cache="flags",success="true"} 2',
      'stratacache_background_refreshes_total{cache="flags",success="false"} 1',
      'stratacache_background_refresh_duration_seconds_bucket{le="1",cache="flags",success="true"} 2',
      'stratacache_background_refresh_duration_seconds_bucket{le="+Inf",cache="flags",success="true"} 2',
      'stratacache_background_refresh_duration_seconds_sum{cache="flags",success="true"} 0.75',
      'stratacache_background_refresh_duration_seconds_count{cache="flags",success="true"} 2',
      'stratacache_background_refresh_duration_seconds_bucket{le="1",cache="flags",success="false"} 0',
      'stratacache_background_refresh_duration_seconds_bucket{le="+Inf",cache="flags",success="false"} 1',
      'stratacache_background_refresh_duration_seconds_sum{cache="flags",success="false"} 1.5',
      'stratacache_background_refresh_duration_seconds_count{cache="flags",success="false"} 1',
    ])
  })

  it('reports the last memory values of each cache as gauges', async () => {
    const registry = new Registry()
    const metrics = new PrometheusMetrics({ registry })
    metrics.recordMemory('L1', 100, 1)
    metrics.recordMemory('L1', 4096, 5)
    metrics.recordMemory('L2', 10, 2)
    metrics.recordMemory('L2', Number.NaN, 3)
    expect(await samples(registry)).toEqual([
      'stratacache_memory_bytes{cache="L1"} 4096',
      'stratacache_memory_bytes{cache="L2"} 10',
      'stratacache_memory_entries{cache="L1"} 5',
      'stratacache_memory_entries{cache="L2"} 2',
    ])
  })

  it('names metrics with the prefix, which may be empty', async () => {
    const registry = new Registry()
    new PrometheusMetrics({ registry, prefix: 'checkout_cache_' }).recordHit('users')
    new PrometheusMetrics({ registry, prefix: '' }).recordHit('users')
    expect(await samples(registry)).toEqual([
      'checkout_cache_hits_total{cache="users"} 1',
      'hits_total{cache="users"} 1',
    ])
  })

  it("registers in prom-client's global registry by default", async () => {
    new PrometheusMetrics().recordMiss('users')
    expect(await samples(register)).toContain('stratacache_misses_total{cache="users"} 1')
  })

  it('reuses the metrics of a previous collector on the same registry', async () => {
    const registry = new Registry()
    new PrometheusMetrics({ registry }).recordHit('users')
    new PrometheusMetrics({ registry }).recordHit('users')
    expect(await samples(registry)).toEqual(['stratacache_hits_total{cache="users"} 2'])
  })

  it('reports running totals on every read, without counting twice', async () => {
    const registry = new Registry()
    const metrics = new PrometheusMetrics({ registry })
    metrics.recordHit('users')
    expect(await samples(registry)).toEqual(['stratacache_hits_total{cache="users"} 1'])
    metrics.recordHit('users')
    metrics.recordHit('users')
    expect(await samples(registry)).toEqual(['stratacache_hits_total{cache="users"} 3'])
    expect(await samples(registry)).toEqual(['stratacache_hits_total{cache="users"} 3'])
  })

  it('refuses a registry holding a different metric under one of its names, naming prefix', () => {
    const registry = new Registry()
    new PrometheusMetrics({ registry })
    for (const options of [{ recordKeys: true }, { durationBuckets: [1, 2] }]) {
      let thrown: unknown
      try {
        new PrometheusMetrics({ registry, ...options })
      } catch (error) {
        thrown = error
      }
      expect(CacheConfigError.isInstance(thrown) && thrown.option).toBe('prefix')
    }
    const foreign = new Registry()
    new Counter({ name: 'stratacache_memory_bytes', help: 'not ours', registers: [foreign] })
    expect(() => new PrometheusMetrics({ registry: foreign })).toThrow(
      /different metric named "stratacache_memory_bytes"/,
    )
    // checked before anything is registered: the registry is left as it was
    expect(foreign.getMetricsAsArray().map((metric) => metric.name)).toEqual(['stratacache_memory_bytes'])
    // a counter of the right shape that no PrometheusMetrics registered is not reused either
    const lookalike = new Registry()
    new Counter({
      name: 'stratacache_hits_total',
      help: 'not ours',
      labelNames: ['cache'],
      registers: [lookalike],
    })
    expect(() => new PrometheusMetrics({ registry: lookalike })).toThrow(/"stratacache_hits_total"/)
  })

  it('reports through instrument() end to end', async () => {
    const registry = new Registry()
    const metrics = new PrometheusMetrics({ registry, durationBuckets: [60] })
    const store = instrument(new MemoryStore({ maxEntries: 100 }), metrics, 'L1')
    await store.set('a', createEntry(1, { now: Date.now(), ttlMs: 60_000 }))
    await store.get('a')
    await store.get('b')
    const lines = await samples(registry)
    expect(lines).toContain('stratacache_hits_total{cache="L1"} 1')
    expect(lines).toContain('stratacache_misses_total{cache="L1"} 1')
    expect(lines).toContain('stratacache_sets_total{cache="L1"} 1')
    expect(lines).toContain('stratacache_memory_entries{cache="L1"} 1')
    expect(lines).toContain('stratacache_operation_duration_seconds_count{cache="L1",operation="get"} 2')
    expect(lines).toContain(
      'stratacache_operation_duration_seconds_bucket{le="60",cache="L1",operation="set"} 1',
    )
  })

  it('validates its options, naming the option', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ registry: {} }, 'registry'],
      [{ prefix: '1abc' }, 'prefix'],
      [{ prefix: 'a-b' }, 'prefix'],
      [{ prefix: 3 }, 'prefix'],
      [{ recordKeys: 'yes' }, 'recordKeys'],
      [{ durationBuckets: [] }, 'durationBuckets'],
      [{ durationBuckets: [0.1, 0.01] }, 'durationBuckets'],
      [{ durationBuckets: [Number.POSITIVE_INFINITY] }, 'durationBuckets'],
    ]
    for (const [options, option] of cases) {
      let thrown: unknown
      try {
        new PrometheusMetrics({ registry: new Registry(), ...options } as never)
      } catch (error) {
        thrown = error
      }
      expect(CacheConfigError.isInstance(thrown) && thrown.option).toBe(option)
    }
  })
})

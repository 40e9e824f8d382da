import { metrics } from '@opentelemetry/api'
import {
  AggregationTemporality,
  AggregationType,
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  CacheConfigError,
  createEntry,
  instrument,
  MemoryStore,
  type MetricsCollector,
} from '@stratacache/core'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_DURATION_BUCKETS, OpenTelemetryMetrics } from './index'

/** A reader the test pulls from: `collect()` returns everything recorded so far (cumulative). */
class PullReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

const providers: MeterProvider[] = []

function setup(options: ConstructorParameters<typeof OpenTelemetryMetrics>[0] = {}) {
  const reader = new PullReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  providers.push(meterProvider)
  const collector = new OpenTelemetryMetrics({ meterProvider, ...options })
  /** Every metric collected, by instrument name. */
  const collect = async (): Promise<Map<string, MetricData>> => {
    const { resourceMetrics, errors } = await reader.collect()
    expect(errors).toEqual([])
    const all = new Map<string, MetricData>()
    for (const scope of resourceMetrics.scopeMetrics)
      for (const metric of scope.metrics) all.set(metric.descriptor.name, metric)
    return all
  }
  return { collector, collect, reader, meterProvider }
}

/** `[attributes, value]` of each data point, for exact comparison. */
const points = (metric: MetricData | undefined) =>
  (metric?.dataPoints as DataPoint<unknown>[] | undefined)?.map((point) => [point.attributes, point.value])

/** The histogram data points of `metric` (none when it is missing). */
const histogramPoints = (metric: MetricData | undefined) =>
  (metric?.dataPoints ?? []) as DataPoint<Histogram>[]

afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()))
  metrics.disable()
})

describe('OpenTelemetryMetrics', () => {
  it('counts hits, misses, sets, deletes and stale serves per cache, without keys', async () => {
    const { collector, collect } = setup()
    collector.recordHit('users', 'user:1')
    collector.recordHit('users', 'user:2')
    collector.recordHit('orders')
    collector.recordMiss('users', 'user:3')
    collector.recordSet('users', 'user:3', 120)
    collector.recordDelete('users', 'user:3')
    collector.recordStale('users', 'user:1')
    const all = await collect()
    expect(points(all.get('stratacache.hits'))).toEqual([
      [{ 'cache.name': 'users' }, 2],
      [{ 'cache.name': 'orders' }, 1],
    ])
    expect(points(all.get('stratacache.misses'))).toEqual([[{ 'cache.name': 'users' }, 1]])
    expect(points(all.get('stratacache.sets'))).toEqual([[{ 'cache.name': 'users' }, 1]])
    expect(points(all.get('stratacache.deletes'))).toEqual([[{ 'cache.name': 'users' }, 1]])
    expect(points(all.get('stratacache.stale'))).toEqual([[{ 'cache.name': 'users' }, 1]])
    expect(all.get('stratacache.hits')?.descriptor).toMatchObject({
      unit: '{hit}',
      type: 'OBSERVABLE_COUNTER',
    })
    expect(all.get('stratacache.hits')).toMatchObject({ isMonotonic: true })
    expect(all.get('stratacache.sets')?.descriptor.unit).toBe('{entry}')
  })

  it('reports cumulative totals at every collection', async () => {
    const { collector, collect } = setup()
    collector.recordHit('users')
    expect(points((await collect()).get('stratacache.hits'))).toEqual([[{ 'cache.name': 'users' }, 1]])
    collector.recordHit('users')
    collector.recordHit('users')
    expect(points((await collect()).get('stratacache.hits'))).toEqual([[{ 'cache.name': 'users' }, 3]])
  })

  it('reports deltas to a reader with delta temporality', async () => {
    const reader = new PullReader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA })
    const meterProvider = new MeterProvider({ readers: [reader] })
    providers.push(meterProvider)
    const collector = new OpenTelemetryMetrics({ meterProvider })
    const hits = async () => {
      const { resourceMetrics } = await reader.collect()
      const metric = resourceMetrics.scopeMetrics[0]?.metrics.find(
        (m) => m.descriptor.name === 'stratacache.hits',
      )
      return points(metric)
    }
    collector.recordHit('users')
    expect(await hits()).toEqual([[{ 'cache.name': 'users' }, 1]])
    collector.recordHit('users')
    collector.recordHit('users')
    expect(await hits()).toEqual([[{ 'cache.name': 'users' }, 2]])
  })

  it('adds the key as an attribute only when recordKeys is set', async () => {
    const { collector, collect } = setup({ recordKeys: true })
    collector.recordHit('users', 'user:1')
    collector.recordHit('users')
    expect(points((await collect()).get('stratacache.hits'))).toEqual([
      [{ 'cache.name': 'users' }, 1],
      [{ 'cache.name': 'users', 'cache.key': 'user:1' }, 1],
    ])
  })

  it('records durations in seconds in a histogram with the advised buckets', async () => {
    const { collector, collect } = setup()
    collector.recordLatency('users', 'get', 0.000004)
    collector.recordLatency('users', 'get', 0.002)
    collector.recordLatency('users', 'get', 0.002)
    collector.recordLatency('users', 'set', 3)
    collector.recordLatency('users', 'set', Number.NaN)
    collector.recordLatency('users', 'set', -1)
    const metric = (await collect()).get('stratacache.operation.duration')
    expect(metric?.descriptor).toMatchObject({ unit: 's', type: 'HISTOGRAM' })
    const [get, set] = histogramPoints(metric)
    expect(get?.attributes).toEqual({ 'cache.name': 'users', 'cache.operation': 'get' })
    expect(get?.value).toMatchObject({ count: 3, min: 0.000004, max: 0.002 })
    expect(get?.value.sum).toBeCloseTo(0.004004, 12)
    expect(get?.value.buckets.boundaries).toEqual(DEFAULT_DURATION_BUCKETS)
    const getCounts = get?.value.buckets.counts ?? []
    expect(getCounts[0]).toBe(1) // <= 10 µs
    expect(getCounts[DEFAULT_DURATION_BUCKETS.indexOf(0.0025)]).toBe(2) // (1 ms, 2.5 ms]
    expect(getCounts.reduce((a, b) => a + b, 0)).toBe(3)
    expect(set?.attributes).toEqual({ 'cache.name': 'users', 'cache.operation': 'set' })
    expect(set?.value).toMatchObject({ count: 1, sum: 3 })
  })

  it('takes custom duration buckets', async () => {
    const { collector, collect } = setup({ durationBuckets: [0.001, 0.01] })
    collector.recordLatency('users', 'get', 0.005)
    const [point] = histogramPoints((await collect()).get('stratacache.operation.duration'))
    expect(point?.value.buckets).toEqual({ boundaries: [0.001, 0.01], counts: [0, 1, 0] })
  })

  it('counts errors by cache, operation and error type', async () => {
    const { collector, collect } = setup()
    collector.recordError('redis', 'get', 'CacheTimeoutError')
    collector.recordError('redis', 'get', 'CacheTimeoutError')
    collector.recordError('redis', 'set', 'CacheSerializationError')
    const metric = (await collect()).get('stratacache.errors')
    expect(metric?.descriptor.unit).toBe('{error}')
    expect(points(metric)).toEqual([
      [{ 'cache.name': 'redis', 'cache.operation': 'get', 'error.type': 'CacheTimeoutError' }, 2],
      [{ 'cache.name': 'redis', 'cache.operation': 'set', 'error.type': 'CacheSerializationError' }, 1],
    ])
  })

  it('counts background refreshes by outcome, and times them', async () => {
    const { collector, collect } = setup()
    collector.recordBackgroundRefresh('flags', true, 0.2)
    collector.recordBackgroundRefresh('flags', true, 0.3)
    collector.recordBackgroundRefresh('flags', false, 1.5)
    const all = await collect()
    expect(points(all.get('stratacache.background_refreshes'))).toEqual([
      [{ 'cache.name': 'flags', 'cache.refresh.success': true }, 2],
      [{ 'cache.name': 'flags', 'cache.refresh.success': false }, 1],
    ])
    const durations = all.get('stratacache.background_refresh.duration')
    expect(durations?.descriptor.unit).toBe('s')
    expect(histogramPoints(durations).map((p) => [p.attributes, p.value.count, p.value.sum])).toEqual([
      [{ 'cache.name': 'flags', 'cache.refresh.success': true }, 2, 0.5],
      [{ 'cache.name': 'flags', 'cache.refresh.success': false }, 1, 1.5],
    ])
  })

  it('observes the last memory report of each cache at collection time', async () => {
    const { collector, collect } = setup()
    expect((await collect()).get('stratacache.memory.usage')?.dataPoints ?? []).toEqual([])
    collector.recordMemory('L1', 100, 1)
    collector.recordMemory('L1', 4096, 5)
    collector.recordMemory('L2', 10, 2)
    collector.recordMemory('L2', Number.NaN, 3)
    const all = await collect()
    expect(all.get('stratacache.memory.usage')?.descriptor).toMatchObject({
      unit: 'By',
      type: 'OBSERVABLE_GAUGE',
    })
    expect(points(all.get('stratacache.memory.usage'))).toEqual([
      [{ 'cache.name': 'L1' }, 4096],
      [{ 'cache.name': 'L2' }, 10],
    ])
    expect(all.get('stratacache.memory.entries')?.descriptor.unit).toBe('{entry}')
    expect(points(all.get('stratacache.memory.entries'))).toEqual([
      [{ 'cache.name': 'L1' }, 5],
      [{ 'cache.name': 'L2' }, 2],
    ])
  })

  it("observes each store's last circuit-breaker state", async () => {
    const { collector, collect } = setup()
    collector.recordCircuitState('L2', 'open')
    collector.recordCircuitState('L3', 'half-open')
    collector.recordCircuitState('L4', 'open')
    collector.recordCircuitState('L4', 'closed')
    const all = await collect()
    expect(all.get('stratacache.circuit.open')?.descriptor).toMatchObject({ type: 'OBSERVABLE_GAUGE' })
    expect(points(all.get('stratacache.circuit.open'))).toEqual([
      [{ 'cache.name': 'L2' }, 1],
      [{ 'cache.name': 'L3' }, 0.5],
      [{ 'cache.name': 'L4' }, 0],
    ])
  })

  it('shares instruments and totals between collectors on one meter and prefix', async () => {
    const { collector, collect, meterProvider } = setup()
    const second = new OpenTelemetryMetrics({ meterProvider })
    collector.recordHit('users')
    second.recordHit('users')
    second.recordMemory('users', 10, 1)
    const all = await collect()
    expect(points(all.get('stratacache.hits'))).toEqual([[{ 'cache.name': 'users' }, 2]])
    expect(points(all.get('stratacache.memory.entries'))).toEqual([[{ 'cache.name': 'users' }, 1]])
    // another prefix is another set of instruments
    new OpenTelemetryMetrics({ meterProvider, prefix: 'other' }).recordHit('users')
    expect(points((await collect()).get('other.hits'))).toEqual([[{ 'cache.name': 'users' }, 1]])
    expect(points((await collect()).get('stratacache.hits'))).toEqual([[{ 'cache.name': 'users' }, 2]])
  })

  it('refuses a second collector on one meter and prefix with other options, naming prefix', () => {
    const { meterProvider } = setup()
    for (const options of [{ recordKeys: true }, { durationBuckets: [1, 2] }]) {
      let thrown: unknown
      try {
        new OpenTelemetryMetrics({ meterProvider, ...options })
      } catch (error) {
        thrown = error
      }
      expect(CacheConfigError.isInstance(thrown) && thrown.option).toBe('prefix')
    }
  })

  it('names its meter and instruments after the options', async () => {
    const { collector, reader } = setup({ prefix: 'app.cache', meterName: 'checkout' })
    collector.recordHit('users')
    collector.recordMemory('users', 1, 1)
    const { resourceMetrics } = await reader.collect()
    const [scope] = resourceMetrics.scopeMetrics
    expect(scope?.scope.name).toBe('checkout')
    expect(scope?.metrics.map((metric) => metric.descriptor.name).sort()).toEqual([
      'app.cache.hits',
      'app.cache.memory.entries',
      'app.cache.memory.usage',
    ])
  })

  it('reports through instrument() end to end', async () => {
    const { collector, collect } = setup()
    const store = instrument(new MemoryStore({ maxEntries: 100 }), collector, 'L1')
    await store.set('a', createEntry(1, { now: Date.now(), ttlMs: 60_000 }))
    await store.get('a')
    await store.get('b')
    const all = await collect()
    expect(points(all.get('stratacache.hits'))).toEqual([[{ 'cache.name': 'L1' }, 1]])
    expect(points(all.get('stratacache.misses'))).toEqual([[{ 'cache.name': 'L1' }, 1]])
    expect(points(all.get('stratacache.memory.entries'))).toEqual([[{ 'cache.name': 'L1' }, 1]])
    const durations = histogramPoints(all.get('stratacache.operation.duration'))
    expect(durations.map((p) => [p.attributes['cache.operation'], p.value.count])).toEqual([
      ['set', 1],
      ['get', 2],
    ])
  })

  it('uses the global meter provider when none is given', async () => {
    const reader = new PullReader()
    const provider = new MeterProvider({ readers: [reader] })
    providers.push(provider)
    metrics.setGlobalMeterProvider(provider)
    const collector: MetricsCollector = new OpenTelemetryMetrics()
    collector.recordMiss('users')
    const { resourceMetrics } = await reader.collect()
    const [scope] = resourceMetrics.scopeMetrics
    expect(scope?.scope.name).toBe('@stratacache/otel')
    expect(scope?.metrics.find((m) => m.descriptor.name === 'stratacache.misses')?.dataPoints[0]?.value).toBe(
      1,
    )
  })

  it('lets an SDK view override the advised buckets', async () => {
    const reader = new PullReader()
    const provider = new MeterProvider({
      readers: [reader],
      views: [
        {
          instrumentName: 'stratacache.operation.duration',
          aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [1] } },
        },
      ],
    })
    providers.push(provider)
    new OpenTelemetryMetrics({ meterProvider: provider }).recordLatency('users', 'get', 0.5)
    const { resourceMetrics } = await reader.collect()
    const metric = resourceMetrics.scopeMetrics[0]?.metrics[0]
    expect(histogramPoints(metric)[0]?.value.buckets).toEqual({
      boundaries: [1],
      counts: [1, 0],
    })
  })

  it('validates its options, naming the option', () => {
    const meterProvider = new MeterProvider()
    providers.push(meterProvider)
    const meter = meterProvider.getMeter('x')
    const cases: [Record<string, unknown>, string][] = [
      [{ meter, meterProvider }, 'meter'],
      [{ meter: {} }, 'meter'],
      [{ meterProvider: {} }, 'meterProvider'],
      [{ prefix: '' }, 'prefix'],
      [{ prefix: '1abc' }, 'prefix'],
      [{ prefix: 'a b' }, 'prefix'],
      [{ meterName: '' }, 'meterName'],
      [{ recordKeys: 'yes' }, 'recordKeys'],
      [{ durationBuckets: [] }, 'durationBuckets'],
      [{ durationBuckets: [0.1, 0.01] }, 'durationBuckets'],
      [{ durationBuckets: [0.1, Number.NaN] }, 'durationBuckets'],
    ]
    for (const [options, option] of cases) {
      let thrown: unknown
      try {
        new OpenTelemetryMetrics(options as never)
      } catch (error) {
        thrown = error
      }
      expect(CacheConfigError.isInstance(thrown) && thrown.option).toBe(option)
    }
  })
})

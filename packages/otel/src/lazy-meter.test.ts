import { DiagConsoleLogger, DiagLogLevel, diag, metrics } from '@opentelemetry/api'
import { MeterProvider, type MetricData, MetricReader } from '@opentelemetry/sdk-metrics'
import { afterEach, describe, expect, it } from 'vitest'
import { OpenTelemetryMetrics } from './index'

/** A reader the test pulls from. */
class PullReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

const providers: MeterProvider[] = []

function provider(): { provider: MeterProvider; collect: () => Promise<Map<string, MetricData>> } {
  const reader = new PullReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  providers.push(meterProvider)
  const collect = async () => {
    const all = new Map<string, MetricData>()
    for (const scope of (await reader.collect()).resourceMetrics.scopeMetrics)
      for (const metric of scope.metrics) all.set(metric.descriptor.name, metric)
    return all
  }
  return { provider: meterProvider, collect }
}

const values = (metric: MetricData | undefined) => metric?.dataPoints.map((point) => point.value) ?? []

afterEach(async () => {
  metrics.disable()
  await Promise.all(providers.splice(0).map((p) => p.shutdown()))
})

describe('OpenTelemetryMetrics and the global provider', () => {
  it('works when created before the SDK registers its provider, keeping the counts made before', async () => {
    const collector = new OpenTelemetryMetrics()
    collector.recordHit('users')
    collector.recordLatency('users', 'get', 0.001) // nowhere to go yet: dropped
    const { provider: sdk, collect } = provider()
    metrics.setGlobalMeterProvider(sdk)
    collector.recordHit('users')
    collector.recordMiss('users')
    collector.recordLatency('users', 'get', 0.002)
    const all = await collect()
    expect(values(all.get('stratacache.hits'))).toEqual([2])
    expect(values(all.get('stratacache.misses'))).toEqual([1])
    expect(values(all.get('stratacache.operation.duration'))).toMatchObject([{ count: 1, sum: 0.002 }])
  })

  it('binds on any first record, not only on counts', async () => {
    const collector = new OpenTelemetryMetrics()
    const { provider: sdk, collect } = provider()
    metrics.setGlobalMeterProvider(sdk)
    collector.recordError('users', 'get', 'CacheTimeoutError')
    collector.recordStale('users')
    const all = await collect()
    expect(values(all.get('stratacache.errors'))).toEqual([1])
    expect(values(all.get('stratacache.stale'))).toEqual([1])
  })

  it('close() stops reporting; the last collector on a meter unregisters the totals', async () => {
    const { provider: sdk, collect } = provider()
    const first = new OpenTelemetryMetrics({ meterProvider: sdk })
    const second = new OpenTelemetryMetrics({ meterProvider: sdk })
    first.recordHit('users')
    second.recordHit('users')
    first.close()
    first.close()
    first.recordHit('users')
    first.recordError('users', 'get', 'Error')
    expect(values((await collect()).get('stratacache.hits'))).toEqual([2])
    expect(values((await collect()).get('stratacache.errors'))).toEqual([])
    second.close()
    second.recordHit('users')
    // the SDK keeps the last cumulative value of a series it no longer observes
    expect(values((await collect()).get('stratacache.hits'))).toEqual([2])
    // a new collector after every close registers anew on the same meter
    const third = new OpenTelemetryMetrics({ meterProvider: sdk })
    third.recordMiss('users')
    expect(values((await collect()).get('stratacache.misses'))).toEqual([1])
  })

  it('a late binding that conflicts with another collector is reported through diag, and detaches', async () => {
    const errors: string[] = []
    diag.setLogger(
      { ...new DiagConsoleLogger(), error: (message: string) => errors.push(message) },
      DiagLogLevel.ERROR,
    )
    try {
      const early = new OpenTelemetryMetrics({ recordKeys: true })
      const { provider: sdk, collect } = provider()
      metrics.setGlobalMeterProvider(sdk)
      new OpenTelemetryMetrics({ meterProvider: sdk }).recordHit('users')
      early.recordHit('users', 'user:1') // binds now: same meter and prefix, other recordKeys
      early.recordHit('users', 'user:2')
      expect(values((await collect()).get('stratacache.hits'))).toEqual([1])
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(/prefix "stratacache" with other recordKeys/)
    } finally {
      diag.disable()
    }
  })

  it('a collector closed before the SDK registers never binds', async () => {
    const collector = new OpenTelemetryMetrics()
    collector.close()
    const { provider: sdk, collect } = provider()
    metrics.setGlobalMeterProvider(sdk)
    collector.recordHit('users')
    expect((await collect()).get('stratacache.hits')).toBeUndefined()
  })

  it('records the sizes recordSet is given in a bytes histogram', async () => {
    const { provider: sdk, collect } = provider()
    const collector = new OpenTelemetryMetrics({ meterProvider: sdk })
    collector.recordSet('users', 'user:1', 100)
    collector.recordSet('users', 'user:2', 5000)
    collector.recordSet('users', 'user:3')
    collector.recordSet('users', 'user:4', Number.NaN)
    const all = await collect()
    expect(values(all.get('stratacache.sets'))).toEqual([4])
    const size = all.get('stratacache.entry.size')
    expect(size?.descriptor).toMatchObject({ unit: 'By', type: 'HISTOGRAM' })
    expect(size?.dataPoints[0]?.attributes).toEqual({ 'cache.name': 'users' })
    expect(values(size)).toMatchObject([{ count: 2, sum: 5100, min: 100, max: 5000 }])
  })
})

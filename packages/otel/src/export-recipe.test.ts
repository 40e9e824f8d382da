// The README's recipe for exporting to Google Cloud Monitoring (or any vendor with an OpenTelemetry
// metric exporter), with the vendor's exporter replaced by the SDK's in-memory one.
import { metrics } from '@opentelemetry/api'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { createCache, estimateSize, instrument, MemoryStore } from '@stratacache/core'
import { afterEach, expect, it } from 'vitest'
import { OpenTelemetryMetrics } from './index'

afterEach(() => metrics.disable())

it('exports cache metrics through a periodic reader to the vendor exporter', async () => {
  // Created at import time, before the SDK starts, as module-level caches are.
  const cacheMetrics = new OpenTelemetryMetrics()
  const l1 = instrument(new MemoryStore({ maxEntries: 1000 }), cacheMetrics, 'L1:memory', {
    sizeOf: (entry) => estimateSize(entry.value),
  })
  const app = createCache({ store: l1, metrics: cacheMetrics })
  const getUser = app.cache({ ttl: 60, key: 'user:{0}', name: 'getUser' })(async (id: number) => ({ id }))

  // Startup: the vendor's exporter (here `new MetricExporter()` from
  // @google-cloud/opentelemetry-cloud-monitoring-exporter) behind a periodic reader.
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const provider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })],
  })
  metrics.setGlobalMeterProvider(provider)
  try {
    await getUser(1)
    await getUser(1)
    await provider.forceFlush()
    const exported = new Map(
      exporter
        .getMetrics()
        .flatMap((batch) => batch.scopeMetrics)
        .flatMap((scope) => scope.metrics)
        .map((metric) => [metric.descriptor.name, metric.dataPoints.map((p) => [p.attributes, p.value])]),
    )
    expect(exported.get('stratacache.hits')).toContainEqual([{ 'cache.name': 'getUser' }, 1])
    expect(exported.get('stratacache.misses')).toContainEqual([{ 'cache.name': 'getUser' }, 1])
    expect(exported.get('stratacache.sets')).toContainEqual([{ 'cache.name': 'L1:memory' }, 1])
    expect(exported.get('stratacache.entry.size')?.[0]?.[1]).toMatchObject({ count: 1 })
  } finally {
    await app.bg.shutdown()
    await provider.shutdown()
  }
})

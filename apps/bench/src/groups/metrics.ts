import type { PushMetricExporter } from '@opentelemetry/sdk-metrics'
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import {
  createCache,
  InMemoryMetrics,
  MemoryStore,
  type MetricsCollector,
  NULL_METRICS,
} from '@stratacache/core'
import { OpenTelemetryMetrics } from '@stratacache/otel'
import { countingLoader, expectHits } from '../counting-loader'
import type { BenchCase, BenchGroup, BenchTarget } from '../harness'
import { MAX_ENTRIES, TTL_SECONDS } from '../payload'

/** An exporter that drops what it is given (and is not called during a run: its interval is an hour). */
const noopExporter: PushMetricExporter = {
  export: (_metrics, done) => done({ code: 0 }),
  forceFlush: async () => {},
  shutdown: async () => {},
}

type Mode = 'async' | 'sync'

function names(mode: Mode) {
  return {
    none: `cache() ${mode}, NULL_METRICS`,
    memory: `cache() ${mode}, InMemoryMetrics`,
    otel: `cache() ${mode}, OpenTelemetryMetrics`,
  }
}

function targets(mode: Mode): BenchTarget[] {
  const n = names(mode)
  return [
    {
      label: `${mode} \`cache()\` hit with \`InMemoryMetrics\` ≤ 1.5× with \`NULL_METRICS\``,
      source: 'issue 5',
      subject: n.memory,
      baseline: n.none,
      kind: 'atMost',
      ratio: 1.5,
    },
    {
      label: `${mode} \`cache()\` hit with \`OpenTelemetryMetrics\` ≤ 2× with \`NULL_METRICS\``,
      source: 'issue 5',
      subject: n.otel,
      baseline: n.none,
      kind: 'atMost',
      ratio: 2,
    },
  ]
}

function metricsGroup(mode: Mode): BenchGroup {
  const n = names(mode)
  return {
    id: `metrics-${mode}`,
    number: mode === 'async' ? '3a' : '3b',
    title: `Metrics on the ${mode} cache() hit path`,
    about: [
      `The static-key ${mode} hit of group 2${mode === 'async' ? 'a' : 'b'} with each collector passed as \`metrics\`:`,
      '`NULL_METRICS` (the floor), `new InMemoryMetrics()` (defaults), and `new OpenTelemetryMetrics({ meterProvider })`',
      'over the real `@opentelemetry/sdk-metrics` `MeterProvider` with a `PeriodicExportingMetricReader` whose exporter',
      'drops everything (interval 1 h, so no export runs during the measurement).',
    ].join(' '),
    floor: n.none,
    targets: targets(mode),
    async setup() {
      const provider = new MeterProvider({
        readers: [
          new PeriodicExportingMetricReader({ exporter: noopExporter, exportIntervalMillis: 3_600_000 }),
        ],
      })
      const collectors: [string, MetricsCollector][] = [
        [n.none, NULL_METRICS],
        [n.memory, new InMemoryMetrics()],
        [n.otel, new OpenTelemetryMetrics({ meterProvider: provider })],
      ]
      const cases: BenchCase[] = []
      for (const [name, metrics] of collectors) {
        const { cache } = createCache({ store: () => new MemoryStore({ maxEntries: MAX_ENTRIES }), metrics })
        const loader = countingLoader()
        const options = { ttl: TTL_SECONDS, key: 'static', name: 'bench' }
        const fn =
          mode === 'async'
            ? cache(options)(async () => loader.load(42))
            : cache(options)(() => loader.sync(42))
        const call = () => fn()
        await expectHits(name, call, loader)
        cases.push({ name, fn: call })
      }
      return { cases, teardown: () => provider.shutdown() }
    },
  }
}

/** Group 3a: metrics on the async hit path. */
export const metricsAsyncGroup: BenchGroup = metricsGroup('async')
/** Group 3b: metrics on the sync hit path. */
export const metricsSyncGroup: BenchGroup = metricsGroup('sync')

import { BasicTracerProvider, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base'
import { createCache, MemoryStore } from '@stratacache/core'
import { OpenTelemetryTracing } from '@stratacache/otel'
import { countingLoader, expectHits } from '../counting-loader'
import type { BenchCase, BenchGroup } from '../harness'
import { MAX_ENTRIES, TTL_SECONDS } from '../payload'

const OFF = 'stratacache cache() sync hit, no tracer'
const DROPPED = 'stratacache cache() sync hit, OpenTelemetryTracing, span dropped by the sampler'
const RECORDED = 'stratacache cache() sync hit, OpenTelemetryTracing, span recorded'
const UNPARENTED = 'stratacache cache() sync hit, OpenTelemetryTracing requireParentSpan, no request span'

/** Group 19a: what tracing costs a hit. */
export const tracingGroup: BenchGroup = {
  id: 'tracing',
  number: '19a',
  title: 'Tracing: cost on a hit',
  about: [
    'A synchronous `cache()` hit over a `MemoryStore`. Without the `tracer` option the wrapper is built exactly as',
    'before tracing existed (the floor: no per-call check). With `OpenTelemetryTracing` over the real',
    '`@opentelemetry/sdk-trace-base` (no span processor, no context manager), each hit is a `lookup` span: one the',
    'sampler drops (ratio 0) and one it records (ratio 1, the cost of setting `cache.result` included); the last row',
    'is `requireParentSpan: true` called outside any span (a context read, no span).',
  ].join(' '),
  floor: OFF,
  targets: [],
  async setup() {
    const cases: BenchCase[] = []
    const rows: [string, OpenTelemetryTracing | undefined][] = [
      [OFF, undefined],
      [DROPPED, tracer(0)],
      [RECORDED, tracer(1)],
      [UNPARENTED, tracer(1, true)],
    ]
    for (const [name, tracing] of rows) {
      const { cache } = createCache({
        store: new MemoryStore({ maxEntries: MAX_ENTRIES }),
        ...(tracing === undefined ? {} : { tracer: tracing }),
      })
      const loader = countingLoader()
      const cached = cache({ ttl: TTL_SECONDS, key: 'static', name: 'bench' })(() => loader.sync(1))
      await expectHits(name, cached, loader)
      cases.push({ name, fn: cached })
    }
    return { cases }
  },
}

function tracer(ratio: number, requireParentSpan = false): OpenTelemetryTracing {
  const provider = new BasicTracerProvider({ sampler: new TraceIdRatioBasedSampler(ratio) })
  return new OpenTelemetryTracing({ tracerProvider: provider, requireParentSpan })
}

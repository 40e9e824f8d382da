import { context, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import {
  type CacheStore,
  CacheStoreError,
  combineMetrics,
  createCache,
  InMemoryMetrics,
  instrument,
  MemoryStore,
} from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { OpenTelemetryTracing } from './index'

const contextManager = new AsyncLocalStorageContextManager()
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable())
})
afterAll(() => {
  contextManager.disable()
  context.disable()
})

const providers: BasicTracerProvider[] = []
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()))
})

function setup(sampled = true) {
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(sampled ? {} : { sampler: new AlwaysOffSampler() }),
  })
  providers.push(provider)
  const tracing = new OpenTelemetryTracing({ tracerProvider: provider })
  const request = provider.getTracer('app')
  /** Runs `fn` inside a span named `request`, as an HTTP server's instrumentation would. */
  const inRequest = <T>(fn: () => Promise<T>): Promise<T> =>
    request.startActiveSpan('request', async (span) => {
      try {
        return await fn()
      } finally {
        span.end()
      }
    })
  const spans = () => exporter.getFinishedSpans()
  return { tracing, inRequest, spans }
}

const byName = (spans: ReadableSpan[], name: string) => spans.filter((span) => span.name === name)
const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId

describe('OpenTelemetryTracing', () => {
  it('makes a lookup span per call inside the active span, and a load span under it on a miss', async () => {
    const { tracing, inRequest, spans } = setup()
    const app = createCache({ store: new MemoryStore(), tracer: tracing })
    const getUser = app.cache({ ttl: 60, key: 'user:{0}', name: 'getUser' })(async (id: number) => ({ id }))
    expect(await inRequest(() => getUser(1))).toEqual({ id: 1 })
    expect(await inRequest(() => getUser(1))).toEqual({ id: 1 })
    const [firstRequest, secondRequest] = byName(spans(), 'request')
    const [miss, hit] = byName(spans(), 'lookup getUser')
    const [load] = byName(spans(), 'load getUser')
    expect(byName(spans(), 'load getUser')).toHaveLength(1)
    expect(miss?.attributes).toEqual({
      'cache.name': 'getUser',
      'cache.operation': 'call',
      'cache.result': 'miss',
    })
    expect(hit?.attributes).toEqual({
      'cache.name': 'getUser',
      'cache.operation': 'call',
      'cache.result': 'hit',
    })
    expect(load?.attributes).toEqual({ 'cache.name': 'getUser' })
    expect(parentOf(miss)).toBe(firstRequest?.spanContext().spanId)
    expect(parentOf(load)).toBe(miss?.spanContext().spanId)
    expect(parentOf(hit)).toBe(secondRequest?.spanContext().spanId)
    expect(miss?.status.code).toBe(SpanStatusCode.UNSET)
  })

  it('names the tier that served, when the tiers report to the tracing too', async () => {
    const { tracing, spans } = setup()
    const metrics = new InMemoryMetrics()
    const l1 = instrument(new MemoryStore(), combineMetrics(metrics, tracing.metrics), 'L1:memory')
    const app = createCache({ store: l1, metrics, tracer: tracing, name: 'kv' })
    await app.getOrSet('a', async () => 1, { ttl: 60 })
    expect(await app.get('a')).toBe(1)
    const [getOrSet, get] = byName(spans(), 'lookup kv')
    expect(getOrSet?.attributes).toMatchObject({ 'cache.operation': 'getOrSet', 'cache.result': 'miss' })
    expect(getOrSet?.attributes['cache.tier']).toBeUndefined()
    expect(get?.attributes).toEqual({
      'cache.name': 'kv',
      'cache.operation': 'get',
      'cache.result': 'hit',
      'cache.tier': 'L1:memory',
    })
    expect(metrics.getStats().caches['L1:memory']).toMatchObject({ hits: 1, misses: 1 })
  })

  it('marks stale serves, and traces the background refresh as a load', async () => {
    const { tracing, spans } = setup()
    const clock = new ManualClock()
    let version = 0
    const app = createCache({ store: new MemoryStore({ clock }), clock, tracer: tracing })
    const flags = app.cache({ ttl: 1, stale: 60, key: 'flags', name: 'flags' })(async () => ++version)
    await flags()
    await clock.advance(2000)
    expect(await flags()).toBe(1)
    await clock.advance(0)
    expect(await flags()).toBe(2)
    expect(byName(spans(), 'lookup flags').map((span) => span.attributes['cache.result'])).toEqual([
      'miss',
      'stale',
      'hit',
    ])
    const [, staleLookup] = byName(spans(), 'lookup flags')
    const [, refresh] = byName(spans(), 'load flags')
    expect(parentOf(refresh)).toBe(staleLookup?.spanContext().spanId)
  })

  it('records a failing store as an event and a failing loader as the error of both spans', async () => {
    const { tracing, spans } = setup()
    const fail = (operation: string) => () =>
      Promise.reject(new CacheStoreError('redis down', { store: 'redis', operation }))
    const failing: CacheStore = {
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
      close: async () => {},
    }
    const store = instrument(failing, tracing.metrics, 'L2:redis')
    const app = createCache({ store, tracer: tracing, onError: () => {} })
    const getUser = app.cache({ ttl: 60, key: 'user:{0}', name: 'getUser' })(async (id: number) => {
      if (id < 0) throw new RangeError('no such user')
      return { id }
    })
    expect(await getUser(1)).toEqual({ id: 1 })
    const [lookup] = byName(spans(), 'lookup getUser')
    expect(lookup?.attributes['cache.result']).toBe('miss')
    expect(lookup?.events.map((event) => [event.name, event.attributes])).toContainEqual([
      'cache.error',
      { 'cache.name': 'L2:redis', 'cache.operation': 'get', 'error.type': 'CacheStoreError' },
    ])
    expect(lookup?.status.code).toBe(SpanStatusCode.UNSET)

    await expect(getUser(-1)).rejects.toThrow('no such user')
    const [, failedLookup] = byName(spans(), 'lookup getUser')
    const [, failedLoad] = byName(spans(), 'load getUser')
    for (const span of [failedLookup, failedLoad]) {
      expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no such user' })
      expect(span?.attributes['error.type']).toBe('RangeError')
    }
    expect(failedLoad?.events[0]?.name).toBe('exception')
  })

  it('records nothing on spans the sampler drops, and the cache works the same', async () => {
    const { tracing, spans } = setup(false)
    const getUser = createCache({ tracer: tracing }).cache({ ttl: 60, name: 'getUser' })(
      async (id: number) => ({
        id,
      }),
    )
    expect(await getUser(1)).toEqual({ id: 1 })
    expect(await getUser(1)).toEqual({ id: 1 })
    expect(spans()).toEqual([])
  })

  it('with requireParentSpan, traces only lookups inside a recording span', async () => {
    const exporter = new InMemorySpanExporter()
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
    providers.push(provider)
    const tracing = new OpenTelemetryTracing({ tracerProvider: provider, requireParentSpan: true })
    const getUser = createCache({ tracer: tracing }).cache({ ttl: 60, name: 'getUser' })(
      async (id: number) => ({
        id,
      }),
    )
    expect(await getUser(1)).toEqual({ id: 1 }) // no request span: no lookup, no load span
    expect(exporter.getFinishedSpans()).toEqual([])
    await provider.getTracer('app').startActiveSpan('request', async (span) => {
      await getUser(2)
      span.end()
    })
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual([
      'load getUser',
      'lookup getUser',
      'request',
    ])
    expect(() => new OpenTelemetryTracing({ requireParentSpan: 'yes' as never })).toThrow(
      /"requireParentSpan"/,
    )
  })

  it('creates no span for a cache without the tracer option', async () => {
    const { inRequest, spans } = setup()
    const getUser = createCache({}).cache({ ttl: 60, name: 'getUser' })(async (id: number) => ({ id }))
    await inRequest(() => getUser(1))
    expect(spans().map((span) => span.name)).toEqual(['request'])
  })

  it('uses the global tracer provider by default, also when registered after it was created', async () => {
    const tracing = new OpenTelemetryTracing()
    const exporter = new InMemorySpanExporter()
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
    providers.push(provider)
    trace.setGlobalTracerProvider(provider)
    try {
      await createCache({ tracer: tracing }).cache({ ttl: 60, name: 'late' })(async () => 1)()
      expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['load late', 'lookup late'])
    } finally {
      trace.disable()
    }
  })

  it('ends a span when the thenable its loader returned settles', async () => {
    const { tracing, spans } = setup()
    let settle: (value: number) => void = () => {}
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise is the case under test
      then(resolve: (value: number) => void) {
        settle = resolve
      },
    }
    const result = tracing.traceLoad('x', () => thenable)()
    await new Promise((resolve) => setImmediate(resolve))
    expect(spans()).toEqual([])
    settle(7)
    expect(await result).toBe(7)
    expect(spans().map((span) => span.name)).toEqual(['load x'])
  })

  it('validates its options, naming the option', () => {
    expect(() => new OpenTelemetryTracing({ tracerName: '' })).toThrow(/"tracerName"/)
    expect(() => new OpenTelemetryTracing({ tracer: {} as never })).toThrow(/"tracer"/)
    expect(() => new OpenTelemetryTracing({ tracerProvider: {} as never })).toThrow(/"tracerProvider"/)
    const provider = new BasicTracerProvider()
    expect(
      () => new OpenTelemetryTracing({ tracerProvider: provider, tracer: provider.getTracer('x') }),
    ).toThrow(/"tracer"/)
  })
})

import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import {
  CacheConfigError,
  type CacheTracer,
  errorTypeOf,
  type MetricsCollector,
  type TracedOperation,
} from '@stratacache/core'
import { LOOKUP_SPAN_METRICS, startLookupState } from './lookup-spans'

/** Options of {@link OpenTelemetryTracing}. */
export interface OpenTelemetryTracingOptions {
  /**
   * The tracer to start spans with. Give either `tracer` or `tracerProvider`, not both.
   * @defaultValue a tracer named `tracerName` from `tracerProvider`, else from the global provider
   * @example
   * ```ts
   * new OpenTelemetryTracing({ tracer: provider.getTracer('checkout') })
   * ```
   */
  tracer?: Tracer
  /**
   * The tracer provider to get the tracer from.
   * @defaultValue the global tracer provider (`trace.getTracerProvider()`): a proxy that starts
   * recording once the SDK registers, so the tracing may be created before the SDK starts
   * @example
   * ```ts
   * new OpenTelemetryTracing({ tracerProvider: new BasicTracerProvider({ spanProcessors }) })
   * ```
   */
  tracerProvider?: TracerProvider
  /**
   * The name of the tracer (its instrumentation scope), when `tracer` is not given.
   * @defaultValue `'@stratacache/otel'`
   * @example
   * ```ts
   * new OpenTelemetryTracing({ tracerName: 'checkout-service' })
   * ```
   */
  tracerName?: string
  /**
   * Traces a lookup only when a recording span is active at the call (a sampled request), as
   * OpenTelemetry's own instrumentations offer: lookups outside any traced request (a cron job,
   * a warm-up, an unsampled request) then cost a context read instead of a span.
   * @defaultValue `false`
   * @example
   * ```ts
   * new OpenTelemetryTracing({ requireParentSpan: true })
   * ```
   */
  requireParentSpan?: boolean
}

function invalid(option: string, message: string): CacheConfigError {
  return new CacheConfigError(`OpenTelemetryTracing: invalid "${option}": ${message}`, { option })
}

function resolveTracer(options: OpenTelemetryTracingOptions): Tracer {
  const { tracer, tracerProvider, tracerName = '@stratacache/otel' } = options
  if (typeof tracerName !== 'string' || tracerName === '')
    throw invalid('tracerName', 'expected a non-empty string')
  if (tracer !== undefined && tracerProvider !== undefined) {
    throw invalid('tracer', 'give either "tracer" or "tracerProvider", not both')
  }
  if (tracer !== undefined) {
    if (typeof tracer?.startActiveSpan !== 'function')
      throw invalid('tracer', 'expected an OpenTelemetry Tracer')
    return tracer
  }
  if (tracerProvider !== undefined) {
    if (typeof tracerProvider?.getTracer !== 'function') {
      throw invalid('tracerProvider', 'expected an OpenTelemetry TracerProvider')
    }
    return tracerProvider.getTracer(tracerName)
  }
  return trace.getTracer(tracerName)
}

/** Whether the active span records (a sampled trace is in progress). */
const hasRecordingParent = (): boolean => trace.getSpan(context.active())?.isRecording() === true

/** Marks `span` failed by `error`. */
function fail(span: Span, error: unknown): void {
  span.setAttribute('error.type', errorTypeOf(error))
  if (error instanceof Error) span.recordException(error)
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  })
}

/** Runs `run` inside `span` and ends the span when its result settles; returns that result (a thenable as a Promise). */
function endWith<R>(span: Span, run: () => R): R {
  let result: R
  try {
    result = run()
  } catch (error) {
    fail(span, error)
    span.end()
    throw error
  }
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    return Promise.resolve(result).then(
      (value) => {
        span.end()
        return value
      },
      (error: unknown) => {
        fail(span, error)
        span.end()
        throw error
      },
    ) as R
  }
  span.end()
  return result
}

/**
 * OpenTelemetry tracing for stratacache: pass it as the `tracer` option of `cache()` or
 * `createCache()`. Each lookup (a call of a cached function, `getOrSet`, `get`) is a span, and
 * each computation of a value (a miss, a stale entry's refresh) a child span of it; both are
 * children of the span active at the call, so cache work shows up inside request traces.
 *
 * | span | kind | attributes |
 * |---|---|---|
 * | `lookup <cache>` | INTERNAL | `cache.name`, `cache.operation` (`call`/`getOrSet`/`get`), `cache.result` (`hit`/`miss`/`stale`), `cache.tier` (the tier that served, when tiers report, see below), `error.type` when the lookup failed |
 * | `load <cache>` | INTERNAL | `cache.name`, `error.type` and an `exception` event when the loader failed |
 *
 * A store operation that failed during the lookup (the cache went on without it) is a
 * `cache.error` event on the lookup span with `cache.name` (the cache, or the tier), `cache.operation`
 * and `error.type`. To learn the tier that served, wrap the tiers with
 * `instrument(store, combineMetrics(metrics, tracing.metrics), 'L1:memory')`.
 *
 * A cache without the `tracer` option runs no tracing code at all. Spans that the sampler drops
 * are non-recording: nothing is set on them.
 *
 * @example
 * ```ts
 * import { OpenTelemetryTracing } from '@stratacache/otel'
 * const tracing = new OpenTelemetryTracing()
 * const app = createCache({ store, tracer: tracing })
 * ```
 */
export class OpenTelemetryTracing implements CacheTracer {
  readonly #tracer: Tracer
  /** Span options per cache and operation, built once. */
  readonly #lookupOptions = new Map<string, { kind: SpanKind; attributes: Attributes }>()

  /** @see {@link CacheTracer.metrics} */
  readonly metrics: MetricsCollector = LOOKUP_SPAN_METRICS

  readonly #requireParentSpan: boolean

  constructor(options: OpenTelemetryTracingOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalid('options', 'expected an object')
    this.#tracer = resolveTracer(options)
    const { requireParentSpan = false } = options
    if (typeof requireParentSpan !== 'boolean') throw invalid('requireParentSpan', 'expected a boolean')
    this.#requireParentSpan = requireParentSpan
  }

  traceLookup<R>(cache: string, operation: TracedOperation, lookup: () => R): R {
    if (this.#requireParentSpan && !hasRecordingParent()) return lookup()
    const id = `${operation} ${cache}`
    let spanOptions = this.#lookupOptions.get(id)
    if (spanOptions === undefined) {
      spanOptions = {
        kind: SpanKind.INTERNAL,
        attributes: { 'cache.name': cache, 'cache.operation': operation },
      }
      this.#lookupOptions.set(id, spanOptions)
    }
    return this.#tracer.startActiveSpan(`lookup ${cache}`, spanOptions, (span) => {
      startLookupState(span, cache)
      return endWith(span, lookup)
    })
  }

  traceLoad<F extends (...args: any[]) => unknown>(cache: string, loader: F): F {
    const tracer = this.#tracer
    const name = `load ${cache}`
    const spanOptions = { kind: SpanKind.INTERNAL, attributes: { 'cache.name': cache } }
    const requireParentSpan = this.#requireParentSpan
    return function traced(this: unknown, ...args: unknown[]): unknown {
      if (requireParentSpan && !hasRecordingParent()) return loader.apply(this, args)
      return tracer.startActiveSpan(name, spanOptions, (span) =>
        endWith(span, () => loader.apply(this, args)),
      )
    } as F
  }
}

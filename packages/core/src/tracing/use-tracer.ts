import { CacheConfigError } from '../errors'
import type { MetricsCollector } from '../metrics/collector'
import { combineMetrics } from '../metrics/combine-metrics'
import type { CacheTracer } from './cache-tracer'

/**
 * Validates a `tracer` option.
 *
 * @throws {@link CacheConfigError} naming `tracer` when it is not a {@link CacheTracer}
 */
export function checkTracer(tracer: CacheTracer | undefined): CacheTracer | undefined {
  if (
    tracer !== undefined &&
    (typeof tracer?.traceLookup !== 'function' ||
      typeof tracer.traceLoad !== 'function' ||
      typeof tracer.metrics?.recordHit !== 'function')
  ) {
    throw new CacheConfigError('Invalid "tracer": expected a CacheTracer', { option: 'tracer' })
  }
  return tracer
}

/** `fn` wrapped by `tracer.traceLoad`, keeping its `name` and `length` (the wrapper's are taken from it). */
export function tracedLoader<F extends (...args: any[]) => unknown>(
  tracer: CacheTracer,
  cache: string,
  fn: F,
): F {
  const traced = tracer.traceLoad(cache, fn)
  Object.defineProperties(traced, {
    name: { value: fn.name, configurable: true },
    length: { value: fn.length, configurable: true },
  })
  return traced
}

/** The collector of a cache: its own, joined by the tracer's when it is traced. */
export function tracedMetrics(metrics: MetricsCollector, tracer: CacheTracer | undefined): MetricsCollector {
  return tracer === undefined ? metrics : combineMetrics(metrics, tracer.metrics)
}

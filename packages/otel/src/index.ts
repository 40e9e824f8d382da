// @stratacache/otel: OpenTelemetry metrics and tracing for stratacache.

// The default histogram buckets, shared by every exporter (defined in core).
export { DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS } from '@stratacache/core'
export {
  OpenTelemetryMetrics,
  type OpenTelemetryMetricsOptions,
} from './open-telemetry-metrics'
export {
  OpenTelemetryTracing,
  type OpenTelemetryTracingOptions,
} from './open-telemetry-tracing'

// @stratacache/otel: an OpenTelemetry MetricsCollector for stratacache.

// The default histogram buckets, shared by every exporter (defined in core).
export { DEFAULT_DURATION_BUCKETS } from '@stratacache/core'
export {
  OpenTelemetryMetrics,
  type OpenTelemetryMetricsOptions,
} from './open-telemetry-metrics'

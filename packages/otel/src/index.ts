// @stratacache/otel: an OpenTelemetry MetricsCollector for stratacache.
export {
  DEFAULT_DURATION_BUCKETS,
  OpenTelemetryMetrics,
  type OpenTelemetryMetricsOptions,
} from './open-telemetry-metrics'

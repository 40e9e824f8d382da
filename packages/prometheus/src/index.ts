// @stratacache/prometheus: a prom-client MetricsCollector for stratacache.

// The default histogram buckets, shared by every exporter (defined in core).
export { DEFAULT_DURATION_BUCKETS } from '@stratacache/core'
export {
  PrometheusMetrics,
  type PrometheusMetricsOptions,
} from './prometheus-metrics'

// @stratacache/prometheus: a prom-client MetricsCollector for stratacache.
export {
  DEFAULT_DURATION_BUCKETS,
  PrometheusMetrics,
  type PrometheusMetricsOptions,
} from './prometheus-metrics'

// @stratacache/core/testing: helpers for testing stores and time-dependent code (vitest).
export {
  type CoordinationConformanceOptions,
  describeCoordinationConformance,
} from './coordination-conformance'
export { flushMicrotasks, ManualClock } from './manual-clock'
export {
  describeStoreConformance,
  type StoreCapabilities,
  type StoreConformanceContext,
  type StoreConformanceOptions,
} from './store-conformance'

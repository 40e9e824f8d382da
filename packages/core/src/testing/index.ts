// @stratacache/core/testing: helpers for testing stores and time-dependent code (vitest).
export {
  type BlobBackendConformanceOptions,
  describeBlobBackendConformance,
} from './blob-backend-conformance'
export {
  type CoordinationConformanceOptions,
  describeCoordinationConformance,
} from './coordination-conformance'
export { type ForgeInflatingEntryOptions, forgeInflatingEntry } from './forged-entries'
export { flushMicrotasks, ManualClock } from './manual-clock'
export { MemoryBlobBackend, type MemoryBlobBackendOptions } from './memory-blob-backend'
export {
  type DescribeStoreConformance,
  describeStoreConformance,
  type StoreCapabilities,
  type StoreConformanceContext,
  type StoreConformanceGroup,
  type StoreConformanceOptions,
} from './store-conformance'

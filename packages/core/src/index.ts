// @stratacache/core: explicit named exports only, one block per module, sorted by module path
// (the folder names the area). Runtime-agnostic: nothing here or below imports a `node:` module.

export {
  type Bg,
  type BgRegister,
  type BgShutdownOptions,
  type CreateBgOptions,
  createBg,
} from './background/bg'
export type { BgLoader } from './background/bg-loader'
export type { BgOptions, BgReadOptions } from './background/bg-options'
export type { BgReader } from './background/bg-reader'
export type { InvalidationBus, InvalidationMessage, SubscribeOptions } from './bus/invalidation-bus'
export { MemoryBus, type MemoryBusOptions } from './bus/memory-bus'
export { randomOrigin, SubscriberList } from './bus/subscriber-list'
export type { CacheFactory } from './cached/cache'
export type { CacheMode, CacheScopeStats } from './cached/cache-mode'
export type {
  CacheEvictOptions,
  CacheOptions,
  CachePutOptions,
  CacheStoreOptions,
  CacheWriteOptions,
  EvictOptionsFit,
  IsSyncStoreOption,
  OptionFunction,
  OptionsFit,
  StoreOption,
  SyncMode,
} from './cached/cache-options'
export type {
  AsyncCachedFunction,
  CachedFunction,
  CachedFunctionControls,
  CachedReturn,
  PeekReturn,
} from './cached/cached-function'
export type { CacheDecorator, WriteDecorator } from './cached/decorate'
export type { KeySpec } from './cached/key-template'
export type { GetOrSetOptions, SetOptions } from './cached/key-value-cache'
export type { ValueDuration } from './cached/load-policy'
export {
  type Clock,
  clampTimerDelay,
  MAX_TIMER_DELAY_MS,
  systemClock,
  type TimerHandle,
  type TimerOptions,
} from './clock'
export type { CoordinationOptions } from './coordination/coordination-context'
export { type CoordinationStore, isCoordinationStore } from './coordination/coordination-store'
export type { HeldHandle } from './coordination/held-handle'
export {
  type CoordinationMethodDecorator,
  createLock,
  type Lock,
  type LockControls,
  type LockDecorator,
  type LockedFunction,
  type LockFunction,
  type LockWrapperOptions,
} from './coordination/lock'
export type { LockHandle, LockOptions } from './coordination/lock-engine'
export {
  createOnce,
  type Once,
  type OnceDecorator,
  type OnceFunction,
  type OnceOptions,
  type OnLocked,
  type OnLockedResult,
} from './coordination/once'
export {
  createPool,
  type Pool,
  type PoolFunction,
  type PoolOptions,
  type SlotHandle,
} from './coordination/pool'
export {
  createPooled,
  type OnFullResult,
  type Pooled,
  type PooledDecorator,
  type PooledFunction,
  type PooledOptions,
} from './coordination/pooled'
export type { TemplateArgs } from './coordination/template-args'
export {
  bg,
  type CacheInstance,
  type CreateCacheOptions,
  cache,
  createCache,
  type InstanceSync,
  lock,
  once,
  pool,
  pooled,
} from './create-cache'
export {
  type Duration,
  type DurationString,
  type DurationUnit,
  durationToMs,
  MAX_DURATION_MS,
  optionalDurationToMs,
} from './duration'
export {
  CacheCircuitOpenError,
  CacheConfigError,
  CacheError,
  type CacheErrorCode,
  type CacheErrorOptions,
  CacheKeyError,
  CacheLockError,
  CacheMissError,
  CachePoolFullError,
  CacheSerializationError,
  CacheStoreError,
  type CacheStoreErrorOptions,
  CacheTimeoutError,
} from './errors'
export { defaultErrorHandler, type ErrorHandler, safeReport } from './instance-defaults'
export { CacheTallies, type CacheTalliesOptions, type CacheTally } from './metrics/cache-tallies'
export { type MetricsCollector, NULL_METRICS } from './metrics/collector'
export { combineMetrics } from './metrics/combine-metrics'
export { DEFAULT_DURATION_BUCKETS, durationBucketsOption } from './metrics/duration-buckets'
export { errorTypeOf } from './metrics/error-type'
export { type FormatStatsOptions, formatStats } from './metrics/format-stats'
export {
  type BackgroundRefreshStats,
  type CacheCounterStats,
  InMemoryMetrics,
  type InMemoryMetricsOptions,
  type LatencyStats,
  type MemoryStats,
  type MetricsStats,
} from './metrics/in-memory-metrics'
export { DEFAULT_SIZE_BUCKETS } from './metrics/size-buckets'
export { TalliedMetrics } from './metrics/tallied-metrics'
export { checkOptionNames, invalidOption, optionNames } from './option-errors'
export { redactError, redactUrls } from './redact'
export { jsonSerializer } from './serializers/json'
export type { Serializer } from './serializers/serializer'
export type {
  BlobBackend,
  BlobBackendCapabilities,
  BlobCallOptions,
  BlobInfo,
  BlobPage,
  BlobReadOptions,
  BlobReadResult,
  BlobWriteOptions,
} from './store/blob-backend'
export { BlobStore } from './store/blob-store'
export { BLOB_STORE_OPTION_NAMES, type BlobStoreOptions } from './store/blob-store-options'
export {
  BYTE_STORE_OPTION_NAMES,
  type ByteStoreOptions,
  type ResolvedByteStoreOptions,
  resolveByteStoreOptions,
} from './store/byte-store-options'
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './store/circuit-breaker'
export {
  type CompressOptions,
  DEFAULT_MAX_VALUE_BYTES,
  ENTRY_TIMELINE_BYTES,
  type EncodeOptions,
  EntryCodec,
  type EntryCodecOptions,
  type EntryHeaderTimeline,
  readEntryKey,
  readEntryTimeline,
} from './store/codec'
export { type Compression, gzipCompression } from './store/compression'
export { DeadlineWatch, type WatchedCall } from './store/deadline-watch'
export {
  type CreateEntryOptions,
  createEntry,
  type EntryState,
  type EntryTimeline,
  entryState,
  isDead,
  remainingLifeMs,
} from './store/entry'
export { estimateSize } from './store/estimate-size'
export { escapeGlob, globLiteralPrefix, globToRegExp, hasWildcard, unescapeGlob } from './store/glob'
export { type InstrumentOptions, instrument } from './store/instrument'
export { MemoryStore, type MemoryStoreOptions } from './store/memory-store'
export {
  type CacheEntry,
  type CacheStore,
  canGetFreshSync,
  canTryGetSync,
  type FreshReadStore,
  isCacheStore,
  isSyncStore,
  type LayeredStore,
  NOT_FRESH,
  type SyncCacheStore,
  type SyncFirstReadStore,
  sharedStoreOf,
} from './store/store'
export {
  canPrune,
  hasCapability,
  missingMethod,
  type PrunableStore,
  STORE_CAPABILITY_METHODS,
  type StoreCapability,
  storeCapabilities,
} from './store/store-capabilities'
export {
  DEFAULT_STORE_CIRCUIT_BREAKER,
  StoreCircuit,
  type StoreCircuitBreakerOption,
} from './store/store-circuit'
export { type StoreFailureContext, storeFailure } from './store/store-failure'
export { assertStoreKey } from './store/store-key'
export { type TimeoutContext, withTimeout } from './store/with-timeout'
export { type StoreUrlFactory, storeFromUrl } from './store-from-url'
export { registerStoreAdapter } from './store-url/adapter-registry'
export {
  prefixFromUrlPath,
  readUrlParameters,
  type UrlParameterKind,
  type UrlParameters,
  type UrlParameterValue,
} from './store-url/url-parameters'
export type { CacheTracer, TracedOperation } from './tracing/cache-tracer'

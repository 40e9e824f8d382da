// @stratacache/redis: explicit named exports only.

export { ClusterCoverageError, type UncoveredNode } from './cluster-scan'
export type { EvictionPolicy } from './eviction-policy'
export { fromUrl } from './from-url'
export { RedisBus, type RedisBusOptions } from './redis-bus'
export type { RedisClient, RedisConnectionOptions } from './redis-connection'
export { RedisStore, type RedisStoreOptions } from './redis-store'

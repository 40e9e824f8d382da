// @stratacache/redis: explicit named exports only.

export type { EvictionPolicy } from './eviction-policy'
export { fromUrl } from './from-url'
export { RedisBus, type RedisBusOptions } from './redis-bus'
export type { RedisClient, RedisConnectionOptions } from './redis-connection'
export { RedisStore, type RedisStoreOptions } from './redis-store'

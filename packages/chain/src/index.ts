// @stratacache/chain: explicit named exports only.
export { type ChainBuildOptions, ChainStore, type ChainStoreOptions, type ChainTier } from './chain-store'
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker'
export { FailoverStore, type FailoverStoreOptions } from './failover-store'

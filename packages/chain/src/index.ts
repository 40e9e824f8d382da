// @stratacache/chain: explicit named exports only.
export type { ChainBuildOptions, ChainStoreOptions, ChainTier } from './chain-options'
export { ChainStore } from './chain-store'
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker'
export { FailoverStore, type FailoverStoreOptions } from './failover-store'

// The circuit breaker moved to core, shared with the remote stores; re-exported for compatibility.
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from '@stratacache/core'

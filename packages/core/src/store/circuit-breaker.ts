import { type Clock, systemClock } from '../clock'
import { type Duration, durationToMs } from '../duration'
import { CacheConfigError } from '../errors'

/**
 * Where a {@link CircuitBreaker} stands:
 * - `'closed'`: calls go through; consecutive failures are counted;
 * - `'open'`: calls are refused until `resetTimeout` has passed since it opened;
 * - `'half-open'`: one trial call at a time goes through; a success closes the circuit, a
 *   failure opens it again for another `resetTimeout`.
 *
 * @example
 * ```ts
 * if (store.state !== 'closed') logger.warn(`cache primary skipped (${store.state})`)
 * ```
 */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /**
   * How many consecutive failures open the circuit. A positive integer.
   * @defaultValue `5`
   * @example `{ failureThreshold: 3 }`
   */
  failureThreshold?: number
  /**
   * How long the circuit stays open before a trial call is let through. Seconds, or a string
   * such as `'30s'`.
   * @defaultValue `'30s'`
   * @example `{ resetTimeout: '10s' }`
   */
  resetTimeout?: Duration
  /**
   * The time source (no timer is ever set: the state is computed from the clock when asked).
   * @defaultValue `systemClock`
   * @example `{ clock: new ManualClock() }`
   */
  clock?: Clock
}

/**
 * A circuit breaker: after `failureThreshold` consecutive failures it opens and refuses calls
 * for `resetTimeout`, then lets one trial call through (half-open); a success closes it, a
 * failure opens it again. Time is read from the injected clock only when a call asks, so the
 * breaker holds no timer.
 *
 * A caller asks {@link CircuitBreaker.tryAcquire} before each call and, when allowed, reports the
 * outcome with exactly one of {@link CircuitBreaker.recordSuccess},
 * {@link CircuitBreaker.recordFailure} or {@link CircuitBreaker.release}.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ failureThreshold: 5, resetTimeout: '30s' })
 * if (breaker.tryAcquire()) {
 *   try {
 *     const value = await primary.get(key)
 *     breaker.recordSuccess()
 *     return value
 *   } catch (error) {
 *     breaker.recordFailure()
 *   }
 * }
 * return fallback.get(key)
 * ```
 */
export class CircuitBreaker {
  /** How many consecutive failures open the circuit. */
  readonly failureThreshold: number
  /** How long the circuit stays open, ms. */
  readonly resetTimeoutMs: number
  readonly #clock: Clock
  #failures = 0
  /** When the circuit last opened, epoch ms; `undefined` while closed. */
  #openedAt: number | undefined
  #trialInFlight = false

  /**
   * @param options - threshold, reset timeout and clock; see {@link CircuitBreakerOptions}
   * @throws {@link CacheConfigError} naming the option for a threshold that is not a positive
   * integer, a bad `resetTimeout` or a `clock` without `now()`
   */
  constructor(options: CircuitBreakerOptions = {}) {
    const threshold = options.failureThreshold ?? 5
    if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1) {
      throw new CacheConfigError(
        `CircuitBreaker: \`failureThreshold\` must be a positive integer, got ${String(threshold)}`,
        { option: 'failureThreshold' },
      )
    }
    this.failureThreshold = threshold
    this.resetTimeoutMs = durationToMs(options.resetTimeout ?? '30s', 'resetTimeout')
    if (options.clock !== undefined && typeof options.clock?.now !== 'function') {
      throw new CacheConfigError('CircuitBreaker: `clock` must have a now() method', { option: 'clock' })
    }
    this.#clock = options.clock ?? systemClock
  }

  /** The current state, computed from the clock. */
  get state(): CircuitState {
    if (this.#openedAt === undefined) return 'closed'
    return this.#clock.now() - this.#openedAt >= this.resetTimeoutMs ? 'half-open' : 'open'
  }

  /** When the circuit last opened (epoch ms on its clock); `NaN` while closed. */
  get openedAt(): number {
    return this.#openedAt ?? Number.NaN
  }

  /** Consecutive failures counted since the last success. */
  get failures(): number {
    return this.#failures
  }

  /**
   * Whether a call may go through now: always when closed, never when open, and when half-open
   * only if no other trial call is in flight (the caller then runs the trial).
   */
  tryAcquire(): boolean {
    if (this.#openedAt === undefined) return true
    if (this.#trialInFlight || this.state !== 'half-open') return false
    this.#trialInFlight = true
    return true
  }

  /** The call succeeded: the circuit closes and the failure count resets. */
  recordSuccess(): void {
    this.#failures = 0
    this.#openedAt = undefined
    this.#trialInFlight = false
  }

  /**
   * The call failed: counts it; opens the circuit when closed at the threshold, or again after a
   * failed trial. (A late failure of a call started before the circuit opened does not push the
   * reopening back.)
   */
  recordFailure(): void {
    this.#failures++
    if (this.#openedAt === undefined) {
      if (this.#failures >= this.failureThreshold) this.#openedAt = this.#clock.now()
    } else if (this.#trialInFlight) {
      this.#openedAt = this.#clock.now()
    }
    this.#trialInFlight = false
  }

  /**
   * The call ended without saying anything about the protected resource's health (e.g. the
   * caller's value could not be serialized): frees the trial slot, changes nothing else.
   */
  release(): void {
    this.#trialInFlight = false
  }
}

import { type Clock, systemClock } from '../clock'
import { CacheCircuitOpenError, CacheConfigError, CacheStoreError } from '../errors'
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker'
import { STORE_CAPABILITY_METHODS } from './store-capabilities'

/**
 * The `circuitBreaker` option of a remote store: tune its breaker, or `false` to call the backend
 * whatever happens.
 * @example
 * ```ts
 * new RedisStore({ url, circuitBreaker: { failureThreshold: 3, resetTimeout: '5s' } })
 * new RedisStore({ url, circuitBreaker: false })
 * ```
 */
export type StoreCircuitBreakerOption = Omit<CircuitBreakerOptions, 'clock'> | false

/**
 * The breaker of remote stores unless told otherwise: 5 failures in a row, then 10 s without calls.
 * @example
 * ```ts
 * new RedisStore({ url, circuitBreaker: { ...DEFAULT_STORE_CIRCUIT_BREAKER, resetTimeout: '30s' } })
 * ```
 */
export const DEFAULT_STORE_CIRCUIT_BREAKER = { failureThreshold: 5, resetTimeout: '10s' } as const

/**
 * The store methods that reach the backend, guarded by the breaker when present on the store:
 * the protocol (but `close`, which must always run) and the coordination primitives.
 */
const GUARDED_METHODS = [
  ...STORE_CAPABILITY_METHODS.protocol.filter((method) => method !== 'close'),
  ...STORE_CAPABILITY_METHODS.coordination,
  ...STORE_CAPABILITY_METHODS.lockExtension,
]

/**
 * The circuit breaker of a remote store (`RedisStore`, `BlobStore`), one shared piece: after
 * `failureThreshold` consecutive backend failures (`CacheStoreError`s: errors, timeouts) the store
 * stops calling its backend for `resetTimeout`, rejecting at once with
 * {@link CacheCircuitOpenError}; then one trial call goes through, and its outcome closes or
 * reopens the circuit. So during an outage callers of `cache()` pay their loader's time, not a
 * store timeout per call. Errors that say nothing of the backend's health (a value the serializer
 * cannot encode, a bad argument) neither count nor reset the count.
 *
 * {@link StoreCircuit.guard} wraps the store's own methods on the instance, so a store adopts it
 * with two lines and a `circuitState` getter; `instrument()` reports that state to metrics.
 *
 * @example
 * ```ts
 * class GuardedStore extends MemoryStore {
 *   readonly #circuit = new StoreCircuit('GuardedStore', this.name, { failureThreshold: 3 })
 *   constructor() {
 *     super()
 *     this.#circuit.guard(this)
 *   }
 *   get circuitState() {
 *     return this.#circuit.state
 *   }
 * }
 * ```
 */
export class StoreCircuit {
  readonly #breaker: CircuitBreaker | undefined
  readonly #clock: Clock
  readonly #store: string

  /**
   * @param owner - the store class, for error messages (`'RedisStore'`)
   * @param store - the store's `name`, for the errors it raises
   * @param option - the store's `circuitBreaker` option; `undefined` is the default breaker
   * @param clock - the time source of the breaker
   * @throws {@link CacheConfigError} naming `circuitBreaker` (or the bad field) for an invalid option
   */
  constructor(
    owner: string,
    store: string,
    option: StoreCircuitBreakerOption | undefined,
    clock: Clock = systemClock,
  ) {
    this.#clock = clock
    this.#store = store
    if (option === false) return
    if (option !== undefined && (typeof option !== 'object' || option === null)) {
      throw new CacheConfigError(`${owner}: \`circuitBreaker\` must be an object or false`, {
        option: 'circuitBreaker',
      })
    }
    this.#breaker = new CircuitBreaker({ ...DEFAULT_STORE_CIRCUIT_BREAKER, ...option, clock })
  }

  /** `'closed'` while calls go through (always so when disabled), `'open'`, or `'half-open'`. */
  get state(): CircuitState {
    return this.#breaker?.state ?? 'closed'
  }

  /**
   * Runs `call` unless the circuit is open (then rejects at once with
   * {@link CacheCircuitOpenError}), and records its outcome.
   */
  run<T>(operation: string, key: string | undefined, call: () => Promise<T>): Promise<T> {
    const breaker = this.#breaker
    if (breaker === undefined) return call()
    if (!breaker.tryAcquire()) return Promise.reject(this.#refusal(breaker, operation, key))
    let pending: Promise<T>
    try {
      pending = call()
    } catch (error) {
      breaker.release()
      return Promise.reject(error)
    }
    // One `then`, no extra async frame: this sits on every backend call of the store.
    return pending.then(
      (result) => {
        breaker.recordSuccess()
        return result
      },
      (error: unknown) => {
        this.failed(error)
        throw error
      },
    )
  }

  /**
   * {@link StoreCircuit.run} for a store's hot path that settles its own promise and reports
   * its outcome itself, so that no `then` is added to the call: `undefined` when the call may go
   * ahead (it must then end with exactly one of {@link StoreCircuit.succeeded} or
   * {@link StoreCircuit.failed}), else the {@link CacheCircuitOpenError} to reject with.
   *
   * @example
   * ```ts
   * const refusal = circuit.admit('get', key)
   * if (refusal !== undefined) return Promise.reject(refusal)
   * return read(key).then(
   *   (bytes) => (circuit.succeeded(), bytes),
   *   (error) => { circuit.failed(error); throw error },
   * )
   * ```
   */
  admit(operation: string, key: string | undefined): CacheCircuitOpenError | undefined {
    const breaker = this.#breaker
    if (breaker === undefined || breaker.tryAcquire()) return undefined
    return this.#refusal(breaker, operation, key)
  }

  /** The call admitted by {@link StoreCircuit.admit} succeeded. */
  succeeded(): void {
    this.#breaker?.recordSuccess()
  }

  /**
   * The call admitted by {@link StoreCircuit.admit} failed with `error`: a `CacheStoreError`
   * counts as a failure of the backend, any other error only frees the trial slot.
   */
  failed(error: unknown): void {
    const breaker = this.#breaker
    if (breaker === undefined) return
    if (CacheStoreError.isInstance(error)) breaker.recordFailure()
    else breaker.release()
  }

  /**
   * Puts every backend method `store` has (see the list in the source: reads, writes, clears,
   * coordination primitives) behind {@link StoreCircuit.run}, on the instance itself. Does
   * nothing when the breaker is disabled.
   *
   * @param store - the store whose methods to guard
   * @param own - methods the store guards itself with {@link StoreCircuit.admit} (its hot path)
   */
  guard(store: object, own: readonly string[] = []): void {
    if (this.#breaker === undefined) return
    const target = store as Record<string, unknown>
    for (const method of GUARDED_METHODS) {
      if (own.includes(method)) continue
      const original = target[method]
      if (typeof original !== 'function') continue
      Object.defineProperty(store, method, {
        configurable: true,
        writable: true,
        enumerable: false,
        value: (...args: unknown[]) =>
          this.run(method, typeof args[0] === 'string' ? args[0] : undefined, () =>
            Reflect.apply(original as (...a: unknown[]) => Promise<unknown>, store, args),
          ),
      })
    }
  }

  #refusal(breaker: CircuitBreaker, operation: string, key: string | undefined): CacheCircuitOpenError {
    const retryInMs = Math.max(0, breaker.openedAt + breaker.resetTimeoutMs - this.#clock.now())
    const where = `${this.#store} ${operation}${key === undefined ? '' : ` of key ${JSON.stringify(key)}`}`
    return new CacheCircuitOpenError(
      `${where} was not attempted: the backend failed ${breaker.failures} times in a row, so its circuit breaker is open; a trial call goes through in ${retryInMs} ms`,
      { store: this.#store, operation, key, retryInMs },
    )
  }
}

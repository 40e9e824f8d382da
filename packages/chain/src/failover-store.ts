import {
  CacheConfigError,
  type CacheEntry,
  CacheSerializationError,
  type CacheStore,
  CacheStoreError,
  type Clock,
  checkOptionNames,
  defaultErrorHandler,
  type ErrorHandler,
  missingMethod,
  optionNames,
  safeReport,
} from '@stratacache/core'
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker'

/** Options of {@link FailoverStore}. */
export interface FailoverStoreOptions {
  /**
   * The store every operation goes to first (typically Redis).
   * @example `{ primary: new RedisStore({ url }) }`
   */
  primary: CacheStore
  /**
   * The store that serves the operations the primary failed, and every operation while the
   * circuit is open (typically a `MemoryStore`).
   * @example `{ fallback: new MemoryStore({ maxEntries: 10_000 }) }`
   */
  fallback: CacheStore
  /**
   * The circuit breaker in front of the primary: after `failureThreshold` consecutive failures
   * the primary is skipped for `resetTimeout`, then one trial operation is let through.
   * @defaultValue `{ failureThreshold: 5, resetTimeout: '30s' }`
   * @example `{ breaker: { failureThreshold: 3, resetTimeout: '10s' } }`
   */
  breaker?: Omit<CircuitBreakerOptions, 'clock'>
  /**
   * Whether writes the primary accepted are copied to the fallback too, so that it is warm when
   * the primary fails. With `false` the fallback's copy of a written key is deleted instead (the
   * fallback then never serves a value older than one written through this store).
   * @defaultValue `true`
   * @example `{ mirrorWrites: false }`
   */
  mirrorWrites?: boolean
  /**
   * Receives each primary failure (as a `CacheStoreError` whose `cause` is the primary's error)
   * and each failed write to the fallback that followed a primary success.
   * @defaultValue one warning log per error
   * @example `{ onError: (error) => logger.warn(error) }`
   */
  onError?: ErrorHandler
  /**
   * The time source of the circuit breaker.
   * @defaultValue `systemClock`
   * @example `{ clock: new ManualClock() }`
   */
  clock?: Clock
  /**
   * The store's name in logs, metrics and errors.
   * @defaultValue `'failover'`
   * @example `{ name: 'sessions' }`
   */
  name?: string
  /**
   * Whether {@link FailoverStore.close} also closes the primary and the fallback.
   * @defaultValue `true`
   * @example `{ closeStores: false }`
   */
  closeStores?: boolean
}

/** What {@link FailoverStore} returns internally when the primary did not serve an operation. */
const SKIPPED: unique symbol = Symbol('skipped')

const FAILOVER_STORE_OPTION_NAMES = optionNames<FailoverStoreOptions>({
  primary: true,
  fallback: true,
  breaker: true,
  mirrorWrites: true,
  onError: true,
  clock: true,
  name: true,
  closeStores: true,
})

function requireStore(value: unknown, option: string): CacheStore {
  const missing = missingMethod(value, 'protocol')
  if (missing !== undefined) {
    throw new CacheConfigError(`FailoverStore: \`${option}\` must be a CacheStore (no ${missing}() method)`, {
      option,
    })
  }
  return value as CacheStore
}

/**
 * A store that keeps working when its primary backend does not: every operation goes to the
 * `primary`; when the primary fails (a `CacheStoreError`, a `CacheTimeoutError`, any thrown
 * error), the failure is reported to `onError` and the operation is served by the `fallback`.
 * A circuit breaker skips the primary altogether after `failureThreshold` consecutive failures,
 * for `resetTimeout`, so a dead backend costs nothing per call; then a single trial operation
 * probes it, and a success closes the circuit.
 *
 * - Reads take the primary's answer, a miss included (the fallback is not consulted then).
 * - Writes the primary accepted are copied to the fallback (`mirrorWrites`, default `true`);
 *   deletes and clears the primary accepted are applied to the fallback too, so it never serves
 *   a key deleted through this store.
 * - `setIfAbsent` is decided by the primary when it answers, by the fallback otherwise (atomic
 *   only within the fallback then).
 * - A `CacheSerializationError` is the caller's value at fault, not the primary: it rejects the
 *   operation without failing over.
 * - When both stores fail, the operation rejects with the fallback's error.
 *
 * Writes and deletes made while the primary is skipped reach only the fallback: when the
 * primary comes back it may still hold entries deleted meanwhile (bound them with TTLs).
 *
 * @example
 * ```ts
 * const store = new FailoverStore({
 *   primary: new RedisStore({ url: 'redis://127.0.0.1:6379', operationTimeout: '100ms' }),
 *   fallback: new MemoryStore({ maxEntries: 10_000 }),
 *   breaker: { failureThreshold: 5, resetTimeout: '30s' },
 * })
 * store.state // 'closed'
 * ```
 */
export class FailoverStore implements CacheStore {
  /** The store's name, `'failover'` unless given. */
  readonly name: string
  /** The primary store. */
  readonly primary: CacheStore
  /** The fallback store. */
  readonly fallback: CacheStore
  readonly #breaker: CircuitBreaker
  readonly #mirrorWrites: boolean
  readonly #onError: ErrorHandler
  readonly #closeStores: boolean
  #closed: Promise<void> | undefined

  /**
   * @param options - the two stores, breaker and error handler; see {@link FailoverStoreOptions}
   * @throws {@link CacheConfigError} naming the option for a missing store or an invalid option
   */
  constructor(options: FailoverStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new CacheConfigError('FailoverStore: options { primary, fallback } are required', {
        option: 'options',
      })
    }
    checkOptionNames('FailoverStore', options, FAILOVER_STORE_OPTION_NAMES)
    this.primary = requireStore(options.primary, 'primary')
    this.fallback = requireStore(options.fallback, 'fallback')
    if (this.primary === this.fallback) {
      throw new CacheConfigError('FailoverStore: `fallback` must be another store than `primary`', {
        option: 'fallback',
      })
    }
    if (options.breaker !== undefined && (typeof options.breaker !== 'object' || options.breaker === null)) {
      throw new CacheConfigError('FailoverStore: `breaker` must be an object', { option: 'breaker' })
    }
    this.#breaker = new CircuitBreaker({ ...options.breaker, clock: options.clock })
    if (options.mirrorWrites !== undefined && typeof options.mirrorWrites !== 'boolean') {
      throw new CacheConfigError('FailoverStore: `mirrorWrites` must be a boolean', {
        option: 'mirrorWrites',
      })
    }
    this.#mirrorWrites = options.mirrorWrites ?? true
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new CacheConfigError('FailoverStore: `onError` must be a function', { option: 'onError' })
    }
    this.#onError = options.onError ?? defaultErrorHandler
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
      throw new CacheConfigError('FailoverStore: `name` must be a non-empty string', { option: 'name' })
    }
    this.name = options.name ?? 'failover'
    if (options.closeStores !== undefined && typeof options.closeStores !== 'boolean') {
      throw new CacheConfigError('FailoverStore: `closeStores` must be a boolean', { option: 'closeStores' })
    }
    this.#closeStores = options.closeStores ?? true
  }

  /** The circuit breaker's state: `'closed'` while the primary is in use. */
  get state(): CircuitState {
    return this.#breaker.state
  }

  /** The live entry from the primary, or from the fallback when the primary fails. */
  async get(key: string): Promise<CacheEntry | undefined> {
    const result = await this.#tryPrimary('get', key, (store) => store.get(key))
    return result === SKIPPED ? this.fallback.get(key) : result
  }

  /** Whether a live entry exists, per the primary (or the fallback when the primary fails). */
  async has(key: string): Promise<boolean> {
    const result = await this.#tryPrimary('has', key, (store) => store.has(key))
    return result === SKIPPED ? this.fallback.has(key) : result
  }

  /** The entries under `keys`, in order, from the primary (or the fallback when it fails). */
  async getMany(keys: string[]): Promise<(CacheEntry | undefined)[]> {
    const result = await this.#tryPrimary('getMany', undefined, (store) => store.getMany(keys))
    return result === SKIPPED ? this.fallback.getMany(keys) : result
  }

  /** Writes to the primary (then mirrors to the fallback), or to the fallback when the primary fails. */
  async set(key: string, entry: CacheEntry): Promise<void> {
    const result = await this.#tryPrimary('set', key, (store) => store.set(key, entry))
    if (result === SKIPPED) return this.fallback.set(key, entry)
    await this.#mirror('set', [key], () =>
      this.#mirrorWrites ? this.fallback.set(key, entry) : this.fallback.delete(key),
    )
  }

  /** {@link FailoverStore.set} for many pairs, in one batch per store. */
  async setMany(items: [string, CacheEntry][]): Promise<void> {
    const result = await this.#tryPrimary('setMany', undefined, (store) => store.setMany(items))
    if (result === SKIPPED) return this.fallback.setMany(items)
    const keys = items.map(([key]) => key)
    await this.#mirror('setMany', keys, () =>
      this.#mirrorWrites ? this.fallback.setMany(items) : this.fallback.deleteMany(keys),
    )
  }

  /** Decided by the primary (then mirrored to the fallback), or by the fallback when the primary fails. */
  async setIfAbsent(key: string, entry: CacheEntry): Promise<boolean> {
    const result = await this.#tryPrimary('setIfAbsent', key, (store) => store.setIfAbsent(key, entry))
    if (result === SKIPPED) return this.fallback.setIfAbsent(key, entry)
    if (result) {
      await this.#mirror('setIfAbsent', [key], () =>
        this.#mirrorWrites ? this.fallback.set(key, entry) : this.fallback.delete(key),
      )
    }
    return result
  }

  /** Deletes from both stores; the primary's answer (the fallback's when the primary fails). */
  async delete(key: string): Promise<boolean> {
    const result = await this.#tryPrimary('delete', key, (store) => store.delete(key))
    if (result === SKIPPED) return this.fallback.delete(key)
    await this.#mirror('delete', [key], () => this.fallback.delete(key))
    return result
  }

  /** Deletes from both stores; the primary's count (the fallback's when the primary fails). */
  async deleteMany(keys: string[]): Promise<number> {
    const result = await this.#tryPrimary('deleteMany', undefined, (store) => store.deleteMany(keys))
    if (result === SKIPPED) return this.fallback.deleteMany(keys)
    await this.#mirror('deleteMany', keys, () => this.fallback.deleteMany(keys))
    return result
  }

  /** Deletes matching keys from both stores; the primary's count (the fallback's when it fails). */
  async deleteMatching(pattern: string): Promise<number> {
    const result = await this.#tryPrimary('deleteMatching', undefined, (store) =>
      store.deleteMatching(pattern),
    )
    if (result === SKIPPED) return this.fallback.deleteMatching(pattern)
    await this.#mirror('deleteMatching', [], () => this.fallback.deleteMatching(pattern))
    return result
  }

  /** Clears both stores. */
  async clear(): Promise<void> {
    const result = await this.#tryPrimary('clear', undefined, (store) => store.clear())
    if (result === SKIPPED) return this.fallback.clear()
    await this.#mirror('clear', [], () => this.fallback.clear())
  }

  /** Closes the primary and the fallback unless `closeStores: false`. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#close()
    return this.#closed
  }

  async #close(): Promise<void> {
    if (!this.#closeStores) return
    const results = await Promise.allSettled([this.primary.close(), this.fallback.close()])
    const failed = results.find((result) => result.status === 'rejected')
    if (failed !== undefined) throw failed.reason
  }

  /**
   * Runs `call` on the primary when the breaker lets it through. Resolves its result, or
   * {@link SKIPPED} when the breaker is open or the primary failed (reported).
   */
  async #tryPrimary<T>(
    operation: string,
    key: string | undefined,
    call: (store: CacheStore) => Promise<T>,
  ): Promise<T | typeof SKIPPED> {
    if (!this.#breaker.tryAcquire()) return SKIPPED
    try {
      const result = await call(this.primary)
      this.#breaker.recordSuccess()
      return result
    } catch (error) {
      if (CacheSerializationError.isInstance(error)) {
        this.#breaker.release()
        throw error
      }
      this.#breaker.recordFailure()
      this.#report(`primary store "${this.primary.name}" failed on ${operation}; served by the fallback`, {
        operation,
        key,
        error,
      })
      return SKIPPED
    }
  }

  /** Applies a write the primary accepted to the fallback too; a failure is reported only. */
  async #mirror(operation: string, keys: string[], write: () => Promise<unknown>): Promise<void> {
    try {
      await write()
    } catch (error) {
      this.#report(`fallback store "${this.fallback.name}" failed on ${operation} after the primary's`, {
        operation,
        key: keys.length === 1 ? keys[0] : undefined,
        error,
      })
    }
  }

  #report(what: string, context: { operation: string; key: string | undefined; error: unknown }): void {
    const detail = context.error instanceof Error ? context.error.message : String(context.error)
    safeReport(
      this.#onError,
      new CacheStoreError(`FailoverStore "${this.name}": ${what}: ${detail}`, {
        store: this.name,
        operation: context.operation,
        key: context.key,
        cause: context.error,
      }),
    )
  }
}

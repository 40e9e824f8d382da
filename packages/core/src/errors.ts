/**
 * Errors thrown by stratacache. Every error extends {@link CacheError}, carries a stable `code`
 * and, where one exists, the underlying `cause`.
 *
 * `instanceof` breaks when two copies of a package are installed (each has its own classes), so
 * every class also offers a static `isInstance(value)` that recognises errors from any copy
 * through a `Symbol.for` marker.
 *
 * @example
 * ```ts
 * try { await store.get('k') } catch (error) {
 *   if (CacheStoreError.isInstance(error)) console.log(error.store, error.operation, error.key)
 * }
 * ```
 * @packageDocumentation
 */

import { redactError, redactUrls } from './redact'

/** The `code` of every stratacache error. */
export type CacheErrorCode =
  | 'E_CACHE'
  | 'E_CACHE_CONFIG'
  | 'E_CACHE_KEY'
  | 'E_CACHE_STORE'
  | 'E_CACHE_TIMEOUT'
  | 'E_CACHE_LOCK'
  | 'E_CACHE_POOL_FULL'
  | 'E_CACHE_SERIALIZATION'
  | 'E_CACHE_MISS'

/** Options shared by every stratacache error constructor. */
export interface CacheErrorOptions {
  /** The error that caused this one, if any. */
  cause?: unknown
}

const markerOf = (errorName: string): symbol => Symbol.for(`stratacache.error.${errorName}`)

/**
 * The base class of every stratacache error. The message and the `cause` chain never carry a
 * URL's password: userinfo is redacted ({@link redactUrls}, {@link redactError}).
 */
export class CacheError extends Error {
  /** The name used for the cross-install marker; every subclass declares its own. */
  static readonly errorName: string = 'CacheError'
  /** The stable machine-readable code of this error. */
  readonly code: CacheErrorCode

  constructor(message: string, options: CacheErrorOptions & { code?: CacheErrorCode } = {}) {
    super(redactUrls(message), 'cause' in options ? { cause: redactError(options.cause) } : undefined)
    this.code = options.code ?? 'E_CACHE'
    let ctor: unknown = new.target
    while (typeof ctor === 'function' && Object.hasOwn(ctor, 'errorName')) {
      const errorName = (ctor as typeof CacheError).errorName
      Object.defineProperty(this, markerOf(errorName), { value: true, enumerable: false })
      ctor = Object.getPrototypeOf(ctor)
    }
    this.name = (new.target as typeof CacheError).errorName
  }

  /**
   * Whether `value` is an instance of this class, from this copy of the package or any other.
   *
   * @example
   * ```ts
   * if (CacheLockError.isInstance(error)) retryLater()
   * ```
   */
  static isInstance<T extends typeof CacheError>(this: T, value: unknown): value is InstanceType<T> {
    // `this` is the class isInstance was called on, so each subclass checks its own marker.
    // biome-ignore lint/complexity/noThisInStatic: polymorphic static by design
    const marker = markerOf(this.errorName)
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true
  }
}

/** A configuration value is invalid: a bad duration, a missing required option, a conflicting registration. */
export class CacheConfigError extends CacheError {
  static override readonly errorName: string = 'CacheConfigError'
  /** The option at fault, e.g. `'ttl'`. */
  readonly option: string | undefined

  constructor(message: string, options: CacheErrorOptions & { option?: string } = {}) {
    super(message, { ...options, code: 'E_CACHE_CONFIG' })
    this.option = options.option
  }
}

/** A key template or key function cannot produce a key. Thrown at decoration time where possible. */
export class CacheKeyError extends CacheError {
  static override readonly errorName: string = 'CacheKeyError'
  /** The template at fault, when there is one. */
  readonly template: string | undefined
  /** The placeholder that cannot be resolved, when there is one (e.g. `'{user.id}'`). */
  readonly placeholder: string | undefined

  constructor(
    message: string,
    options: CacheErrorOptions & { template?: string; placeholder?: string } = {},
  ) {
    super(message, { ...options, code: 'E_CACHE_KEY' })
    this.template = options.template
    this.placeholder = options.placeholder
  }
}

/** Options of {@link CacheStoreError}. */
export interface CacheStoreErrorOptions extends CacheErrorOptions {
  /** The `name` of the store that failed. */
  store: string
  /** The operation that failed, e.g. `'get'` or `'setMany'`. */
  operation: string
  /** The key involved, when the operation has exactly one. */
  key?: string
}

/** A store operation failed: the backend is down, refused the command, or answered garbage. */
export class CacheStoreError extends CacheError {
  static override readonly errorName: string = 'CacheStoreError'
  /** The `name` of the store that failed. */
  readonly store: string
  /** The operation that failed. */
  readonly operation: string
  /** The key involved, if any. */
  readonly key: string | undefined

  constructor(message: string, options: CacheStoreErrorOptions, code: CacheErrorCode = 'E_CACHE_STORE') {
    super(message, { ...options, code })
    this.store = options.store
    this.operation = options.operation
    this.key = options.key
  }
}

/** A store operation took longer than its `operationTimeout`. Also a {@link CacheStoreError}. */
export class CacheTimeoutError extends CacheStoreError {
  static override readonly errorName: string = 'CacheTimeoutError'
  /** The timeout that was exceeded, in milliseconds. */
  readonly timeoutMs: number

  constructor(message: string, options: CacheStoreErrorOptions & { timeoutMs: number }) {
    super(message, options, 'E_CACHE_TIMEOUT')
    this.timeoutMs = options.timeoutMs
  }
}

/** A lock could not be acquired (at once, or within its `timeout`). */
export class CacheLockError extends CacheError {
  static override readonly errorName: string = 'CacheLockError'
  /** The lock's key. */
  readonly key: string
  /** How long the caller waited before giving up, in milliseconds. */
  readonly waitedMs: number

  constructor(message: string, options: CacheErrorOptions & { key: string; waitedMs?: number }) {
    super(message, { ...options, code: 'E_CACHE_LOCK' })
    this.key = options.key
    this.waitedMs = options.waitedMs ?? 0
  }
}

/** A pool has `maxSize` holders already. */
export class CachePoolFullError extends CacheError {
  static override readonly errorName: string = 'CachePoolFullError'
  /** The pool's key. */
  readonly key: string
  /** The pool's capacity. */
  readonly maxSize: number

  constructor(message: string, options: CacheErrorOptions & { key: string; maxSize: number }) {
    super(message, { ...options, code: 'E_CACHE_POOL_FULL' })
    this.key = options.key
    this.maxSize = options.maxSize
  }
}

/** A value cannot be encoded, or stored bytes cannot be decoded. */
export class CacheSerializationError extends CacheError {
  static override readonly errorName: string = 'CacheSerializationError'
  /** The key whose value failed, when known. */
  readonly key: string | undefined

  constructor(message: string, options: CacheErrorOptions & { key?: string } = {}) {
    super(message, { ...options, code: 'E_CACHE_SERIALIZATION' })
    this.key = options.key
  }
}

/**
 * A read-only cached call found no usable entry (`mode: 'read-only'` or `withCacheMode('read-only', …)`):
 * the function was not called.
 *
 * @example
 * ```ts
 * try { await withCacheMode('read-only', () => getUser(42)) } catch (error) {
 *   if (CacheMissError.isInstance(error)) console.log('not cached:', error.key)
 * }
 * ```
 */
export class CacheMissError extends CacheError {
  static override readonly errorName: string = 'CacheMissError'
  /** The key that missed. */
  readonly key: string

  constructor(message: string, options: CacheErrorOptions & { key: string }) {
    super(message, { ...options, code: 'E_CACHE_MISS' })
    this.key = options.key
  }
}

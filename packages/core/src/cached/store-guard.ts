import type { Clock } from '../clock'
import { CacheError, CacheStoreError } from '../errors'
import { type ErrorHandler, safeReport } from '../instance-defaults'
import type { MetricsCollector } from '../metrics/collector'
import { errorTypeOf } from '../metrics/error-type'
import { escapeGlob } from '../store/glob'
import {
  type CacheEntry,
  type CacheStore,
  canGetFreshSync,
  canTryGetSync,
  type FreshReadStore,
  isSyncStore,
  NOT_FRESH,
  type SyncCacheStore,
  type SyncFirstReadStore,
} from '../store/store'
import { withTimeout } from '../store/with-timeout'
import { countInScope, scopeHook } from './cache-mode'

/** A tag check of a tagged entry: its tags and `createdAt` against their records. */
export type TagSurvival = (tags: readonly string[], createdAt: number) => boolean

/** Everything a {@link StoreGuard} needs. */
export interface StoreGuardOptions {
  store: CacheStore
  /** Whether the store was created for this one function (then `clear()` may clear all of it). */
  ownStore: boolean
  /** The instance prefix, without separator; `''` for none. */
  prefix: string
  /** The cache's name in metrics and messages. */
  cacheName: string
  metrics: MetricsCollector
  onError: ErrorHandler
  clock: Clock
  /** `operationTimeout` in ms; `Infinity` for none. */
  timeoutMs: number
}

/**
 * The cache's side of a store: every call bounded by `operationTimeout`, and failures of reads and
 * writes absorbed (reported to `onError` and metrics) so that a broken store never breaks a caller.
 * Synchronous store methods are used whenever the store has them.
 */
export class StoreGuard {
  readonly store: CacheStore
  /** The store, when it offers synchronous methods. */
  readonly sync: SyncCacheStore | undefined
  /** The store, when it hands the common fresh hit without building an entry (`MemoryStore`). */
  readonly fresh: FreshReadStore | undefined
  /** The store, when it can answer some reads without waiting (and has no synchronous twins). */
  readonly syncFirst: SyncFirstReadStore | undefined
  readonly cacheName: string
  readonly metrics: MetricsCollector
  readonly onError: ErrorHandler
  readonly clock: Clock
  readonly timeoutMs: number
  readonly #ownStore: boolean
  readonly #prefix: string

  constructor(options: StoreGuardOptions) {
    this.store = options.store
    this.sync = isSyncStore(options.store) ? options.store : undefined
    this.fresh = canGetFreshSync(options.store) ? options.store : undefined
    this.syncFirst = this.sync === undefined && canTryGetSync(options.store) ? options.store : undefined
    this.cacheName = options.cacheName
    this.metrics = options.metrics
    this.onError = options.onError
    this.clock = options.clock
    this.timeoutMs = options.timeoutMs
    this.#ownStore = options.ownStore
    this.#prefix = options.prefix
  }

  /** A guard of another store (a chain's shared tier) with the same bounds, metrics and error handling. */
  sibling(store: CacheStore): StoreGuard {
    // Through the constructor, not the class name: a self-reference makes the bundler rename the class `_StoreGuard`.
    return new (this.constructor as typeof StoreGuard)({
      store,
      ownStore: false,
      prefix: this.#prefix,
      cacheName: this.cacheName,
      metrics: this.metrics,
      onError: this.onError,
      clock: this.clock,
      timeoutMs: this.timeoutMs,
    })
  }

  /** `operation` bounded by `operationTimeout`. */
  bounded<T>(operation: Promise<T>, name: string, key?: string): Promise<T> {
    if (this.timeoutMs === Number.POSITIVE_INFINITY) return operation
    return withTimeout(operation, this.timeoutMs, this.clock, {
      store: this.store.name,
      operation: name,
      ...(key === undefined ? {} : { key }),
    })
  }

  /** Reports a store failure the caller does not see: metrics, then `onError`. */
  failed(operation: string, key: string | undefined, error: unknown): CacheError {
    const reported = CacheError.isInstance(error)
      ? error
      : new CacheStoreError(
          `${this.store.name} ${operation}${key === undefined ? '' : ` of key ${JSON.stringify(key)}`} failed: ${
            error instanceof Error ? error.message : String(error)
          }`,
          { store: this.store.name, operation, cause: error, ...(key === undefined ? {} : { key }) },
        )
    this.metrics.recordError(this.cacheName, operation, errorTypeOf(reported))
    if (scopeHook.active !== 0) countInScope('errors')
    return reported
  }

  #absorb(operation: string, key: string | undefined, error: unknown): void {
    safeReport(this.onError, this.failed(operation, key, error))
  }

  /** Synchronous read (the store must be synchronous); a failure is a miss. */
  getSync(key: string): CacheEntry | undefined {
    try {
      return this.sync!.getSync(key)
    } catch (error) {
      this.#absorb('get', key, error)
      return undefined
    }
  }

  /**
   * The value of a live, untagged entry without a stale window, or `NOT_FRESH` (then
   * {@link StoreGuard.getSync} has the answer); the store must offer it ({@link StoreGuard.fresh}).
   * With `survives`, a tagged entry that passes it is handed too, by a store that takes it
   * (`MemoryStore`; any other answers `NOT_FRESH` for a tagged entry, as its contract says).
   */
  getFreshSync(key: string, survives?: TagSurvival): unknown {
    try {
      return (this.fresh as FreshReadStore).getFreshSync(key, survives)
    } catch {
      return NOT_FRESH // getSync() meets the failure again and reports it
    }
  }

  /** A read answered without waiting, when the store can (see {@link StoreGuard.syncFirst}); `undefined`: ask {@link StoreGuard.get}. */
  tryGetSync(key: string): CacheEntry | undefined {
    try {
      return this.syncFirst!.tryGetSync(key)
    } catch {
      return undefined // the store's get() meets the failure again and it is reported there
    }
  }

  /** Read; a failure or timeout is a miss. */
  async get(key: string): Promise<CacheEntry | undefined> {
    if (this.sync !== undefined) return this.getSync(key)
    try {
      return await this.bounded(this.store.get(key), 'get', key)
    } catch (error) {
      this.#absorb('get', key, error)
      return undefined
    }
  }

  /** Reads several keys at once; `undefined` when the store failed (reported). */
  async getMany(keys: string[]): Promise<(CacheEntry | undefined)[] | undefined> {
    try {
      if (this.sync !== undefined) return keys.map((key) => this.sync!.getSync(key))
      return await this.bounded(this.store.getMany(keys), 'getMany', keys.length === 1 ? keys[0] : undefined)
    } catch (error) {
      this.#absorb('getMany', keys.length === 1 ? keys[0] : undefined, error)
      return undefined
    }
  }

  /** Writes several entries; a failure drops the writes (reported). */
  async setMany(items: [string, CacheEntry][]): Promise<void> {
    try {
      await this.setManyStrict(items)
    } catch (error) {
      safeReport(this.onError, error)
    }
  }

  /** Writes several entries; a failure rejects (after being counted), for explicit invalidation. */
  async setManyStrict(items: [string, CacheEntry][]): Promise<void> {
    try {
      if (this.sync !== undefined) for (const [key, entry] of items) this.sync.setSync(key, entry)
      else
        await this.bounded(
          this.store.setMany(items),
          'setMany',
          items.length === 1 ? items[0]![0] : undefined,
        )
      for (const [key] of items) this.metrics.recordSet(this.cacheName, key)
    } catch (error) {
      throw this.failed('setMany', items.length === 1 ? items[0]![0] : undefined, error)
    }
  }

  /** Synchronous write (the store must be synchronous); a failure drops the write. */
  setSync(key: string, entry: CacheEntry): void {
    try {
      this.sync!.setSync(key, entry)
      this.metrics.recordSet(this.cacheName, key)
    } catch (error) {
      this.#absorb('set', key, error)
    }
  }

  /** Write; a failure or timeout drops the write. */
  async set(key: string, entry: CacheEntry): Promise<void> {
    if (this.sync !== undefined) return this.setSync(key, entry)
    try {
      await this.bounded(this.store.set(key, entry), 'set', key)
      this.metrics.recordSet(this.cacheName, key)
    } catch (error) {
      this.#absorb('set', key, error)
    }
  }

  /** `setIfAbsent`; `undefined` when the store failed (reported). */
  async setIfAbsent(key: string, entry: CacheEntry): Promise<boolean | undefined> {
    try {
      return await this.bounded(this.store.setIfAbsent(key, entry), 'setIfAbsent', key)
    } catch (error) {
      this.#absorb('setIfAbsent', key, error)
      return undefined
    }
  }

  /** Deletes `key`; a failure is reported and resolves `false`. */
  async deleteQuietly(key: string): Promise<boolean> {
    try {
      return await this.delete(key)
    } catch (error) {
      safeReport(this.onError, error)
      return false
    }
  }

  /** Deletes `key`; a failure rejects (after being counted), for explicit invalidation. */
  async delete(key: string): Promise<boolean> {
    try {
      const existed =
        this.sync !== undefined
          ? this.sync.deleteSync(key)
          : await this.bounded(this.store.delete(key), 'delete', key)
      if (existed) this.metrics.recordDelete(this.cacheName, key)
      return existed
    } catch (error) {
      throw this.failed('delete', key, error)
    }
  }

  /**
   * Removes every entry this cache may have written: the whole store when it belongs to this
   * function alone or the instance has no prefix, otherwise every key under the instance prefix.
   * A failure rejects (after being counted).
   */
  async clear(): Promise<void> {
    try {
      if (this.#ownStore || this.#prefix === '') await this.bounded(this.store.clear(), 'clear')
      else await this.bounded(this.store.deleteMatching(`${escapeGlob(this.#prefix)}:*`), 'deleteMatching')
    } catch (error) {
      throw this.failed('clear', undefined, error)
    }
  }
}

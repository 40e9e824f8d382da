import { type Clock, systemClock } from '../clock'
import { type Duration, durationToMs } from '../duration'
import { CacheConfigError } from '../errors'
import type { MetricsCollector } from '../metrics/collector'
import { errorTypeOf } from '../metrics/error-type'
import type { CacheEntry, CacheStore, FreshReadStore, SyncCacheStore, SyncFirstReadStore } from './store'
import { canGetFreshSync, canTryGetSync, isCacheStore, isSyncStore, NOT_FRESH } from './store'

/** Options of {@link instrument}. */
export interface InstrumentOptions {
  /**
   * The least time between two memory reports of a store that measures itself (see
   * {@link instrument}); `0` reports after every write.
   * @defaultValue `1` (one second)
   * @example
   * ```ts
   * instrument(new MemoryStore({ maxEntries: 1e5 }), metrics, 'L1', { memoryInterval: '10s' })
   * ```
   */
  memoryInterval?: Duration
  /**
   * The time source for `memoryInterval` (operation latency always uses `performance.now()`).
   * @defaultValue `systemClock`
   * @example
   * ```ts
   * instrument(store, metrics, 'L1', { clock: new ManualClock() })
   * ```
   */
  clock?: Pick<Clock, 'now'>
  /**
   * Measures each written entry, in bytes, for the `bytes` of `recordSet` (exporters turn it into
   * an entry-size histogram). Runs on every write, so keep it cheap.
   * @defaultValue none: writes are counted without a size
   * @example
   * ```ts
   * instrument(l1, metrics, 'L1', { sizeOf: (entry) => estimateSize(entry.value) })
   * ```
   */
  sizeOf?: (entry: CacheEntry) => number
}

/** A store that can say how much it holds (`MemoryStore` does): `size` entries taking about `bytes` bytes. */
interface MeasurableStore {
  readonly size: number
  readonly bytes: number
}

function isMeasurable(store: CacheStore): store is CacheStore & MeasurableStore {
  const candidate = store as Partial<MeasurableStore>
  return typeof candidate.size === 'number' && typeof candidate.bytes === 'number'
}

const now = (): number => performance.now()

/**
 * A {@link CacheStore} that reports every operation of the store it wraps to a
 * {@link MetricsCollector}, under one name. Built by {@link instrument}.
 */
class InstrumentedStore implements CacheStore {
  readonly name: string
  readonly #inner: CacheStore
  readonly #metrics: MetricsCollector
  readonly #measurable: (CacheStore & MeasurableStore) | undefined
  readonly #clock: Pick<Clock, 'now'>
  readonly #memoryIntervalMs: number
  readonly #sizeOf: ((entry: CacheEntry) => number) | undefined
  /** When memory was last reported (clock ms). */
  #memoryReportedAt = Number.NEGATIVE_INFINITY
  /** Whether the store may have changed size since the last memory report. */
  #memoryDirty = false

  constructor(
    inner: CacheStore,
    metrics: MetricsCollector,
    name: string,
    clock: Pick<Clock, 'now'>,
    memoryIntervalMs: number,
    sizeOf: ((entry: CacheEntry) => number) | undefined,
  ) {
    this.name = name
    this.#inner = inner
    this.#metrics = metrics
    this.#measurable = isMeasurable(inner) ? inner : undefined
    this.#clock = clock
    this.#memoryIntervalMs = memoryIntervalMs
    this.#sizeOf = sizeOf
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const start = now()
    try {
      const entry = await this.#inner.get(key)
      this.#read(entry !== undefined, key)
      return entry
    } catch (error) {
      throw this.#failed('get', error)
    } finally {
      this.#timed('get', start)
    }
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const start = now()
    try {
      await this.#inner.set(key, entry)
      this.#written(key, entry)
      this.#wrote()
    } catch (error) {
      throw this.#failed('set', error)
    } finally {
      this.#timed('set', start)
    }
  }

  async delete(key: string): Promise<boolean> {
    const start = now()
    try {
      const existed = await this.#inner.delete(key)
      if (existed) this.#metrics.recordDelete(this.name, key)
      this.#wrote()
      return existed
    } catch (error) {
      throw this.#failed('delete', error)
    } finally {
      this.#timed('delete', start)
    }
  }

  async has(key: string): Promise<boolean> {
    const start = now()
    try {
      const found = await this.#inner.has(key)
      this.#read(found, key)
      return found
    } catch (error) {
      throw this.#failed('has', error)
    } finally {
      this.#timed('has', start)
    }
  }

  async getMany(keys: string[]): Promise<(CacheEntry | undefined)[]> {
    const start = now()
    try {
      const entries = await this.#inner.getMany(keys)
      for (let i = 0; i < entries.length; i++) this.#read(entries[i] !== undefined, keys[i])
      return entries
    } catch (error) {
      throw this.#failed('getMany', error)
    } finally {
      this.#timed('getMany', start)
    }
  }

  async setMany(items: [string, CacheEntry][]): Promise<void> {
    const start = now()
    try {
      await this.#inner.setMany(items)
      for (const [key, entry] of items) this.#written(key, entry)
      this.#wrote()
    } catch (error) {
      throw this.#failed('setMany', error)
    } finally {
      this.#timed('setMany', start)
    }
  }

  async deleteMany(keys: string[]): Promise<number> {
    const start = now()
    try {
      const count = await this.#inner.deleteMany(keys)
      this.#deleted(count)
      return count
    } catch (error) {
      throw this.#failed('deleteMany', error)
    } finally {
      this.#timed('deleteMany', start)
    }
  }

  async setIfAbsent(key: string, entry: CacheEntry): Promise<boolean> {
    const start = now()
    try {
      const written = await this.#inner.setIfAbsent(key, entry)
      if (written) {
        this.#written(key, entry)
        this.#wrote()
      }
      return written
    } catch (error) {
      throw this.#failed('setIfAbsent', error)
    } finally {
      this.#timed('setIfAbsent', start)
    }
  }

  async deleteMatching(pattern: string): Promise<number> {
    const start = now()
    try {
      const count = await this.#inner.deleteMatching(pattern)
      this.#deleted(count)
      return count
    } catch (error) {
      throw this.#failed('deleteMatching', error)
    } finally {
      this.#timed('deleteMatching', start)
    }
  }

  async clear(): Promise<void> {
    const start = now()
    try {
      await this.#inner.clear()
      this.#wrote()
    } catch (error) {
      throw this.#failed('clear', error)
    } finally {
      this.#timed('clear', start)
    }
  }

  async close(): Promise<void> {
    const start = now()
    try {
      await this.#inner.close()
    } catch (error) {
      throw this.#failed('close', error)
    } finally {
      this.#timed('close', start)
    }
  }

  #read(found: boolean, key: string | undefined): void {
    if (found) this.#metrics.recordHit(this.name, key)
    else this.#metrics.recordMiss(this.name, key)
  }

  #written(key: string, entry: CacheEntry): void {
    this.#metrics.recordSet(this.name, key, this.#sizeOf?.(entry))
  }

  #deleted(count: number): void {
    for (let i = 0; i < count; i++) this.#metrics.recordDelete(this.name)
    this.#wrote()
  }

  /** Notes that the store's size may have changed; it is reported now or once the interval has passed. */
  #wrote(): void {
    if (this.#measurable === undefined) return
    this.#memoryDirty = true
    this.#reportMemoryIfDue()
  }

  #timed(operation: string, start: number): void {
    this.#metrics.recordLatency(this.name, operation, (now() - start) / 1000)
    if (this.#memoryDirty) this.#reportMemoryIfDue()
  }

  #failed(operation: string, error: unknown): unknown {
    this.#metrics.recordError(this.name, operation, errorTypeOf(error))
    return error
  }

  #reportMemoryIfDue(): void {
    const at = this.#clock.now()
    if (at - this.#memoryReportedAt < this.#memoryIntervalMs) return
    const store = this.#measurable as CacheStore & MeasurableStore
    this.#memoryDirty = false
    this.#memoryReportedAt = at
    this.#metrics.recordMemory(this.name, store.bytes, store.size)
  }

  /**
   * The synchronous twins, installed on wrappers of a {@link SyncCacheStore} only (so that
   * `isSyncStore` tells the truth); written here to reach the private state.
   */
  static readonly syncTwins = {
    getSync(this: InstrumentedStore, key: string): CacheEntry | undefined {
      const inner = this.#inner as SyncCacheStore
      const start = now()
      try {
        const entry = inner.getSync(key)
        this.#read(entry !== undefined, key)
        return entry
      } catch (error) {
        throw this.#failed('get', error)
      } finally {
        this.#timed('get', start)
      }
    },

    setSync(this: InstrumentedStore, key: string, entry: CacheEntry): void {
      const inner = this.#inner as SyncCacheStore
      const start = now()
      try {
        inner.setSync(key, entry)
        this.#written(key, entry)
        this.#wrote()
      } catch (error) {
        throw this.#failed('set', error)
      } finally {
        this.#timed('set', start)
      }
    },

    deleteSync(this: InstrumentedStore, key: string): boolean {
      const inner = this.#inner as SyncCacheStore
      const start = now()
      try {
        const existed = inner.deleteSync(key)
        if (existed) this.#metrics.recordDelete(this.name, key)
        this.#wrote()
        return existed
      } catch (error) {
        throw this.#failed('delete', error)
      } finally {
        this.#timed('delete', start)
      }
    },
  }

  /**
   * The early reads `getFreshSync` and `tryGetSync`, instrumented, installed on wrappers of stores
   * that have them: a hit they answer counts as a hit (their "no answer here" is not a miss: the
   * full read that follows records the outcome).
   */
  static readonly earlyReads = {
    getFreshSync(this: InstrumentedStore, key: string): unknown {
      const start = now()
      let value: unknown
      try {
        value = (this.#inner as FreshReadStore).getFreshSync(key)
      } catch (error) {
        this.#timed('get', start)
        throw this.#failed('get', error)
      }
      if (value !== NOT_FRESH) {
        this.#read(true, key)
        this.#timed('get', start)
      }
      return value
    },

    tryGetSync(this: InstrumentedStore, key: string): CacheEntry | undefined {
      const start = now()
      const entry = (this.#inner as SyncFirstReadStore).tryGetSync(key)
      if (entry !== undefined) {
        this.#read(true, key)
        this.#timed('get', start)
      }
      return entry
    },
  }
}

/**
 * Makes every member the wrapped store adds beyond the protocol (coordination primitives, a
 * `client`, `size`, `Symbol.asyncDispose`, ...) reachable on the wrapper, un-instrumented:
 * methods are called on the wrapped store, other properties are read from it live.
 */
function forwardExtras(wrapper: InstrumentedStore, inner: CacheStore): void {
  for (let source: object | null = inner; source !== null && source !== Object.prototype; ) {
    for (const property of Reflect.ownKeys(source)) {
      if (property === 'constructor' || property in wrapper) continue
      const descriptor = Reflect.getOwnPropertyDescriptor(source, property)
      if (descriptor !== undefined && typeof descriptor.value === 'function') {
        const method = descriptor.value as (...args: unknown[]) => unknown
        Object.defineProperty(wrapper, property, {
          value: (...args: unknown[]) => method.apply(inner, args),
          configurable: true,
        })
      } else {
        Object.defineProperty(wrapper, property, {
          get: () => (inner as unknown as Record<PropertyKey, unknown>)[property],
          configurable: true,
        })
      }
    }
    source = Object.getPrototypeOf(source)
  }
}

/**
 * Wraps `store` so that each operation reports to `metrics` under `name`:
 *
 * - latency of every operation (`get`, `set`, `delete`, `has`, `getMany`, `setMany`, `deleteMany`,
 *   `setIfAbsent`, `deleteMatching`, `clear`, `close`; the sync twins report as `get`/`set`/`delete`),
 *   failures included;
 * - a hit or a miss per key read by `get`, `getMany`, `getSync` and `has`;
 * - a set per entry written (`setIfAbsent` only when it wrote), with its size when `sizeOf` is
 *   given, a delete per entry removed;
 * - an error (`recordError` with {@link errorTypeOf}) for every failure, which is then re-thrown
 *   unchanged;
 * - for stores that expose numeric `size` (entries) and `bytes` (such as `MemoryStore`),
 *   `recordMemory` after a write, delete or clear: at once when the last report is older than
 *   `memoryInterval` (default one second), otherwise with the first operation after the interval
 *   has passed. Reads alone never report (they do not change the size), and reading `bytes` may
 *   cost a sample of the store, hence the throttle.
 *
 * The wrapper keeps the synchronous `getSync`/`setSync`/`deleteSync` when the store has them (a
 * synchronous function cached over an instrumented `MemoryStore` stays synchronous), and forwards
 * any other member of the store (coordination primitives included) un-instrumented. Wrap each tier
 * of a chain separately to see each tier's hit rate.
 *
 * @param store - the store to observe
 * @param metrics - where to report (its methods must not throw)
 * @param name - the cache name to report under, and the wrapper's `name` (default: `store.name`)
 * @param options - memory reporting; see {@link InstrumentOptions}
 * @throws {@link CacheConfigError} when `store` is not a store, `metrics` not a collector, `name`
 * empty, or an option invalid
 *
 * @example
 * ```ts
 * const metrics = new InMemoryMetrics()
 * const chain = new ChainStore([
 *   { store: instrument(new MemoryStore({ maxEntries: 10_000 }), metrics, 'L1:memory') },
 *   { store: instrument(new RedisStore({ url }), metrics, 'L2:redis') },
 * ])
 * console.log(formatStats(metrics.getStats()))
 * ```
 */
export function instrument(
  store: SyncCacheStore,
  metrics: MetricsCollector,
  name?: string,
  options?: InstrumentOptions,
): SyncCacheStore
export function instrument(
  store: CacheStore,
  metrics: MetricsCollector,
  name?: string,
  options?: InstrumentOptions,
): CacheStore
export function instrument(
  store: CacheStore,
  metrics: MetricsCollector,
  name?: string,
  options: InstrumentOptions = {},
): CacheStore {
  if (!isCacheStore(store)) {
    throw new CacheConfigError('instrument(): "store" must be a CacheStore', { option: 'store' })
  }
  if (typeof metrics !== 'object' || metrics === null || typeof metrics.recordLatency !== 'function') {
    throw new CacheConfigError('instrument(): "metrics" must be a MetricsCollector', { option: 'metrics' })
  }
  const label = name ?? store.name
  if (typeof label !== 'string' || label === '') {
    throw new CacheConfigError('instrument(): "name" must be a non-empty string', { option: 'name' })
  }
  const memoryIntervalMs = durationToMs(options.memoryInterval ?? 1, 'memoryInterval')
  const clock = options.clock ?? systemClock
  if (typeof clock?.now !== 'function') {
    throw new CacheConfigError('instrument(): "clock" must have a now() method', { option: 'clock' })
  }
  if (options.sizeOf !== undefined && typeof options.sizeOf !== 'function') {
    throw new CacheConfigError('instrument(): "sizeOf" must be a function', { option: 'sizeOf' })
  }
  const wrapper = new InstrumentedStore(store, metrics, label, clock, memoryIntervalMs, options.sizeOf)
  if (isSyncStore(store)) Object.assign(wrapper, InstrumentedStore.syncTwins)
  // Early reads are instrumented too: forwarded as they are, their hits would not be counted.
  if (canGetFreshSync(store))
    Object.assign(wrapper, { getFreshSync: InstrumentedStore.earlyReads.getFreshSync })
  if (canTryGetSync(store)) Object.assign(wrapper, { tryGetSync: InstrumentedStore.earlyReads.tryGetSync })
  forwardExtras(wrapper, store)
  return wrapper
}

import { CacheTimeoutError } from '../errors'
import { safeReport } from '../instance-defaults'
import { NULL_METRICS } from '../metrics/collector'
import { errorTypeOf } from '../metrics/error-type'
import { type CacheEntry, NOT_FRESH } from '../store/store'
import { type CacheMode, countInScope, scopeHook } from './cache-mode'
import { waitWithTimeouts } from './caller-wait'
import { computeClustered, LEFT_TO_OTHERS } from './cluster-flight'
import { EntryWriter } from './entry-writer'
import type { LoadPolicy } from './load-policy'
import type { StoreGuard } from './store-guard'
import type { TagIndex } from './tag-index'

/**
 * A computation the engine can run for a key: the function and how its results are stored. A
 * cached function has one for its whole life; `getOrSet` makes one per call.
 */
export interface Job {
  readonly fn: Function
  readonly policy: LoadPolicy
  /** Whether a function not declared `async` turned out to return promises (learned on its first call). */
  promiseFn: boolean
}

/** Where a live entry stands for the engine (see `CacheEntry.staleIfErrorFrom`). */
export type EntryUse = 'fresh' | 'stale' | 'error-only'

/** One computation of a key's value in this process (a miss, a refresh, or a `refresh()` call). */
export interface Flight {
  promise: Promise<unknown>
  /** Whether misses may wait for it (a cluster background refresh may end without a value). */
  joinable: boolean
  /** A refresh of a stale entry: readers who find the stale entry are served it, not made to wait. */
  background: boolean
  /** The store write of its result, once started. */
  written: Promise<void> | undefined
  /** The entry being written: joining the flight serves it only while it is fresh. */
  entry: CacheEntry | undefined
  /** Its failure was reported to `onError`. */
  reported: boolean
}

/** The tags a tags function gives for a call, or `undefined` when it throws (the write reports it). */
function tagsOf(
  tags: (...args: any[]) => readonly string[],
  thisArg: unknown,
  args: unknown[],
): readonly string[] | undefined {
  try {
    return tags.apply(thisArg, args)
  } catch {
    return undefined
  }
}

/** Whether `value` is a thenable. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/**
 * The caching engine under both `cache()` wrappers and instances' key-value methods: freshness,
 * stale-while-revalidate, stale-if-error, load timeouts, single-flight (process and cluster), tag
 * checks and writes. Callers decide everything they can before calling (see `cached-function.ts`
 * and `key-value-cache.ts`); the hit path reads no option that is switched off.
 */
export class CacheEngine {
  readonly guard: StoreGuard
  readonly tags: TagIndex
  /** Builds the entries the engine stores. */
  readonly writer: EntryWriter
  readonly name: string
  /** The mode of the cache (`mode` option); a `withCacheMode` scope overrides it. */
  readonly mode: CacheMode
  /** Whether metrics are collected at all (`NULL_METRICS` costs nothing on the hit path). */
  readonly metricsOn: boolean
  /** Whether the tag store is synchronous: a tagged hit is checked on the spot, inside the store's fresh read. */
  readonly #syncTags: boolean
  /** Checks a tagged entry without waiting: `undefined` when the tag store needs an async read. */
  readonly #tagsSync: (entry: CacheEntry, policy: LoadPolicy | undefined) => boolean | undefined
  readonly #flights = new Map<string, Flight>()
  /** Store reads in flight on the async path, one per key, shared by concurrent lookups. */
  readonly #reads = new Map<string, Promise<CacheEntry | undefined>>()

  constructor(guard: StoreGuard, tags: TagIndex, mode: CacheMode) {
    this.guard = guard
    this.tags = tags
    this.writer = new EntryWriter(guard, tags)
    this.name = guard.cacheName
    this.mode = mode
    this.metricsOn = guard.metrics !== NULL_METRICS
    this.#syncTags = tags.guard.sync !== undefined
    this.#tagsSync =
      tags.guard.sync !== undefined
        ? (entry, policy) => tags.validSync(entry, policy)
        : tags.guard.syncFirst !== undefined
          ? (entry) => tags.tryValidSync(entry)
          : () => undefined
  }

  /** The mode of the current call: the innermost `withCacheMode`, else the cache's own. */
  currentMode(): CacheMode {
    return (scopeHook.active === 0 ? undefined : scopeHook.current?.()?.mode) ?? this.mode
  }

  /** Whether a live entry (the store returns only live ones) is still fresh. Reads the clock only for entries with a stale window. */
  isFresh(entry: CacheEntry): boolean {
    return entry.freshUntil === entry.staleUntil || this.guard.clock.now() < entry.freshUntil
  }

  /** Where a live entry stands: fresh, stale (serve and refresh), or stale-if-error only. */
  use(entry: CacheEntry): EntryUse {
    if (entry.freshUntil === entry.staleUntil) return 'fresh'
    const now = this.guard.clock.now()
    if (now < entry.freshUntil) return 'fresh'
    const errorFrom = entry.staleIfErrorFrom
    return errorFrom === undefined || now < errorFrom ? 'stale' : 'error-only'
  }

  /**
   * A read entry that is usable as far as its tags go, checked synchronously; `undefined`: ask
   * {@link CacheEngine.read}. `policy`: the call's, whose tags the entry usually carries.
   */
  checkSync(entry: CacheEntry, policy?: LoadPolicy): boolean | undefined {
    return entry.tags === undefined || this.#tagsSync(entry, policy)
  }

  /**
   * A fresh hit of a call with a list of `tags` over a store that hands fresh values
   * ({@link StoreGuard.fresh}) and a synchronous tag store: the value, when the entry under `key` is
   * live, without a stale window and survives its tags' records (checked by the store as it reads,
   * no entry built); otherwise `NOT_FRESH` (then the general path decides). Records nothing.
   */
  freshTaggedSync(key: string, policy: LoadPolicy): unknown {
    const survives = this.#syncTags ? this.tags.survivesFor(policy) : undefined
    return survives === undefined ? NOT_FRESH : this.guard.getFreshSync(key, survives)
  }

  /** Counts a hit (metrics, scoped stats). */
  recordHit(key: string): void {
    if (this.metricsOn) this.guard.metrics.recordHit(this.name, key)
    if (scopeHook.active !== 0) countInScope('hits')
  }

  /** Counts a miss (metrics, scoped stats). */
  recordMiss(key: string): void {
    if (this.metricsOn) this.guard.metrics.recordMiss(this.name, key)
    if (scopeHook.active !== 0) countInScope('misses')
  }

  /** Counts a stale value served (metrics, scoped stats). */
  recordStale(key: string): void {
    if (this.metricsOn) this.guard.metrics.recordStale(this.name, key)
    if (scopeHook.active !== 0) countInScope('stale')
  }

  /** Serves a live, tag-checked entry: fresh, stale with one background refresh per key, or (error-only) a miss that may fall back to it. */
  serve(entry: CacheEntry, key: string, job: Job, thisArg: unknown, args: unknown[]): unknown {
    const use = this.use(entry)
    if (use === 'error-only') return this.miss(key, job, thisArg, args, entry)
    this.recordHit(key)
    if (use === 'stale') {
      this.recordStale(key)
      this.revalidate(key, job, thisArg, args)
    }
    return entry.value
  }

  /** The async path: read (bounded, fail-open, tag-checked), serve or compute. */
  async lookup(key: string, job: Job, thisArg: unknown, args: unknown[]): Promise<unknown> {
    // A computation of this key is in flight: join it without another store read (a stampede of
    // callers on a cold key costs one read, not one per caller). A background refresh is not
    // joined: a reader may still find the stale entry and be served it at once.
    if (this.#joinable(key)?.background === false) return this.miss(key, job, thisArg, args, undefined)
    const tags = job.policy.tags
    const entry = await this.read(key, typeof tags === 'function' ? tagsOf(tags, thisArg, args) : tags)
    if (entry !== undefined) return this.serve(entry, key, job, thisArg, args)
    return this.miss(key, job, thisArg, args, undefined)
  }

  /**
   * Reads `key`: a live entry that survives its tags, or `undefined`. Lookups arriving while a read
   * of their key is in flight share it. With `tags` known beforehand (a list), the entry and those
   * tags' records are read in one round trip. Never rejects: the guard turns failures into misses.
   */
  read(key: string, tags?: LoadPolicy['tags']): Promise<CacheEntry | undefined> {
    const pending = this.#reads.get(key)
    if (pending !== undefined) return pending
    const read =
      Array.isArray(tags) &&
      tags.length > 0 &&
      this.tags.guard === this.guard &&
      this.guard.sync === undefined
        ? this.tags.readWith(key, tags)
        : this.guard.get(key).then((entry) => (entry?.tags === undefined ? entry : this.#checked(entry)))
    this.#reads.set(key, read)
    const done = (): void => {
      if (this.#reads.get(key) === read) this.#reads.delete(key)
    }
    void read.then(done, done)
    return read
  }

  async #checked(entry: CacheEntry): Promise<CacheEntry | undefined> {
    return (await this.tags.valid(entry)) ? entry : undefined
  }

  /** A call that neither reads nor writes (`ttl: 0`, `'bypass'` mode). */
  bypass(job: Job, thisArg: unknown, args: unknown[]): unknown {
    if (scopeHook.active !== 0) countInScope('loads')
    return this.#call(job, thisArg, args)
  }

  /** After a synchronous read: serve an entry, or compute a missing one; always a Promise. */
  settle(
    entry: CacheEntry | undefined,
    key: string,
    job: Job,
    thisArg: unknown,
    args: unknown[],
  ): Promise<unknown> {
    if (entry !== undefined) return Promise.resolve(this.serve(entry, key, job, thisArg, args))
    return this.miss(key, job, thisArg, args, undefined)
  }

  /** A miss: join the key's computation in this process, or start one; `old` is a stale-if-error entry. */
  miss(
    key: string,
    job: Job,
    thisArg: unknown,
    args: unknown[],
    old: CacheEntry | undefined,
  ): Promise<unknown> {
    this.recordMiss(key)
    const flight = this.#joinable(key) ?? this.#startFlight(key, job, thisArg, args, false, undefined)
    return this.#awaitFlight(flight, key, job, old)
  }

  /**
   * The key's computation that callers may join: one in progress, or one whose value is being
   * written while that value is still fresh (a write that never settles cannot pin an old value).
   */
  #joinable(key: string): Flight | undefined {
    const flight = this.#flights.get(key)
    if (flight === undefined || !flight.joinable) return undefined
    if (flight.entry !== undefined && this.guard.clock.now() >= flight.entry.freshUntil) {
      this.#flights.delete(key)
      return undefined
    }
    return flight
  }

  /** The caller's wait for a computation: bounded only when the policy or an old value asks for it. */
  #awaitFlight(flight: Flight, key: string, job: Job, old: CacheEntry | undefined): Promise<unknown> {
    if (old === undefined && job.policy.hardTimeoutMs === Number.POSITIVE_INFINITY) return flight.promise
    return waitWithTimeouts(flight, key, job.policy, old, this.guard, this.#waitHooks)
  }

  readonly #waitHooks = {
    servedOld: (key: string) => this.recordStale(key),
    failed: (flight: Flight, error: unknown) => {
      if (flight.reported) return
      flight.reported = true
      if (CacheTimeoutError.isInstance(error)) this.#loadFailed(error)
      safeReport(this.guard.onError, error)
    },
  }

  /** A miss in synchronous mode: compute and store synchronously, unless the function returns a promise. */
  missSync(key: string, job: Job, thisArg: unknown, args: unknown[], old: CacheEntry | undefined): unknown {
    if (job.promiseFn) return this.miss(key, job, thisArg, args, old)
    this.recordMiss(key)
    const stamp = this.#startLoad(job)
    let value: unknown
    try {
      value = this.#call(job, thisArg, args)
    } catch (error) {
      this.#loadFailed(error)
      if (old === undefined) throw error
      safeReport(this.guard.onError, error)
      this.recordStale(key)
      return old.value
    }
    if (isPromiseLike(value)) {
      job.promiseFn = true
      return this.#awaitFlight(this.#startFlight(key, job, thisArg, args, false, value), key, job, old)
    }
    this.#storeSync(key, value, job, thisArg, args, stamp)
    return value
  }

  /** Always computes and stores (the wrapper's `refresh`, `cache.put`, write-only mode); a newer computation supersedes older ones. */
  recompute(key: string, job: Job, thisArg: unknown, args: unknown[], sync: boolean): unknown {
    if (sync && !job.promiseFn) {
      const stamp = this.#startLoad(job)
      let value: unknown
      try {
        value = this.#call(job, thisArg, args)
      } catch (error) {
        this.#loadFailed(error)
        throw error
      }
      if (!isPromiseLike(value)) {
        this.#flights.delete(key)
        this.#storeSync(key, value, job, thisArg, args, stamp)
        return value
      }
      job.promiseFn = true
      return this.#startFlight(key, job, thisArg, args, false, value, true).promise
    }
    return this.#startFlight(key, job, thisArg, args, false, undefined, true).promise
  }

  /** Forgets computations (their results are no longer written) and reads in flight for `key`, or for every key. */
  forget(key?: string): void {
    if (key === undefined) {
      this.#flights.clear()
      this.#reads.clear()
    } else {
      this.#flights.delete(key)
      this.#reads.delete(key)
    }
  }

  /** Starts a background refresh of a stale key, unless one is already running. Never rejects. */
  revalidate(key: string, job: Job, thisArg: unknown, args: unknown[]): void {
    if (this.#flights.has(key)) return
    const started = this.guard.clock.now()
    const flight = this.#startFlight(key, job, thisArg, args, true, undefined)
    flight.promise.then(
      (result) => {
        if (this.metricsOn && result !== LEFT_TO_OTHERS) this.#recordRefresh(true, started)
      },
      (error: unknown) => {
        this.guard.metrics.recordError(this.name, 'refresh', errorTypeOf(error))
        this.#recordRefresh(false, started)
        safeReport(this.guard.onError, error)
      },
    )
  }

  #startLoad(job: Job): number {
    if (scopeHook.active !== 0) countInScope('loads')
    return this.writer.stamp(job.policy)
  }

  #loadFailed(error: unknown): void {
    this.guard.metrics.recordError(this.name, 'load', errorTypeOf(error))
    if (scopeHook.active !== 0) countInScope('errors')
  }

  #recordRefresh(success: boolean, started: number): void {
    this.guard.metrics.recordBackgroundRefresh(this.name, success, (this.guard.clock.now() - started) / 1000)
  }

  #call(job: Job, thisArg: unknown, args: unknown[]): unknown {
    return job.fn.apply(thisArg, args)
  }

  #startFlight(
    key: string,
    job: Job,
    thisArg: unknown,
    args: unknown[],
    background: boolean,
    started: PromiseLike<unknown> | undefined,
    recomputing = false,
  ): Flight {
    const flight: Flight = {
      promise: undefined as unknown as Promise<unknown>,
      joinable: !(background && job.policy.cluster !== undefined),
      background,
      written: undefined,
      entry: undefined,
      reported: false,
    }
    this.#flights.set(key, flight)
    flight.promise = this.#fly(key, job, thisArg, args, flight, started, recomputing)
    return flight
  }

  async #fly(
    key: string,
    job: Job,
    thisArg: unknown,
    args: unknown[],
    flight: Flight,
    started: PromiseLike<unknown> | undefined,
    recomputing: boolean,
  ): Promise<unknown> {
    try {
      // A background refresh starts after the stale reader got its value.
      if (flight.background) await undefined
      const cluster = job.policy.cluster
      if (cluster !== undefined && !recomputing) {
        return await computeClustered(this, key, job.policy.tags, flight, cluster, () =>
          this.#compute(key, job, thisArg, args, flight, undefined),
        )
      }
      const value = await this.#compute(key, job, thisArg, args, flight, started)
      // An explicit recompute (refresh, cache.put, write-only) is done when its value is stored.
      if (recomputing) await flight.written
      return value
    } finally {
      // The flight stays joinable until its write landed: callers arriving meanwhile get its value.
      const release = (): void => {
        if (this.#flights.get(key) === flight) this.#flights.delete(key)
      }
      if (flight.written === undefined) release()
      else void flight.written.then(release)
    }
  }

  async #compute(
    key: string,
    job: Job,
    thisArg: unknown,
    args: unknown[],
    flight: Flight,
    started: PromiseLike<unknown> | undefined,
  ): Promise<unknown> {
    const stamp = started === undefined ? this.#startLoad(job) : this.writer.stamp(job.policy)
    const startedAt = this.metricsOn ? this.guard.clock.now() : 0
    let value: unknown
    try {
      value = await (started ?? this.#call(job, thisArg, args))
    } catch (error) {
      // A background refresh's failure is recorded as a failed refresh (see revalidate).
      if (!flight.background) this.#loadFailed(error)
      throw error
    }
    if (this.metricsOn)
      this.guard.metrics.recordLatency(this.name, 'load', (this.guard.clock.now() - startedAt) / 1000)
    // Invalidated (or superseded by a newer computation) meanwhile: the value is returned, not stored.
    if (this.#flights.get(key) === flight) {
      const entry = this.writer.entryFor(value, job.policy, thisArg, args, stamp)
      // The caller does not wait for the write: it completes in the background (failures go to onError).
      if (entry !== undefined) {
        flight.entry = entry
        flight.written = this.guard.set(key, entry)
      }
    }
    return value
  }

  #storeSync(key: string, value: unknown, job: Job, thisArg: unknown, args: unknown[], stamp: number): void {
    const entry = this.writer.entryFor(value, job.policy, thisArg, args, stamp)
    if (entry !== undefined) this.guard.setSync(key, entry)
  }
}

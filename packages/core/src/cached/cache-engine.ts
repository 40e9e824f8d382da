import { CacheMissError, CacheTimeoutError } from '../errors'
import { safeReport } from '../instance-defaults'
import { NULL_METRICS } from '../metrics/collector'
import { errorTypeOf } from '../metrics/error-type'
import { createEntry } from '../store/entry'
import type { CacheEntry } from '../store/store'
import { type CacheMode, countInScope, scopeHook } from './cache-mode'
import { waitWithTimeouts } from './caller-wait'
import type { ClusterSettings, LoadPolicy } from './load-policy'
import type { StoreGuard } from './store-guard'
import type { TagIndex } from './tag-index'

/** Suffix of the lease key taken by `singleFlight: 'cluster'`: `<key>:__lease`. */
export const LEASE_SUFFIX = ':__lease'

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
interface Flight {
  promise: Promise<unknown>
  /** Whether misses may wait for it (a cluster background refresh may end without a value). */
  joinable: boolean
  /** A refresh of a stale entry: readers who find the stale entry are served it, not made to wait. */
  background: boolean
  /** The store write of its result, once started. */
  written: Promise<void> | undefined
  /** A caller stopped waiting for it (soft or hard timeout). */
  abandoned: boolean
  /** Its failure was reported to `onError`. */
  reported: boolean
}

const HELD = -1
const UNLEASED = -2
/** What a cluster background refresh resolves to when another process holds the lease. */
const LEFT_TO_OTHERS: unique symbol = Symbol('left to the lease holder')

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
  readonly name: string
  /** The mode of the cache (`mode` option); a `withCacheMode` scope overrides it. */
  readonly mode: CacheMode
  /** Whether metrics are collected at all (`NULL_METRICS` costs nothing on the hit path). */
  readonly metricsOn: boolean
  /** Checks a tagged entry without waiting: `undefined` when the tag store needs an async read. */
  readonly #tagsSync: (entry: CacheEntry) => boolean | undefined
  readonly #flights = new Map<string, Flight>()
  /** Store reads in flight on the async path, one per key, shared by concurrent lookups. */
  readonly #reads = new Map<string, Promise<CacheEntry | undefined>>()

  constructor(guard: StoreGuard, tags: TagIndex, mode: CacheMode) {
    this.guard = guard
    this.tags = tags
    this.name = guard.cacheName
    this.mode = mode
    this.metricsOn = guard.metrics !== NULL_METRICS
    this.#tagsSync =
      tags.guard.sync !== undefined
        ? (entry) => tags.validSync(entry)
        : tags.guard.syncFirst !== undefined
          ? (entry) => tags.tryValidSync(entry)
          : () => undefined
  }

  /** The mode of the current call: the innermost `withCacheMode`, else the cache's own. */
  currentMode(): CacheMode {
    return scopeHook.current?.()?.mode ?? this.mode
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

  /** A read entry that is usable as far as its tags go, checked synchronously; `undefined`: ask {@link CacheEngine.read}. */
  checkSync(entry: CacheEntry): boolean | undefined {
    return entry.tags === undefined || this.#tagsSync(entry)
  }

  /** Counts a hit (metrics, scoped stats). */
  recordHit(key: string): void {
    if (this.metricsOn) this.guard.metrics.recordHit(this.name, key)
    if (scopeHook.current !== undefined) countInScope('hits')
  }

  /** Counts a miss (metrics, scoped stats). */
  recordMiss(key: string): void {
    if (this.metricsOn) this.guard.metrics.recordMiss(this.name, key)
    if (scopeHook.current !== undefined) countInScope('misses')
  }

  /** Counts a stale value served (metrics, scoped stats). */
  recordStale(key: string): void {
    if (this.metricsOn) this.guard.metrics.recordStale(this.name, key)
    if (scopeHook.current !== undefined) countInScope('stale')
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
    const flight = this.#flights.get(key)
    if (flight?.joinable && !flight.background) return this.miss(key, job, thisArg, args, undefined)
    const entry = await this.read(key, job.policy.tags)
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
    if (scopeHook.current !== undefined) countInScope('loads')
    return this.#call(job, thisArg, args)
  }

  /** `'read-only'` mode: the cached value (stale ones without a refresh), else a `CacheMissError`; never calls. */
  async readOnly(key: string, tags: LoadPolicy['tags']): Promise<unknown> {
    return this.#readOnlyServe(await this.read(key, tags), key)
  }

  /** {@link CacheEngine.readOnly} over a synchronous store. */
  readOnlySync(key: string): unknown {
    const entry = this.guard.getSync(key)
    return this.#readOnlyServe(entry !== undefined && this.checkSync(entry) === true ? entry : undefined, key)
  }

  #readOnlyServe(entry: CacheEntry | undefined, key: string): unknown {
    const use = entry === undefined ? 'error-only' : this.use(entry)
    if (use === 'error-only') {
      this.recordMiss(key)
      throw new CacheMissError(
        `${this.name}: no cached value for key ${JSON.stringify(key)} (read-only mode)`,
        {
          key,
        },
      )
    }
    this.recordHit(key)
    if (use === 'stale') this.recordStale(key)
    return (entry as CacheEntry).value
  }

  /** The usable cached value (fresh or stale) under `key`, or `undefined`; records nothing. */
  async peek(key: string): Promise<unknown> {
    const entry = await this.read(key)
    return entry === undefined || this.use(entry) === 'error-only' ? undefined : entry.value
  }

  /** {@link CacheEngine.peek} over a synchronous store. */
  peekSync(key: string): unknown {
    const entry = this.guard.getSync(key)
    if (entry === undefined || this.checkSync(entry) !== true || this.use(entry) === 'error-only')
      return undefined
    return entry.value
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
    const current = this.#flights.get(key)
    const flight = current?.joinable ? current : this.#startFlight(key, job, thisArg, args, false, undefined)
    return this.#awaitFlight(flight, key, job, old)
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

  /**
   * The entry to store for `value` computed from a start at `stamp` (its `createdAt`), or
   * `undefined` when it must not be stored (`cacheIf`, a `ttl` of 0, or a throwing option function,
   * which is reported).
   */
  entryFor(
    value: unknown,
    policy: LoadPolicy,
    thisArg: unknown,
    args: unknown[],
    stamp: number,
  ): CacheEntry | undefined {
    let ttlMs: number
    let staleMs: number
    let tags: readonly string[] | undefined
    try {
      if (policy.cacheIf !== undefined && !policy.cacheIf(value)) return undefined
      ttlMs = typeof policy.ttlMs === 'function' ? policy.ttlMs(value) : policy.ttlMs
      if (ttlMs === 0) return undefined
      staleMs = typeof policy.staleMs === 'function' ? policy.staleMs(value) : policy.staleMs
      tags = typeof policy.tags === 'function' ? policy.tags.apply(thisArg, args) : policy.tags
    } catch (error) {
      // A throwing cacheIf, tags or ttl function: the caller still gets its value, nothing is stored.
      this.guard.metrics.recordError(this.name, 'set', errorTypeOf(error))
      safeReport(this.guard.onError, error)
      return undefined
    }
    const now = this.guard.clock.now()
    const entry = createEntry(value, { now, ttlMs, staleMs: staleMs + policy.staleIfErrorMs })
    entry.createdAt = stamp
    if (policy.staleIfErrorMs > 0) entry.staleIfErrorFrom = entry.freshUntil + staleMs
    if (tags !== undefined && tags.length > 0) {
      entry.tags = [...tags]
      this.tags.noteLife(entry, now)
    }
    return entry
  }

  /** The `createdAt` of a value whose computation starts now (after any invalidation of tags). */
  stamp(policy: LoadPolicy): number {
    const now = this.guard.clock.now()
    return policy.tags === undefined ? now : this.tags.stamp(now)
  }

  #startLoad(job: Job): number {
    if (scopeHook.current !== undefined) countInScope('loads')
    return this.stamp(job.policy)
  }

  #loadFailed(error: unknown): void {
    this.guard.metrics.recordError(this.name, 'load', errorTypeOf(error))
    if (scopeHook.current !== undefined) countInScope('errors')
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
      abandoned: false,
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
      if (cluster !== undefined && !recomputing)
        return await this.#computeClustered(key, job, thisArg, args, flight, cluster)
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
    const stamp = started === undefined ? this.#startLoad(job) : this.stamp(job.policy)
    const startedAt = this.metricsOn ? this.guard.clock.now() : 0
    let value: unknown
    try {
      value = await (started ?? this.#call(job, thisArg, args))
    } catch (error) {
      this.#loadFailed(error)
      throw error
    }
    if (this.metricsOn)
      this.guard.metrics.recordLatency(this.name, 'load', (this.guard.clock.now() - startedAt) / 1000)
    // Invalidated (or superseded by a newer computation) meanwhile: the value is returned, not stored.
    if (this.#flights.get(key) === flight) {
      const entry = this.entryFor(value, job.policy, thisArg, args, stamp)
      // The caller does not wait for the write: it completes in the background (failures go to onError).
      if (entry !== undefined) flight.written = this.guard.set(key, entry)
    }
    return value
  }

  async #computeClustered(
    key: string,
    job: Job,
    thisArg: unknown,
    args: unknown[],
    flight: Flight,
    cluster: ClusterSettings,
  ): Promise<unknown> {
    const { clock } = this.guard
    const leaseKey = key + LEASE_SUFFIX
    const deadline = clock.now() + cluster.lockTimeoutMs
    for (;;) {
      const lease = await this.#tryLease(leaseKey, cluster.lockTimeoutMs)
      if (lease !== HELD) {
        let computed = false
        try {
          if (lease !== UNLEASED) {
            // The previous holder may have stored its value and released the lease between our
            // last read and this win: read once more so the fleet computes the key only once.
            const entry = await this.read(key, job.policy.tags)
            if (entry !== undefined && clock.now() < entry.freshUntil) return entry.value
          }
          computed = true
          return await this.#compute(key, job, thisArg, args, flight, undefined)
        } finally {
          // Released once the value is stored (so waiters find it), without holding the caller.
          if (lease !== UNLEASED) {
            const release = (): void => {
              if (clock.now() - lease < cluster.lockTimeoutMs) void this.guard.deleteQuietly(leaseKey)
            }
            if (computed && flight.written !== undefined) void flight.written.then(release)
            else release()
          }
        }
      }
      // Another process computes this key: a refresh leaves it to them, a miss waits for their value.
      if (flight.background) return LEFT_TO_OTHERS
      // A caller awaits this pause, so it keeps the process alive (unlike background timers).
      await new Promise<void>((resolve) =>
        clock.setTimeout(resolve, Math.min(cluster.pollMs, deadline - clock.now()), { keepAlive: true }),
      )
      const entry = await this.read(key, job.policy.tags)
      if (entry !== undefined) return entry.value
      if (clock.now() >= deadline) return await this.#compute(key, job, thisArg, args, flight, undefined)
    }
  }

  /** Takes the cluster lease: the time it was taken, {@link HELD} by another, or {@link UNLEASED} when the store failed. */
  async #tryLease(leaseKey: string, lockTimeoutMs: number): Promise<number> {
    const now = this.guard.clock.now()
    const won = await this.guard.setIfAbsent(leaseKey, createEntry(true, { now, ttlMs: lockTimeoutMs }))
    return won === undefined ? UNLEASED : won ? now : HELD
  }

  #storeSync(key: string, value: unknown, job: Job, thisArg: unknown, args: unknown[], stamp: number): void {
    const entry = this.entryFor(value, job.policy, thisArg, args, stamp)
    if (entry !== undefined) this.guard.setSync(key, entry)
  }
}

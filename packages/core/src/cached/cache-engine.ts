import { newToken } from '../coordination/new-token'
import { releaseAbandoned } from '../coordination/release-abandoned'
import { safeReport } from '../instance-defaults'
import { errorTypeOf } from '../metrics/error-type'
import { createEntry } from '../store/entry'
import type { CacheEntry } from '../store/store'
import { withTimeout } from '../store/with-timeout'
import type { CompiledKey } from './key-template'
import type { StoreGuard } from './store-guard'

/** Suffix of the lease key taken by `singleFlight: 'cluster'`: `<key>:__lease`. */
export const LEASE_SUFFIX = ':__lease'

/** Cluster single-flight settings, in ms. */
export interface ClusterSettings {
  lockTimeoutMs: number
  pollMs: number
}

/** What the engine needs, resolved and validated once. */
export interface EngineSettings {
  fn: Function
  guard: StoreGuard
  key: CompiledKey
  ttlMs: number
  staleMs: number
  tags: readonly string[] | ((...args: any[]) => readonly string[]) | undefined
  cacheIf: ((value: any) => boolean) | undefined
  cluster: ClusterSettings | undefined
}

/** One computation of a key's value in this process (a miss, a refresh, or a `refresh()` call). */
interface Flight {
  promise: Promise<unknown>
  /** Whether misses may wait for it (a cluster background refresh may end without a value). */
  joinable: boolean
  /** A refresh of a stale entry: readers who find the stale entry are served it, not made to wait. */
  background: boolean
}

const HELD = -1
const UNLEASED = -2
/** What a cluster background refresh resolves to when another process holds the lease. */
const LEFT_TO_OTHERS: unique symbol = Symbol('left to the lease holder')

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/**
 * Runs one cached function: freshness, stale-while-revalidate, single-flight (process and
 * cluster), writes. The public wrapper (see `cached-function.ts`) calls into it; everything that
 * can be decided at decoration time was decided before it was built.
 */
export class CacheEngine {
  readonly fn: Function
  readonly guard: StoreGuard
  readonly key: CompiledKey
  readonly name: string
  /** Whether metrics are collected at all (`NULL_METRICS` costs nothing on the hit path). */
  readonly metricsOn: boolean
  /** Whether a function not declared `async` turned out to return promises (learned on its first call). */
  promiseFn: boolean
  readonly #ttlMs: number
  readonly #staleMs: number
  readonly #tags: EngineSettings['tags']
  readonly #cacheIf: EngineSettings['cacheIf']
  readonly #cluster: ClusterSettings | undefined
  readonly #flights = new Map<string, Flight>()
  /** Store reads in flight on the async path, one per key, shared by concurrent lookups. */
  readonly #reads = new Map<string, Promise<CacheEntry | undefined>>()

  constructor(settings: EngineSettings, metricsOn: boolean, promiseFn: boolean) {
    this.fn = settings.fn
    this.guard = settings.guard
    this.key = settings.key
    this.name = settings.guard.cacheName
    this.metricsOn = metricsOn
    this.promiseFn = promiseFn
    this.#ttlMs = settings.ttlMs
    this.#staleMs = settings.staleMs
    this.#tags = settings.tags
    this.#cacheIf = settings.cacheIf
    this.#cluster = settings.cluster
  }

  /** Whether a live entry (the store returns only live ones) is still fresh. Reads the clock only for entries with a stale window. */
  isFresh(entry: CacheEntry): boolean {
    return entry.freshUntil === entry.staleUntil || this.guard.clock.now() < entry.freshUntil
  }

  /** Serves a live entry: fresh, or stale with one background refresh per key. */
  serve(entry: CacheEntry, key: string, thisArg: unknown, args: unknown[]): unknown {
    if (this.metricsOn) this.guard.metrics.recordHit(this.name, key)
    if (!this.isFresh(entry)) {
      if (this.metricsOn) this.guard.metrics.recordStale(this.name, key)
      this.revalidate(key, thisArg, args)
    }
    return entry.value
  }

  /** The async path: read (bounded, fail-open), serve or compute. */
  async lookup(key: string, thisArg: unknown, args: unknown[]): Promise<unknown> {
    // A computation of this key is in flight: join it without another store read (a stampede of
    // callers on a cold key costs one read, not one per caller).
    // (A background refresh is not joined here: a reader may still find the stale entry and be
    // served it at once.)
    const flight = this.#flights.get(key)
    if (flight?.joinable && !flight.background) return this.miss(key, thisArg, args)
    const entry = await this.#read(key)
    if (entry !== undefined) return this.serve(entry, key, thisArg, args)
    return this.miss(key, thisArg, args)
  }

  /**
   * One store read per key at a time: lookups arriving while a read of their key is in flight
   * share it, so a stampede on a cold key sends one read to the backend, not one per caller.
   * (The read never rejects: the guard turns failures into misses.)
   */
  #read(key: string): Promise<CacheEntry | undefined> {
    const pending = this.#reads.get(key)
    if (pending !== undefined) return pending
    const read = this.guard.get(key)
    this.#reads.set(key, read)
    const done = (): void => {
      if (this.#reads.get(key) === read) this.#reads.delete(key)
    }
    void read.then(done, done)
    return read
  }

  /** After a synchronous read: serve a stale entry, or compute a missing one; always a Promise. */
  settle(entry: CacheEntry | undefined, key: string, thisArg: unknown, args: unknown[]): Promise<unknown> {
    if (entry !== undefined) return Promise.resolve(this.serve(entry, key, thisArg, args))
    return this.miss(key, thisArg, args)
  }

  /** A miss: join the key's computation in this process, or start one. */
  miss(key: string, thisArg: unknown, args: unknown[]): Promise<unknown> {
    if (this.metricsOn) this.guard.metrics.recordMiss(this.name, key)
    const current = this.#flights.get(key)
    if (current?.joinable) return current.promise
    return this.#startFlight(key, thisArg, args, false, undefined).promise
  }

  /** A miss in synchronous mode: compute and store synchronously, unless the function returns a promise. */
  missSync(key: string, thisArg: unknown, args: unknown[]): unknown {
    if (this.promiseFn) return this.miss(key, thisArg, args)
    if (this.metricsOn) this.guard.metrics.recordMiss(this.name, key)
    const value = this.#call(thisArg, args)
    if (isPromiseLike(value)) {
      this.promiseFn = true
      return this.#startFlight(key, thisArg, args, false, value).promise
    }
    this.#storeSync(key, value, thisArg, args)
    return value
  }

  /** Always computes and stores (the wrapper's `refresh`, and `cache.put`); a newer computation supersedes older ones. */
  recompute(key: string, thisArg: unknown, args: unknown[], sync: boolean): unknown {
    if (sync && !this.promiseFn) {
      const value = this.#call(thisArg, args)
      if (!isPromiseLike(value)) {
        this.#flights.delete(key)
        this.#storeSync(key, value, thisArg, args)
        return value
      }
      this.promiseFn = true
      return this.#startFlight(key, thisArg, args, false, value, true).promise
    }
    return this.#startFlight(key, thisArg, args, false, undefined, true).promise
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
  revalidate(key: string, thisArg: unknown, args: unknown[]): void {
    if (this.#flights.has(key)) return
    const started = this.guard.clock.now()
    const flight = this.#startFlight(key, thisArg, args, true, undefined)
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

  #recordRefresh(success: boolean, started: number): void {
    this.guard.metrics.recordBackgroundRefresh(this.name, success, (this.guard.clock.now() - started) / 1000)
  }

  #call(thisArg: unknown, args: unknown[]): unknown {
    return this.fn.apply(thisArg, args)
  }

  #startFlight(
    key: string,
    thisArg: unknown,
    args: unknown[],
    background: boolean,
    started: PromiseLike<unknown> | undefined,
    skipLease = false,
  ): Flight {
    const flight: Flight = { promise: undefined as unknown as Promise<unknown>, joinable: true, background }
    this.#flights.set(key, flight)
    if (background && this.#cluster !== undefined) flight.joinable = false
    flight.promise = this.#fly(key, thisArg, args, flight, background, started, skipLease)
    return flight
  }

  async #fly(
    key: string,
    thisArg: unknown,
    args: unknown[],
    flight: Flight,
    background: boolean,
    started: PromiseLike<unknown> | undefined,
    skipLease: boolean,
  ): Promise<unknown> {
    try {
      // A background refresh starts after the stale reader got its value.
      if (background) await undefined
      if (this.#cluster !== undefined && !skipLease)
        return await this.#computeClustered(key, thisArg, args, flight, background, this.#cluster)
      return await this.#compute(key, thisArg, args, flight, started)
    } finally {
      if (this.#flights.get(key) === flight) this.#flights.delete(key)
    }
  }

  async #compute(
    key: string,
    thisArg: unknown,
    args: unknown[],
    flight: Flight,
    started: PromiseLike<unknown> | undefined,
  ): Promise<unknown> {
    const startedAt = this.metricsOn ? this.guard.clock.now() : 0
    const value = await (started ?? this.#call(thisArg, args))
    if (this.metricsOn)
      this.guard.metrics.recordLatency(this.name, 'load', (this.guard.clock.now() - startedAt) / 1000)
    // Invalidated (or superseded by a newer computation) meanwhile: the value is returned, not stored.
    if (this.#flights.get(key) === flight) {
      const entry = this.#entryFor(value, thisArg, args)
      if (entry !== undefined) await this.guard.set(key, entry)
    }
    return value
  }

  async #computeClustered(
    key: string,
    thisArg: unknown,
    args: unknown[],
    flight: Flight,
    background: boolean,
    cluster: ClusterSettings,
  ): Promise<unknown> {
    const { clock } = this.guard
    const leaseKey = key + LEASE_SUFFIX
    const deadline = clock.now() + cluster.lockTimeoutMs
    for (;;) {
      const lease = await this.#tryLease(leaseKey, cluster.lockTimeoutMs)
      if (lease !== HELD) {
        try {
          if (lease !== UNLEASED) {
            // The previous holder may have stored its value and released the lease between our
            // last read and this win: read once more so the fleet computes the key only once.
            const entry = await this.guard.get(key)
            if (entry !== undefined && clock.now() < entry.freshUntil) return entry.value
          }
          return await this.#compute(key, thisArg, args, flight, undefined)
        } finally {
          if (lease !== UNLEASED && clock.now() - lease < cluster.lockTimeoutMs)
            await this.guard.deleteQuietly(leaseKey)
        }
      }
      // Another process computes this key: a refresh leaves it to them, a miss waits for their value.
      if (background) return LEFT_TO_OTHERS
      // A caller awaits this pause, so it keeps the process alive (unlike background timers).
      await new Promise<void>((resolve) =>
        clock.setTimeout(resolve, Math.min(cluster.pollMs, deadline - clock.now()), { keepAlive: true }),
      )
      const entry = await this.guard.get(key)
      if (entry !== undefined) return entry.value
      if (clock.now() >= deadline) return await this.#compute(key, thisArg, args, flight, undefined)
    }
  }

  /** Takes the cluster lease: the time it was taken, {@link HELD} by another, or {@link UNLEASED} when the store failed. */
  async #tryLease(leaseKey: string, lockTimeoutMs: number): Promise<number> {
    const now = this.guard.clock.now()
    const token = newToken()
    const won = await this.guard.setIfAbsent(leaseKey, createEntry(token, { now, ttlMs: lockTimeoutMs }))
    // A failed attempt may still write the lease later (its command was on the socket): free it
    // by token, or the key would stay leased to nobody for lockTimeout.
    if (won === undefined)
      void releaseAbandoned(() => this.#dropLease(leaseKey, token), this.guard.clock, lockTimeoutMs)
    return won === undefined ? UNLEASED : won ? now : HELD
  }

  /** Deletes the lease under `leaseKey` if `token` holds it; rejects while the store fails. */
  async #dropLease(leaseKey: string, token: string): Promise<boolean> {
    const { store, clock, timeoutMs } = this.guard
    const context = { store: store.name, operation: 'delete', key: leaseKey }
    const lease = await withTimeout(store.get(leaseKey), timeoutMs, clock, context)
    return lease?.value === token && (await withTimeout(store.delete(leaseKey), timeoutMs, clock, context))
  }

  #storeSync(key: string, value: unknown, thisArg: unknown, args: unknown[]): void {
    const entry = this.#entryFor(value, thisArg, args)
    if (entry !== undefined) this.guard.setSync(key, entry)
  }

  /** The entry to store for a computed value, or `undefined` when it must not be stored. */
  #entryFor(value: unknown, thisArg: unknown, args: unknown[]): CacheEntry | undefined {
    if (this.#ttlMs === 0) return undefined
    let tags: readonly string[] | undefined
    try {
      if (this.#cacheIf !== undefined && !this.#cacheIf(value)) return undefined
      tags = typeof this.#tags === 'function' ? this.#tags.apply(thisArg, args) : this.#tags
    } catch (error) {
      // A throwing cacheIf or tags function: the caller still gets its value, nothing is stored.
      this.guard.metrics.recordError(this.name, 'set', errorTypeOf(error))
      safeReport(this.guard.onError, error)
      return undefined
    }
    return createEntry(value, {
      now: this.guard.clock.now(),
      ttlMs: this.#ttlMs,
      staleMs: this.#staleMs,
      ...(tags === undefined ? {} : { tags: [...tags] }),
    })
  }
}

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
  type InvalidationBus,
  type InvalidationMessage,
  randomOrigin,
  type SyncCacheStore,
  safeReport,
  systemClock,
} from '@stratacache/core'
import { capEntry } from './cap-entry'
import {
  buildBus,
  CHAIN_STORE_OPTION_NAMES,
  type ChainBuildOptions,
  type ChainStoreOptions,
  type ChainTier,
  nonEmptyString,
  type Tier,
  validateTiers,
} from './chain-options'
import { forwardCoordination } from './forward-coordination'
import { PendingReads, type ReadTicket } from './pending-reads'

/** A tier's failure, kept until it is known whether it is reported or rethrown. */
interface TierFailure {
  readonly tier: Tier
  readonly error: unknown
}

/** The bus namespace a bus delivers after a reconnect: every namespace must be treated as cleared. */
const EVERY_NAMESPACE = '*'

/**
 * A store made of N tiers, fastest first (e.g. memory over Redis, or memory over disk over S3).
 *
 * - **Reads** (`get`, `getMany`, `has`) go down the tiers and stop at the first live entry. A hit
 *   in a lower tier is written back (promoted) into every tier above it, each copy cut to that
 *   tier's `ttl`. When the first tier is synchronous (a `MemoryStore`), a first-tier hit costs one
 *   synchronous lookup.
 * - **Writes** (`set`, `setMany`) go to every tier at once, each copy cut to its tier's `ttl`.
 *   `setIfAbsent` is decided by the last tier alone (it is atomic there); when it wrote, the upper
 *   tiers receive the entry too.
 * - **Deletes** (`delete`, `deleteMany`, `deleteMatching`, `clear`) go to every tier. Counts are
 *   the largest count any tier reported.
 *
 * **Failures.** A tier that fails is skipped: for reads it counts as a miss, for writes the other
 * tiers still get the entry, and the failure is passed to `onError`. Only when every tier failed
 * does the operation reject, with the last tier's error. Two exceptions, where skipping would be
 * wrong: a delete or clear that failed in the last tier rejects (the entry would otherwise come
 * back through promotion), and `setIfAbsent` rejects when the last tier fails. A value a tier
 * cannot serialize (`CacheSerializationError`) rejects the write and nothing is left written.
 *
 * **Invalidation.** With a `bus`, the chain publishes each write and delete under its own random
 * origin and drops its upper-tier copies of keys that other chains wrote or deleted, so two
 * processes (or two chains sharing one `MemoryBus`) never serve each other's overwritten values
 * from their upper tiers past the bus delay. A read that found a value in a lower tier does not
 * promote it when a write, delete or bus message for the key arrived meanwhile.
 *
 * **Synchronous twins.** When every tier is a {@link SyncCacheStore}, the chain offers
 * `getSync`/`setSync`/`deleteSync` too (so `isSyncStore(chain)` is `true`); otherwise it does not.
 *
 * **Coordination.** When the last tier implements `CoordinationStore` (as `RedisStore` does), the
 * chain offers the same primitives, forwarded to that tier (so `isCoordinationStore(chain)` is
 * `true` and `lock`/`once`/`pool` over the chain are atomic across processes).
 *
 * @example
 * ```ts
 * const chain = new ChainStore(
 *   [
 *     { store: new MemoryStore({ maxEntries: 10_000 }), ttl: '1m' },
 *     { store: new RedisStore({ url: 'redis://127.0.0.1:6379' }) },
 *   ],
 *   { bus: new RedisBus({ url: 'redis://127.0.0.1:6379' }), namespace: 'users' },
 * )
 * const getUser = cache({ ttl: '1h', store: chain })(loadUser)
 * ```
 */
export class ChainStore implements CacheStore {
  /** The store's name, `'chain'` unless given. */
  readonly name: string
  /** The chain's origin id on the bus (random per instance). */
  readonly origin: string
  /** The bus namespace of this chain's messages. */
  readonly namespace: string
  readonly #tiers: readonly Tier[]
  readonly #upper: readonly Tier[]
  readonly #last: Tier
  /** The first tier, when it answers synchronously: the cheap hit path of `get`. */
  readonly #l1Sync: SyncCacheStore | undefined
  readonly #bus: InvalidationBus | undefined
  readonly #closeBus: boolean
  readonly #onError: ErrorHandler
  readonly #clock: Clock
  readonly #closeTiers: boolean
  readonly #pending = new PendingReads()
  /** Upper-tier drops started by bus messages, awaited by `close()`. */
  readonly #background = new Set<Promise<void>>()
  #unsubscribe: (() => void) | undefined
  #closed: Promise<void> | undefined

  /**
   * @param tiers - the tiers, fastest first; see {@link ChainTier}
   * @param options - bus, name, error handler, clock; see {@link ChainStoreOptions}
   * @throws {@link CacheConfigError} naming the option for an empty tier list, a tier that is not
   * a store (or repeats an earlier one), a bad `ttl`, or an invalid option
   */
  constructor(tiers: readonly ChainTier[], options: ChainStoreOptions = {}) {
    checkOptionNames('ChainStore', options, CHAIN_STORE_OPTION_NAMES)
    this.#tiers = validateTiers(tiers)
    this.#upper = this.#tiers.slice(0, -1)
    this.#last = this.#tiers[this.#tiers.length - 1] as Tier
    this.#l1Sync = (this.#tiers[0] as Tier).sync
    this.name = nonEmptyString(options.name, 'name', 'chain')
    this.namespace = nonEmptyString(options.namespace, 'namespace', this.name)
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new CacheConfigError('ChainStore: `onError` must be a function', { option: 'onError' })
    }
    this.#onError = options.onError ?? defaultErrorHandler
    if (options.clock !== undefined && typeof options.clock?.now !== 'function') {
      throw new CacheConfigError('ChainStore: `clock` must have a now() method', { option: 'clock' })
    }
    this.#clock = options.clock ?? systemClock
    if (options.closeTiers !== undefined && typeof options.closeTiers !== 'boolean') {
      throw new CacheConfigError('ChainStore: `closeTiers` must be a boolean', { option: 'closeTiers' })
    }
    this.#closeTiers = options.closeTiers ?? true
    if (options.closeBus !== undefined && typeof options.closeBus !== 'boolean') {
      throw new CacheConfigError('ChainStore: `closeBus` must be a boolean', { option: 'closeBus' })
    }
    const built = typeof options.bus === 'function'
    const bus = built ? buildBus(options.bus as () => InvalidationBus) : options.bus
    if (
      bus !== undefined &&
      (typeof bus !== 'object' ||
        bus === null ||
        typeof bus.publish !== 'function' ||
        typeof bus.subscribe !== 'function')
    ) {
      throw new CacheConfigError(
        `ChainStore: \`bus\` must be an InvalidationBus or a function returning one${built ? ' (the factory returned something else)' : ''}`,
        { option: 'bus' },
      )
    }
    this.#bus = bus
    this.#closeBus = options.closeBus ?? built
    this.origin = randomOrigin()
    if (bus !== undefined) {
      this.#unsubscribe = bus.subscribe((message) => this.#onMessage(message), { origin: this.origin })
    }
    if (this.#tiers.every((tier) => tier.sync !== undefined)) Object.assign(this, new.target.syncTwins)
    else if (this.#l1Sync !== undefined) Object.assign(this, new.target.syncFirstRead)
    const coordination = forwardCoordination(this.#last.store)
    if (coordination !== undefined) Object.assign(this, coordination)
  }

  /**
   * The seed's form: a chain of `stores`, fastest first, with the tier `ttl`s given as one list.
   *
   * @param stores - the tiers' stores, fastest first
   * @param options - the {@link ChainStoreOptions}, plus `ttls`: one `ttl` per store, in order
   * (`undefined` or `Infinity` for a tier without a cap)
   * @throws {@link CacheConfigError} when `ttls` is not a list as long as `stores`, and for
   * everything the constructor rejects
   * @example
   * ```ts
   * const chain = ChainStore.build([new MemoryStore({ maxEntries: 1000 }), redisStore], { ttls: ['1m', undefined] })
   * ```
   */
  static build(stores: readonly CacheStore[], options: ChainBuildOptions = {}): ChainStore {
    const { ttls, ...rest } = options
    if (!Array.isArray(stores)) {
      throw new CacheConfigError('ChainStore.build: `stores` must be an array of CacheStores', {
        option: 'stores',
      })
    }
    if (ttls !== undefined && (!Array.isArray(ttls) || ttls.length !== stores.length)) {
      throw new CacheConfigError(
        `ChainStore.build: \`ttls\` must list one ttl per store: ${stores.length} store(s), ${
          Array.isArray(ttls) ? `${ttls.length} ttl(s)` : `got ${typeof ttls}`
        }`,
        { option: 'ttls' },
      )
    }
    // `new this`, not `new ChainStore`: a class that names itself inside its body is emitted by
    // esbuild as `class _ChainStore`, the name users would then see in errors and logs.
    return new this(
      stores.map((store, index) => {
        const ttl = ttls?.[index]
        return ttl === undefined ? { store } : { store, ttl }
      }),
      rest,
    )
  }

  /**
   * Where records every process must read alike are kept, such as `invalidateTags` records (core's
   * `LayeredStore`): the chain itself when a bus keeps the upper tiers coherent (other chains
   * drop their copies when a record changes), else the last tier, so a tagged hit from an upper
   * tier is confirmed against the shared tier.
   */
  get sharedStore(): CacheStore {
    return this.#bus === undefined ? this.#last.store : this
  }

  /** The tiers' stores, fastest first. */
  get stores(): CacheStore[] {
    return this.#tiers.map((tier) => tier.store)
  }

  /**
   * The live entry of the first tier that has one; a lower-tier hit is promoted into the tiers
   * above it (cut to their `ttl`).
   */
  get(key: string): Promise<CacheEntry | undefined> {
    const l1 = this.#l1Sync
    if (l1 === undefined) return this.#getFrom(key, 0, 0, undefined)
    // `cache()` calls `tryGetSync` then `get`: the first tier was just read; read it once.
    if (this.#pending.takeFirstTierMiss(key)) return this.#getFrom(key, 1, 0, undefined)
    let hit: CacheEntry | undefined
    try {
      hit = l1.getSync(key)
    } catch (error) {
      return this.#getFrom(key, 1, 1, error)
    }
    if (hit !== undefined) return Promise.resolve(hit)
    return this.#getFrom(key, 1, 0, undefined)
  }

  /** Whether any tier holds a live entry under `key` (nothing is promoted). */
  async has(key: string): Promise<boolean> {
    let failures = 0
    let lastFailure: TierFailure | undefined
    for (const tier of this.#tiers) {
      try {
        if (await tier.store.has(key)) {
          if (lastFailure !== undefined) this.#reportTier(lastFailure.tier, 'has', lastFailure.error, key)
          return true
        }
      } catch (error) {
        failures++
        if (lastFailure !== undefined) this.#reportTier(lastFailure.tier, 'has', lastFailure.error, key)
        lastFailure = { tier, error }
      }
    }
    this.#settleMiss(failures, lastFailure, 'has', key)
    return false
  }

  /** The entries under `keys`, in order: each tier is asked, in one batch, for the keys still missing. */
  async getMany(keys: string[]): Promise<(CacheEntry | undefined)[]> {
    const found: (CacheEntry | undefined)[] = new Array(keys.length).fill(undefined)
    if (keys.length === 0) return found
    const tickets = this.#tiers.length > 1 ? keys.map((key) => this.#pending.begin(key)) : undefined
    try {
      let missing = keys.map((_, index) => index)
      let failures = 0
      let lastFailure: TierFailure | undefined
      /** Per upper tier, the entries found below it, to promote. */
      const promotions: [number, CacheEntry][][] = this.#upper.map(() => [])
      for (const [tierIndex, tier] of this.#tiers.entries()) {
        if (missing.length === 0) break
        let batch: (CacheEntry | undefined)[]
        try {
          batch = await tier.store.getMany(missing.map((index) => keys[index] as string))
        } catch (error) {
          failures++
          if (lastFailure !== undefined) this.#reportTier(lastFailure.tier, 'getMany', lastFailure.error)
          lastFailure = { tier, error }
          continue
        }
        const stillMissing: number[] = []
        for (const [position, index] of missing.entries()) {
          const entry = batch[position]
          if (entry === undefined) {
            stillMissing.push(index)
            continue
          }
          found[index] = entry
          for (let upper = 0; upper < tierIndex; upper++) promotions[upper]?.push([index, entry])
        }
        missing = stillMissing
      }
      this.#settleMiss(failures, lastFailure, 'getMany')
      if (tickets !== undefined) await this.#promoteMany(keys, tickets, promotions)
      return found
    } finally {
      if (tickets !== undefined) {
        for (const [index, key] of keys.entries()) this.#pending.end(key, tickets[index] as ReadTicket)
      }
    }
  }

  /** Writes `entry` to every tier at once, each copy cut to its tier's `ttl`. */
  async set(key: string, entry: CacheEntry): Promise<void> {
    this.#pending.invalidate(key)
    const now = this.#clock.now()
    await this.#writeTiers('set', [key], false, (tier) =>
      tier.store.set(key, this.#copyFor(tier, entry, now)),
    )
    this.#pending.invalidate(key)
    await this.#publish('set', [key])
  }

  /** Writes every pair to every tier at once (one batch per tier). */
  async setMany(items: [string, CacheEntry][]): Promise<void> {
    if (items.length === 0) return
    const keys = items.map(([key]) => key)
    for (const key of keys) this.#pending.invalidate(key)
    const now = this.#clock.now()
    await this.#writeTiers('setMany', keys, false, (tier) =>
      tier.store.setMany(
        tier.ttlMs === Number.POSITIVE_INFINITY
          ? items
          : items.map(([key, entry]): [string, CacheEntry] => [key, capEntry(entry, tier.ttlMs, now)]),
      ),
    )
    for (const key of keys) this.#pending.invalidate(key)
    await this.#publish('set', keys)
  }

  /**
   * Stores `entry` only when the last tier has no live entry under `key`, atomically there; when
   * it wrote, the upper tiers get the entry too. Rejects when the last tier fails.
   */
  async setIfAbsent(key: string, entry: CacheEntry): Promise<boolean> {
    this.#pending.invalidate(key)
    const now = this.#clock.now()
    const last = this.#last
    const wrote = await last.store.setIfAbsent(key, this.#copyFor(last, entry, now))
    if (!wrote) return false
    await Promise.all(
      this.#upper.map(async (tier) => {
        try {
          await tier.store.set(key, this.#copyFor(tier, entry, now))
        } catch (error) {
          this.#reportTier(tier, 'setIfAbsent', error, key)
        }
      }),
    )
    this.#pending.invalidate(key)
    await this.#publish('set', [key])
    return true
  }

  /** Removes `key` from every tier; `true` if any tier held a live entry. */
  async delete(key: string): Promise<boolean> {
    this.#pending.invalidate(key)
    const existed = await this.#writeTiers('delete', [key], true, (tier) => tier.store.delete(key))
    this.#pending.invalidate(key)
    await this.#publish('delete', [key])
    return existed.includes(true)
  }

  /** Removes `keys` from every tier; resolves the largest count a tier reported. */
  async deleteMany(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0
    for (const key of keys) this.#pending.invalidate(key)
    const counts = await this.#writeTiers('deleteMany', keys, true, (tier) => tier.store.deleteMany(keys))
    for (const key of keys) this.#pending.invalidate(key)
    await this.#publish('delete', keys)
    return Math.max(0, ...counts.map((count) => count ?? 0))
  }

  /**
   * Removes the keys matching `pattern` from every tier; resolves the largest count a tier
   * reported. On the bus it is announced as a `clear` (other chains drop all upper-tier copies).
   */
  async deleteMatching(pattern: string): Promise<number> {
    this.#pending.invalidateAll()
    const { values, failure } = await this.#everyTier('deleteMatching', (tier) =>
      tier.store.deleteMatching(pattern),
    )
    this.#pending.invalidateAll()
    await this.#publish('clear', undefined)
    if (failure !== undefined) throw failure
    return Math.max(0, ...values.map((count) => count ?? 0))
  }

  /**
   * Clears every tier (each only within its own namespace). All or error: when any tier fails
   * (e.g. a Redis Cluster with a master unreachable), the others are still cleared and announced
   * on the bus, then it rejects with the deepest failing tier's error (the others are reported).
   */
  async clear(): Promise<void> {
    this.#pending.invalidateAll()
    const { failure } = await this.#everyTier('clear', (tier) => tier.store.clear())
    this.#pending.invalidateAll()
    await this.#publish('clear', undefined)
    if (failure !== undefined) throw failure
  }

  /**
   * Runs `run` on every tier; for the all-or-error operations (`clear`, `deleteMatching`): the
   * deepest tier's failure is returned to be thrown, the other failures are reported.
   */
  async #everyTier<T>(
    operation: string,
    run: (tier: Tier) => Promise<T>,
  ): Promise<{ values: (T | undefined)[]; failure: unknown }> {
    const settled = await Promise.allSettled(this.#tiers.map(async (tier) => run(tier)))
    let failed = -1
    for (let index = settled.length - 1; index >= 0 && failed < 0; index--) {
      if (settled[index]?.status === 'rejected') failed = index
    }
    const values = settled.map((result, index) => {
      if (result.status === 'fulfilled') return result.value
      if (index !== failed) this.#reportTier(this.#tiers[index] as Tier, operation, result.reason, undefined)
      return undefined
    })
    return { values, failure: failed < 0 ? undefined : (settled[failed] as PromiseRejectedResult).reason }
  }

  /**
   * Unsubscribes from the bus, waits for invalidations in progress, closes the bus when the
   * chain owns it (built from a factory, or `closeBus: true`) and every tier's store unless
   * `closeTiers: false`. Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close()
    return this.#closed
  }

  async #close(): Promise<void> {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    await Promise.all(this.#background)
    const closing: Promise<void>[] = []
    if (this.#closeBus && this.#bus !== undefined) closing.push(this.#bus.close())
    if (this.#closeTiers) closing.push(...this.#tiers.map(async (tier) => tier.store.close()))
    const results = await Promise.allSettled(closing)
    const failed = results.find((result) => result.status === 'rejected')
    if (failed !== undefined) throw failed.reason
  }

  /**
   * `tryGetSync` (core's `SyncFirstReadStore`), installed when the first tier is synchronous but
   * a lower one is not: `cache()` then serves a first-tier hit without a promise round trip.
   */
  static readonly syncFirstRead = {
    /** The first tier's live entry, read synchronously; `undefined` (also on a failure): ask `get()`. */
    tryGetSync(this: ChainStore, key: string): CacheEntry | undefined {
      let hit: CacheEntry | undefined
      try {
        hit = (this.#l1Sync as SyncCacheStore).getSync(key)
      } catch {
        return undefined // get() reads the first tier again and reports the failure
      }
      if (hit === undefined) this.#pending.noteFirstTierMiss(key)
      return hit
    },
  }

  /** The synchronous twins, installed only when every tier is synchronous. */
  static readonly syncTwins = {
    /** Synchronous {@link ChainStore.get}. */
    getSync(this: ChainStore, key: string): CacheEntry | undefined {
      let failures = 0
      let lastFailure: TierFailure | undefined
      for (const [tierIndex, tier] of this.#tiers.entries()) {
        let entry: CacheEntry | undefined
        try {
          entry = (tier.sync as SyncCacheStore).getSync(key)
        } catch (error) {
          failures++
          if (lastFailure !== undefined) this.#reportTier(lastFailure.tier, 'get', lastFailure.error, key)
          lastFailure = { tier, error }
          continue
        }
        if (entry === undefined) continue
        if (lastFailure !== undefined) this.#reportTier(lastFailure.tier, 'get', lastFailure.error, key)
        if (tierIndex > 0) {
          const now = this.#clock.now()
          for (const upper of this.#tiers.slice(0, tierIndex)) {
            try {
              ;(upper.sync as SyncCacheStore).setSync(key, this.#copyFor(upper, entry, now))
            } catch (error) {
              this.#reportTier(upper, 'promote', error, key)
            }
          }
        }
        return entry
      }
      this.#settleMiss(failures, lastFailure, 'get', key)
      return undefined
    },

    /** Synchronous {@link ChainStore.set}; the bus message is published in the background. */
    setSync(this: ChainStore, key: string, entry: CacheEntry): void {
      this.#pending.invalidate(key)
      const now = this.#clock.now()
      this.#writeTiersSync('set', key, false, (tier) =>
        (tier.sync as SyncCacheStore).setSync(key, this.#copyFor(tier, entry, now)),
      )
      this.#publishInBackground('set', [key])
    },

    /** Synchronous {@link ChainStore.delete}; the bus message is published in the background. */
    deleteSync(this: ChainStore, key: string): boolean {
      this.#pending.invalidate(key)
      const existed = this.#writeTiersSync('delete', key, true, (tier) =>
        (tier.sync as SyncCacheStore).deleteSync(key),
      )
      this.#publishInBackground('delete', [key])
      return existed.includes(true)
    },
  }

  /** Reads from `start` down, after `failures` tier failures above it (the last being `error`). */
  async #getFrom(
    key: string,
    start: number,
    failures: number,
    error: unknown,
  ): Promise<CacheEntry | undefined> {
    let failed = failures
    let lastFailure = failures > 0 ? { tier: this.#tiers[0] as Tier, error } : undefined
    const ticket = this.#tiers.length > 1 ? this.#pending.begin(key) : undefined
    try {
      for (let index = start; index < this.#tiers.length; index++) {
        const tier = this.#tiers[index] as Tier
        let entry: CacheEntry | undefined
        try {
          entry = await tier.store.get(key)
        } catch (tierError) {
          failed++
          if (lastFailure !== undefined) this.#reportTier(lastFailure.tier, 'get', lastFailure.error, key)
          lastFailure = { tier, error: tierError }
          continue
        }
        if (entry === undefined) continue
        if (lastFailure !== undefined) this.#reportTier(lastFailure.tier, 'get', lastFailure.error, key)
        if (index > 0 && ticket !== undefined) await this.#promote(key, entry, index, ticket)
        return entry
      }
      this.#settleMiss(failed, lastFailure, 'get', key)
      return undefined
    } finally {
      if (ticket !== undefined) this.#pending.end(key, ticket)
    }
  }

  /**
   * Settles a miss after `failures` tier failures: throws the last tier's error when every tier
   * failed, otherwise reports the last failure (the miss stands).
   */
  #settleMiss(failures: number, lastFailure: TierFailure | undefined, operation: string, key?: string): void {
    if (lastFailure === undefined) return
    if (failures === this.#tiers.length) throw lastFailure.error
    this.#reportTier(lastFailure.tier, operation, lastFailure.error, key)
  }

  /** Copies `entry`, found in tier `foundAt`, into the tiers above it, unless the read was overtaken. */
  async #promote(key: string, entry: CacheEntry, foundAt: number, ticket: ReadTicket): Promise<void> {
    if (ticket.invalidated) return
    const now = this.#clock.now()
    const targets = this.#tiers.slice(0, foundAt)
    await Promise.all(
      targets.map(async (tier) => {
        try {
          await tier.store.set(key, this.#copyFor(tier, entry, now))
        } catch (error) {
          this.#reportTier(tier, 'promote', error, key)
        }
      }),
    )
    // A write or delete that landed while an asynchronous promotion was in flight may have been
    // overwritten by it: drop the copies (a miss is always safe).
    if (ticket.invalidated) await this.#dropFrom(targets, [key])
  }

  /** Promotes the entries `getMany` found below each upper tier, skipping overtaken reads. */
  async #promoteMany(
    keys: string[],
    tickets: ReadTicket[],
    promotions: [number, CacheEntry][][],
  ): Promise<void> {
    const now = this.#clock.now()
    await Promise.all(
      promotions.map(async (found, tierIndex) => {
        const tier = this.#tiers[tierIndex] as Tier
        const live = found.filter(([index]) => !(tickets[index] as ReadTicket).invalidated)
        if (live.length === 0) return
        try {
          await tier.store.setMany(
            live.map(([index, entry]): [string, CacheEntry] => [
              keys[index] as string,
              this.#copyFor(tier, entry, now),
            ]),
          )
        } catch (error) {
          this.#reportTier(tier, 'promote', error)
        }
        const overtaken = live.filter(([index]) => (tickets[index] as ReadTicket).invalidated)
        if (overtaken.length > 0) {
          await this.#dropFrom(
            [tier],
            overtaken.map(([index]) => keys[index] as string),
          )
        }
      }),
    )
  }

  /**
   * Runs `write` on every tier at once and settles the outcome: a serialization error undoes the
   * tiers that succeeded and rejects; otherwise failures are reported, and the operation rejects
   * with the last tier's error when every tier failed, or (with `strictLast`) when the last did.
   */
  async #writeTiers<T>(
    operation: string,
    keys: string[],
    strictLast: boolean,
    write: (tier: Tier) => Promise<T>,
  ): Promise<(T | undefined)[]> {
    const settled = await Promise.allSettled(this.#tiers.map(async (tier) => write(tier)))
    const serialization = settled.find(
      (result) => result.status === 'rejected' && CacheSerializationError.isInstance(result.reason),
    ) as PromiseRejectedResult | undefined
    if (serialization !== undefined && keys.length > 0) {
      const written = this.#tiers.filter((_, index) => settled[index]?.status === 'fulfilled')
      await this.#dropFrom(written, keys)
      throw serialization.reason
    }
    return this.#settle(operation, keys.length === 1 ? keys[0] : undefined, strictLast, settled)
  }

  /** The synchronous {@link ChainStore.#writeTiers} (no serialization in synchronous tiers). */
  #writeTiersSync<T>(
    operation: string,
    key: string,
    strictLast: boolean,
    write: (tier: Tier) => T,
  ): (T | undefined)[] {
    const settled = this.#tiers.map((tier): PromiseSettledResult<T> => {
      try {
        return { status: 'fulfilled', value: write(tier) }
      } catch (error) {
        return { status: 'rejected', reason: error }
      }
    })
    return this.#settle(operation, key, strictLast, settled)
  }

  #settle<T>(
    operation: string,
    key: string | undefined,
    strictLast: boolean,
    settled: PromiseSettledResult<T>[],
  ): (T | undefined)[] {
    const failures = settled.filter((result) => result.status === 'rejected').length
    const last = settled[settled.length - 1] as PromiseSettledResult<T>
    const rejectWithLast = last.status === 'rejected' && (strictLast || failures === settled.length)
    const values: (T | undefined)[] = []
    for (const [index, result] of settled.entries()) {
      if (result.status === 'fulfilled') {
        values.push(result.value)
        continue
      }
      values.push(undefined)
      if (rejectWithLast && result === last) continue
      this.#reportTier(this.#tiers[index] as Tier, operation, result.reason, key)
    }
    if (rejectWithLast) throw (last as PromiseRejectedResult).reason
    return values
  }

  /** Removes `keys` (all keys when empty) from `tiers`, reporting failures; never rejects. */
  async #dropFrom(tiers: readonly Tier[], keys: string[]): Promise<void> {
    await Promise.all(
      tiers.map(async (tier) => {
        try {
          if (keys.length === 0) await tier.store.clear()
          else if (keys.length === 1) await tier.store.delete(keys[0] as string)
          else await tier.store.deleteMany(keys)
        } catch (error) {
          this.#reportTier(tier, keys.length === 0 ? 'clear' : 'delete', error, keys[0])
        }
      }),
    )
  }

  /** Handles a bus message from another chain: drops the upper-tier copies it concerns. */
  #onMessage(message: InvalidationMessage): void {
    if (message.namespace !== this.namespace && message.namespace !== EVERY_NAMESPACE) return
    const keys = message.kind === 'clear' ? undefined : message.keys
    if (keys === undefined) this.#pending.invalidateAll()
    else for (const key of keys) this.#pending.invalidate(key)
    if (keys !== undefined && keys.length === 0) return
    const asyncTiers: Tier[] = []
    for (const tier of this.#upper) {
      if (tier.sync === undefined || keys === undefined) {
        asyncTiers.push(tier)
        continue
      }
      for (const key of keys) {
        try {
          tier.sync.deleteSync(key)
        } catch (error) {
          this.#reportTier(tier, 'delete', error, key)
        }
      }
    }
    if (asyncTiers.length > 0) this.#track(this.#dropFrom(asyncTiers, keys ?? []))
  }

  #track(task: Promise<void>): void {
    this.#background.add(task)
    void task.finally(() => this.#background.delete(task))
  }

  #publish(kind: InvalidationMessage['kind'], keys: string[] | undefined): Promise<void> | undefined {
    const bus = this.#bus
    if (bus === undefined) return undefined
    const message: InvalidationMessage = { kind, namespace: this.namespace, origin: this.origin }
    if (keys !== undefined) message.keys = keys
    return bus.publish(message).catch((error: unknown) => {
      safeReport(
        this.#onError,
        new CacheStoreError(`ChainStore "${this.name}": publishing a ${kind} message on the bus failed`, {
          store: this.name,
          operation: 'publish',
          key: keys?.length === 1 ? keys[0] : undefined,
          cause: error,
        }),
      )
    })
  }

  #publishInBackground(kind: InvalidationMessage['kind'], keys: string[]): void {
    const published = this.#publish(kind, keys)
    if (published !== undefined) this.#track(published)
  }

  #copyFor(tier: Tier, entry: CacheEntry, now: number): CacheEntry {
    return tier.ttlMs === Number.POSITIVE_INFINITY ? entry : capEntry(entry, tier.ttlMs, now)
  }

  #reportTier(tier: Tier, operation: string, error: unknown, key?: string): void {
    const detail = error instanceof Error ? error.message : String(error)
    safeReport(
      this.#onError,
      new CacheStoreError(
        `ChainStore "${this.name}": tier ${tier.position} of ${this.#tiers.length} ("${tier.store.name}") failed on ${operation}, skipped: ${detail}`,
        { store: this.name, operation, key, cause: error },
      ),
    )
  }
}

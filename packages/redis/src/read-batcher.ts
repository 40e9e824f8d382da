import { CacheTimeoutError, DeadlineWatch, systemClock } from '@stratacache/core'
import { groupBySlot } from './cluster-slots'
import type { RedisClient } from './redis-connection'

/**
 * What a {@link ReadBatcher} needs from its store.
 * @example
 * ```ts
 * const options: ReadBatcherOptions = { client, cluster: false, timeoutMs: 1000, storeName: 'redis' }
 * ```
 */
export interface ReadBatcherOptions {
  /** The connection the batches are sent on. */
  client: RedisClient
  /** Whether `client` is a Cluster: a batch is split into one `MGET` per hash slot. */
  cluster: boolean
  /**
   * Bound of one batch, in ms: past it (give or take a tick of the shared timer) every read of the
   * batch rejects with a `CacheTimeoutError` naming its key. `Infinity` when the client bounds each
   * command itself (its `commandTimeout`).
   */
  timeoutMs: number
  /** The store's name in timeout errors. */
  storeName: string
}

/** The most keys one batch reads: past it the batch is sent at once and the next one begins. */
export const MAX_BATCH_KEYS = 1024

/**
 * One read waiting for its batch: exactly one of `resolve` and `reject` is called, once, from
 * the batch's reply (neither may throw).
 */
export interface ReadWaiter {
  /** The key as the caller named it (without the store prefix), for errors. */
  readonly key: string
  resolve(bytes: Buffer | null): void
  reject(error: unknown): void
}

/**
 * Coalesces the single-key reads issued in one tick of the event loop into one round trip: the
 * first read schedules a flush (`process.nextTick`), every read until then joins it, and the flush
 * sends one `GET` for a lone read or one `MGET` for several (one per hash slot on a Cluster, sent
 * together; at most {@link MAX_BATCH_KEYS} keys, a fuller batch is sent at once). Under load (many calls in flight) a reply of one batch releases its callers, whose
 * next reads form the next batch: one command and one reply per batch instead of one per read, so
 * no auto-pipelining is needed on the client. A sequential caller pays one `nextTick`.
 *
 * When {@link ReadBatcherOptions.timeoutMs} is finite, the batches in flight are bounded by one
 * coarse timer shared by all of them (core's `DeadlineWatch`), never one timer per read or per
 * batch. A failed batch rejects every read of it with the batch's error.
 *
 * @example
 * ```ts
 * const reads = new ReadBatcher({ client, cluster: false, timeoutMs: 1000, storeName: 'redis' })
 * const [a, b] = await Promise.all([reads.read('app:user:1', 'user:1'), reads.read('app:user:2', 'user:2')]) // one MGET
 * ```
 */
export class ReadBatcher {
  readonly #options: ReadBatcherOptions
  /** Bounds the batches in flight with one coarse timer, when the client does not bound its commands. */
  readonly #deadlines: DeadlineWatch | undefined
  #redisKeys: string[] = []
  #waiters: ReadWaiter[] = []

  constructor(options: ReadBatcherOptions) {
    this.#options = options
    this.#deadlines = Number.isFinite(options.timeoutMs)
      ? new DeadlineWatch(options.timeoutMs, systemClock)
      : undefined
  }

  /**
   * The bytes stored under `redisKey` (`null` when absent), read in the batch of this tick.
   *
   * @param redisKey - the full Redis key (prefix applied)
   * @param key - the caller's key, named by timeout errors
   */
  read(redisKey: string, key: string): Promise<Buffer | null> {
    return new Promise<Buffer | null>((resolve, reject) => this.enqueue(redisKey, { key, resolve, reject }))
  }

  /**
   * {@link ReadBatcher.read} for a caller that settles its own promise: `waiter` is called from
   * the batch's reply, so the caller's continuation runs in the same microtask as the reply (no
   * promise of the batcher's in between).
   *
   * @param redisKey - the full Redis key (prefix applied)
   * @param waiter - receives the bytes (`null` when absent) or the batch's error
   */
  enqueue(redisKey: string, waiter: ReadWaiter): void {
    if (this.#redisKeys.length === 0) process.nextTick(this.#flush)
    this.#redisKeys.push(redisKey)
    this.#waiters.push(waiter)
    if (this.#redisKeys.length === MAX_BATCH_KEYS) this.#flush()
  }

  readonly #flush = (): void => {
    const redisKeys = this.#redisKeys
    if (redisKeys.length === 0) return // sent already, full
    const waiters = this.#waiters
    this.#redisKeys = []
    this.#waiters = []
    const deadlines = this.#deadlines
    if (redisKeys.length === 1 && deadlines === undefined) {
      // A lone read on a client that bounds its own commands: the reply goes straight to the caller.
      const waiter = waiters[0] as ReadWaiter
      this.#options.client.getBuffer(redisKeys[0] as string).then(
        (bytes) => waiter.resolve(bytes),
        (error: unknown) => waiter.reject(error),
      )
      return
    }
    let settled = false
    const fail = (error: unknown, timedOut: boolean) => {
      if (settled) return
      settled = true
      for (const waiter of waiters) waiter.reject(timedOut ? this.#timeout(waiter.key) : error)
    }
    const watched = deadlines?.watch({ store: this.#options.storeName, operation: 'get' }, () =>
      fail(undefined, true),
    )
    const done = watched === undefined ? undefined : () => deadlines?.settle(watched)
    const resolveAll = (values: (Buffer | null)[]) => {
      done?.()
      if (settled) return
      settled = true
      for (let i = 0; i < waiters.length; i++) (waiters[i] as ReadWaiter).resolve(values[i] ?? null)
    }
    const failAll = (error: unknown) => {
      done?.()
      fail(error, false)
    }
    if (redisKeys.length === 1) {
      this.#options.client.getBuffer(redisKeys[0] as string).then((bytes) => resolveAll([bytes]), failAll)
    } else this.#send(redisKeys).then(resolveAll, failAll)
  }

  /** One `MGET` of several keys (one per hash slot on a Cluster). */
  #send(redisKeys: string[]): Promise<(Buffer | null)[]> {
    const { client } = this.#options
    if (!this.#options.cluster) return client.mgetBuffer(...redisKeys)
    const values: (Buffer | null)[] = new Array(redisKeys.length).fill(null)
    const groups = groupBySlot(redisKeys).map(async (indexes) => {
      const group = await client.mgetBuffer(...indexes.map((i) => redisKeys[i] as string))
      for (let j = 0; j < indexes.length; j++) values[indexes[j] as number] = group[j] ?? null
    })
    return Promise.all(groups).then(() => values)
  }

  #timeout(key: string): CacheTimeoutError {
    const { storeName, timeoutMs } = this.#options
    return new CacheTimeoutError(
      `${storeName} get of key ${JSON.stringify(key)} took longer than ${timeoutMs} ms`,
      {
        store: storeName,
        operation: 'get',
        key,
        timeoutMs,
      },
    )
  }
}

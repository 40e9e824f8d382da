import { CacheTimeoutError } from '@stratacache/core'
import { groupBySlot } from './cluster-slots'
import type { RedisClient } from './redis-connection'

/** What a {@link ReadBatcher} needs from its store. */
export interface ReadBatcherOptions {
  /** The connection the batches are sent on. */
  client: RedisClient
  /** Whether `client` is a Cluster: a batch is split into one `MGET` per hash slot. */
  cluster: boolean
  /**
   * Bound of one batch, in ms: past it every read of the batch rejects with a `CacheTimeoutError`
   * naming its key. `Infinity` when the client bounds each command itself (its `commandTimeout`).
   */
  timeoutMs: number
  /** The store's name in timeout errors. */
  storeName: string
}

/** One read waiting for its batch. */
interface Waiter {
  /** The key as the caller named it (without the store prefix), for errors. */
  key: string
  resolve(bytes: Buffer | null): void
  reject(error: unknown): void
}

/**
 * Coalesces the single-key reads issued in one tick of the event loop into one round trip: the
 * first read schedules a flush (`process.nextTick`), every read until then joins it, and the flush
 * sends one `GET` for a lone read or one `MGET` for several (one per hash slot on a Cluster, sent
 * together). Under load (many calls in flight) a reply of one batch releases its callers, whose
 * next reads form the next batch: one command and one reply per batch instead of one per read, so
 * no auto-pipelining is needed on the client. A sequential caller pays one `nextTick`.
 *
 * A batch is bounded by one timer (not one per read) when {@link ReadBatcherOptions.timeoutMs} is
 * finite. A failed batch rejects every read of it with the batch's error.
 *
 * @example
 * ```ts
 * const reads = new ReadBatcher({ client, cluster: false, timeoutMs: 1000, storeName: 'redis' })
 * const [a, b] = await Promise.all([reads.read('app:user:1', 'user:1'), reads.read('app:user:2', 'user:2')]) // one MGET
 * ```
 */
export class ReadBatcher {
  readonly #options: ReadBatcherOptions
  #redisKeys: string[] = []
  #waiters: Waiter[] = []

  constructor(options: ReadBatcherOptions) {
    this.#options = options
  }

  /**
   * The bytes stored under `redisKey` (`null` when absent), read in the batch of this tick.
   *
   * @param redisKey - the full Redis key (prefix applied)
   * @param key - the caller's key, named by timeout errors
   */
  read(redisKey: string, key: string): Promise<Buffer | null> {
    return new Promise<Buffer | null>((resolve, reject) => {
      if (this.#redisKeys.length === 0) process.nextTick(this.#flush)
      this.#redisKeys.push(redisKey)
      this.#waiters.push({ key, resolve, reject })
    })
  }

  readonly #flush = (): void => {
    const redisKeys = this.#redisKeys
    const waiters = this.#waiters
    this.#redisKeys = []
    this.#waiters = []
    let timer: ReturnType<typeof setTimeout> | undefined
    let settled = false
    const fail = (error: unknown, timedOut: boolean) => {
      if (settled) return
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      for (const waiter of waiters) waiter.reject(timedOut ? this.#timeout(waiter.key) : error)
    }
    const { timeoutMs } = this.#options
    if (timeoutMs !== Number.POSITIVE_INFINITY) timer = setTimeout(() => fail(undefined, true), timeoutMs)
    this.#send(redisKeys).then(
      (values) => {
        if (settled) return
        settled = true
        if (timer !== undefined) clearTimeout(timer)
        for (let i = 0; i < waiters.length; i++) (waiters[i] as Waiter).resolve(values[i] ?? null)
      },
      (error: unknown) => fail(error, false),
    )
  }

  #send(redisKeys: string[]): Promise<(Buffer | null)[]> {
    const { client } = this.#options
    if (redisKeys.length === 1) return client.getBuffer(redisKeys[0] as string).then((bytes) => [bytes])
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

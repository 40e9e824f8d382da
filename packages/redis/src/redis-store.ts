import {
  assertStoreKey,
  type ByteStoreOptions,
  CacheConfigError,
  type CacheEntry,
  type CacheStore,
  CacheStoreError,
  CacheTimeoutError,
  type CircuitState,
  type CoordinationStore,
  checkOptionNames,
  type Duration,
  durationToMs,
  type EntryCodec,
  type ErrorHandler,
  invalidOption,
  isDead,
  optionNames,
  resolveByteStoreOptions,
  StoreCircuit,
  type StoreCircuitBreakerOption,
  safeReport,
  storeFailure,
  systemClock,
  withTimeout,
} from '@stratacache/core'
import type { ChainableCommander } from 'ioredis'
import { type BoundedCommands, type BoundedPipeline, defineBoundedCommands } from './bounded-scripts'
import { groupBySlot } from './cluster-slots'
import { type CoordinationCommands, defineCoordinationCommands } from './coordination-scripts'
import { type EvictionPolicy, readsTouchIndex, toEvictionPolicy } from './eviction-policy'
import { type KeyLayout, keyLayout } from './key-layout'
import { ReadBatcher } from './read-batcher'
import {
  closeClient,
  openConnection,
  type RedisClient,
  type RedisConnectionOptions,
} from './redis-connection'
import { toRedisMatch } from './redis-glob'
import { scanKeys } from './scan-keys'

/** Options of {@link RedisStore}. Give either `client` or `url`. */
export interface RedisStoreOptions extends RedisConnectionOptions, ByteStoreOptions {
  /**
   * Prepended to every key. Confines `clear()` and `deleteMatching()`: they never touch a key
   * outside it (glob characters in the prefix are matched literally). Include your separator.
   * A bounded store uses it as a Redis Cluster hash tag (see `maxEntries`), so there it must not be
   * empty nor start with `}` (`CacheConfigError`).
   * @defaultValue `'stratacache:'`
   * @example
   * ```ts
   * new RedisStore({ client, prefix: 'shop:v2:' })
   * ```
   */
  prefix?: string
  /**
   * Upper bound of every Redis call: past it the operation rejects with a `CacheTimeoutError`.
   * While the server is down, operations fail within this bound instead of queueing.
   * `Infinity` turns the bound off (then a client you pass decides on its own). A client you
   * pass with its own `commandTimeout` at most this bound is trusted with it, and the store arms no
   * timer per call (the fastest setup).
   * @defaultValue `'1s'`
   * @example
   * ```ts
   * new RedisStore({ url, operationTimeout: '250ms' })
   * ```
   */
  operationTimeout?: Duration
  /**
   * Bounds the store to this many entries, evicting by `policy` atomically (Lua) on each write.
   * Bounded stores keep an index (a sorted set) beside the entries and put the prefix in a
   * Redis Cluster hash tag, `{prefix}key`, so that entries and index share one slot.
   * Requires Redis 6.2+. Unbounded when absent (expiry alone limits the size).
   * @defaultValue unbounded
   * @example
   * ```ts
   * new RedisStore({ client, maxEntries: 10_000, policy: 'lfu' })
   * ```
   */
  maxEntries?: number
  /**
   * The circuit breaker in front of Redis: after `failureThreshold` consecutive failed calls
   * (errors or timeouts) the store stops calling Redis for `resetTimeout`, rejecting at once with
   * `CacheCircuitOpenError` (a `CacheStoreError`: `cache()` serves misses from the loader without
   * waiting for a timeout per call); then one trial call decides whether it closes. `false` turns
   * it off. The state is `circuitState`, reported to metrics by `instrument()`.
   * @defaultValue `{ failureThreshold: 5, resetTimeout: '10s' }`
   * @example
   * ```ts
   * new RedisStore({ url, circuitBreaker: { failureThreshold: 3, resetTimeout: '5s' } })
   * ```
   */
  circuitBreaker?: StoreCircuitBreakerOption
  /**
   * Which entry a bounded store evicts; only with `maxEntries`.
   * @defaultValue `'lru'`
   * @example
   * ```ts
   * new RedisStore({ client, maxEntries: 1000, policy: 'fifo' })
   * ```
   */
  policy?: EvictionPolicy
}

interface Bounded {
  readonly policy: EvictionPolicy
  readonly maxEntries: number
  readonly touchOnRead: boolean
}

type Client = RedisClient & BoundedCommands & CoordinationCommands

const DEFAULT_PREFIX = 'stratacache:'
const DEFAULT_OPERATION_TIMEOUT: Duration = '1s'
const IOREDIS_TIMEOUT_MESSAGE = 'Command timed out'
const STORE_NAME = 'redis'
/** The latest `PXAT` written (epoch ms, year ~287,000): well inside Redis' 64-bit range. */
const MAX_EXPIRY = 2 ** 53
const REDIS_STORE_OPTION_NAMES = optionNames<RedisStoreOptions>({
  client: true,
  url: true,
  prefix: true,
  operationTimeout: true,
  maxEntries: true,
  policy: true,
  serializer: true,
  readSerializers: true,
  compress: true,
  maxValueBytes: true,
  onError: true,
  circuitBreaker: true,
})

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/**
 * The `PXAT` of an entry, `undefined` for never. Absolute, so the time a command spends in
 * transit never extends an entry's life. Redis drops a key once its clock is *past* `PXAT`, so
 * `PXAT` is the last millisecond before `staleUntil`: Redis and `get()` agree on when an entry dies.
 */
function expiryOf(entry: CacheEntry): number | undefined {
  // Beyond MAX_EXPIRY Redis refuses the time ("out of range") and String() may print an exponent:
  // such an entry is kept without an expiry (get() still judges it by its staleUntil).
  return entry.staleUntil >= MAX_EXPIRY ? undefined : Math.ceil(entry.staleUntil) - 1
}

/** Whether an entry with this `PXAT` is dead already, so writing it means removing the key. */
function deadAt(expiresAt: number | undefined, now: number): boolean {
  return expiresAt !== undefined && expiresAt < now
}

function pxArgument(ms: number): string {
  return ms === Number.POSITIVE_INFINITY ? '' : String(Math.max(1, Math.ceil(ms)))
}

/** The `commandTimeout` a client bounds each of its commands by, if any. */
function commandTimeoutOf(client: RedisClient): number | undefined {
  const options = client.options as { commandTimeout?: number; redisOptions?: { commandTimeout?: number } }
  const timeout = client.isCluster ? options.redisOptions?.commandTimeout : options.commandTimeout
  return typeof timeout === 'number' && timeout > 0 ? timeout : undefined
}

/** The ioredis `keyPrefix` a client applies to every key, if any. */
function keyPrefixOf(client: RedisClient): string | undefined {
  const options = client.options as { keyPrefix?: string; redisOptions?: { keyPrefix?: string } }
  const prefix = client.isCluster ? options.redisOptions?.keyPrefix : options.keyPrefix
  return typeof prefix === 'string' && prefix !== '' ? prefix : undefined
}

/** Throws the first error of a pipeline's results. */
function pipelineResults(results: [Error | null, unknown][] | null): unknown[] {
  if (results === null) throw new Error('pipeline was discarded')
  return results.map(([error, value]) => {
    if (error !== null) throw error
    return value
  })
}

/** Validates `maxEntries`/`policy`: the eviction settings of a bounded store, or `undefined`. */
function boundedOptions(options: RedisStoreOptions, prefix: string): Bounded | undefined {
  const { maxEntries } = options
  if (maxEntries === undefined) {
    if (options.policy !== undefined) {
      throw invalidOption('RedisStore', 'policy', options.policy, 'no policy without `maxEntries`')
    }
    return undefined
  }
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw invalidOption('RedisStore', 'maxEntries', maxEntries, 'a positive integer')
  }
  if (prefix === '') {
    throw new CacheConfigError('RedisStore: a bounded store (`maxEntries`) needs a non-empty `prefix`', {
      option: 'prefix',
    })
  }
  if (prefix.startsWith('}')) {
    // `{}…}key` has an empty hash tag: Redis Cluster would hash each key whole, so a bounded
    // write (entry and index in one script) fails with CROSSSLOT. Refused on every server so
    // that a store moved to a Cluster keeps working.
    throw new CacheConfigError(
      `RedisStore: a bounded store's \`prefix\` becomes the Redis Cluster hash tag {prefix} and must not start with "}", got ${JSON.stringify(prefix)}`,
      { option: 'prefix' },
    )
  }
  const policy = toEvictionPolicy('RedisStore', options.policy)
  return { policy, maxEntries, touchOnRead: readsTouchIndex(policy) }
}

/**
 * A {@link CacheStore} on Redis or Redis Cluster (ioredis), with entries in core's binary entry
 * format and expiry delegated to Redis (`PXAT` the entry's `staleUntil`; Redis 6.2+, clocks in sync).
 *
 * - Concurrent `get`s are batched: the reads issued in one tick go out as one `MGET` (one per
 *   hash slot on a Cluster), bounded by one coarse timer shared by every batch in flight, so many
 *   calls in flight need no auto-pipelining on the client and arm no timer per call (see `ReadBatcher`).
 * - `getMany`/`setMany`/`deleteMany` take one round trip (`MGET`, a pipeline, `UNLINK`; split
 *   by hash slot on a Cluster), `setIfAbsent` is `SET NX PX`, `deleteMatching`/`clear` walk
 *   `SCAN` (every master of a Cluster) and `UNLINK` in batches, confined to `prefix`.
 * - Bytes that do not decode are a miss: reported to `onError`, then deleted.
 * - While Redis is down every call fails within `operationTimeout` with a `CacheStoreError` (or
 *   `CacheTimeoutError`); the store works again once Redis is back, without a new instance.
 * - With `maxEntries`, an exact bound enforced by Lua scripts under the chosen `policy`.
 * - Implements {@link CoordinationStore}, so `lock`, `once`, `pool` and `pooled` are atomic
 *   across processes (`SET NX PX`, Lua compare-and-delete, sorted-set pools).
 * - `close()` closes the connection only when the store opened it (`url`).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * const store = new RedisStore({ client: new Redis(), prefix: 'app:', operationTimeout: '500ms' })
 * const cached = cache({ store, ttl: '5m' })(loadUser)
 * ```
 */
export class RedisStore implements CacheStore, CoordinationStore {
  /** `'redis'`. */
  readonly name: string = STORE_NAME
  readonly #client: Client
  readonly #owned: boolean
  readonly #cluster: boolean
  readonly #codec: EntryCodec
  readonly #onError: ErrorHandler
  readonly #timeoutMs: number
  /** Whether calls need our own timer (not when ioredis bounds them within `operationTimeout`). */
  readonly #timed: boolean
  /** The bound ioredis applies itself (its "Command timed out"), for error messages. */
  readonly #clientTimeoutMs: number
  readonly #layout: KeyLayout
  readonly #bounded: Bounded | undefined
  readonly #circuit: StoreCircuit
  /** Coalesces the `get`s of one tick into one `MGET` (see {@link ReadBatcher}). */
  readonly #reads: ReadBatcher

  constructor(options: RedisStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw invalidOption('RedisStore', 'client', options, 'options with a client or a url')
    }
    checkOptionNames('RedisStore', options, REDIS_STORE_OPTION_NAMES)
    const prefix = options.prefix ?? DEFAULT_PREFIX
    if (typeof prefix !== 'string') throw invalidOption('RedisStore', 'prefix', prefix, 'a string')
    this.#timeoutMs = durationToMs(options.operationTimeout ?? DEFAULT_OPERATION_TIMEOUT, 'operationTimeout')
    if (this.#timeoutMs <= 0) {
      throw invalidOption('RedisStore', 'operationTimeout', options.operationTimeout, 'a duration above 0')
    }
    this.#bounded = boundedOptions(options, prefix)
    this.#circuit = new StoreCircuit('RedisStore', STORE_NAME, options.circuitBreaker)
    const { codec, onError } = resolveByteStoreOptions('RedisStore', options)
    this.#codec = codec
    this.#onError = onError
    const connection = openConnection('RedisStore', options, this.#timeoutMs)
    const clientPrefix = keyPrefixOf(connection.client)
    if (clientPrefix !== undefined) {
      // SCAN answers full key names that ioredis would prefix a second time: refuse rather than
      // let clear() and deleteMatching() miss keys.
      if (connection.owned) connection.client.disconnect()
      throw new CacheConfigError(
        `RedisStore: the client has the ioredis \`keyPrefix\` ${JSON.stringify(clientPrefix)}; pass a client without it and use the store's \`prefix\` option instead`,
        { option: 'client' },
      )
    }
    this.#owned = connection.owned
    // ioredis bounds each command itself when it has a `commandTimeout` within ours (always so for
    // a client created from `url`); otherwise the store arms a timer per call.
    const clientTimeout = commandTimeoutOf(connection.client)
    this.#timed =
      Number.isFinite(this.#timeoutMs) && !(clientTimeout !== undefined && clientTimeout <= this.#timeoutMs)
    this.#clientTimeoutMs = clientTimeout ?? this.#timeoutMs
    this.#cluster = connection.client.isCluster
    this.#client = defineCoordinationCommands(defineBoundedCommands(connection.client)) as Client
    this.#layout = keyLayout(prefix, this.#bounded !== undefined)
    this.#reads = new ReadBatcher({
      client: this.#client,
      cluster: this.#cluster,
      timeoutMs: this.#timed ? this.#timeoutMs : Number.POSITIVE_INFINITY,
      storeName: STORE_NAME,
    })
    // `get` admits its calls itself (see `get`): one `then` fewer on every hit.
    this.#circuit.guard(this, ['get'])
  }

  /** The circuit breaker's state: `'open'` while Redis is skipped (see `circuitBreaker`). */
  get circuitState(): CircuitState {
    return this.#circuit.state
  }

  /**
   * The Redis key under which this store keeps `key` (prefix applied), e.g. for inspection with
   * `redis-cli`.
   * @example
   * ```ts
   * new RedisStore({ client, prefix: 'app:' }).redisKey('user:1') // 'app:user:1'
   * ```
   */
  redisKey(key: string): string {
    return this.#redisKeyOf(key)
  }

  /** `key` in this store's namespace; a key holding a lone surrogate is refused (`CacheKeyError`). */
  #redisKeyOf(key: string): string {
    assertStoreKey(key, STORE_NAME)
    return this.#layout.entryPrefix + key
  }

  /** The live entry under `key`; a miss for absent, dead and undecodable entries. */
  get(key: string): Promise<CacheEntry | undefined> {
    let redisKey: string
    try {
      redisKey = this.#redisKeyOf(key)
    } catch (error) {
      return Promise.reject(error)
    }
    if (this.#bounded?.touchOnRead)
      return this.#circuit.run('get', key, () => this.#getTouching(key, redisKey))
    // The hit path: the circuit breaker is asked and told here, and the batch's reply settles the
    // promise returned (decoded synchronously unless compressed), with no promise in between.
    const circuit = this.#circuit
    const refusal = circuit.admit('get', key)
    if (refusal !== undefined) return Promise.reject(refusal)
    return new Promise<CacheEntry | undefined>((resolve, reject) => {
      this.#reads.enqueue(redisKey, {
        key,
        resolve: (bytes) => {
          circuit.succeeded()
          try {
            resolve(bytes === null ? undefined : this.#entryOf(bytes, key, redisKey))
          } catch (error) {
            reject(error) // never expected: a waiter must not throw into the batch
          }
        },
        reject: (error) => {
          const failure = this.#fail(error, 'get', key)
          circuit.failed(failure)
          reject(failure)
        },
      })
    })
  }

  /** `get` on a bounded store whose reads update the eviction index (a script per read). */
  async #getTouching(key: string, redisKey: string): Promise<CacheEntry | undefined> {
    const bounded = this.#bounded as Bounded
    let bytes: Buffer | null
    try {
      bytes = await this.#bound(
        this.#client.stratacacheBoundedGetBuffer(
          this.#layout.index,
          this.#layout.seq,
          this.#layout.expiries,
          redisKey,
          bounded.policy,
        ),
        'get',
        key,
      )
    } catch (error) {
      throw this.#fail(error, 'get', key)
    }
    return bytes === null ? undefined : this.#entryOf(bytes, key, redisKey)
  }

  /**
   * The live entry `bytes` hold, synchronously unless the payload is compressed; `undefined` for
   * a dead entry, and for bytes that do not decode (reported to `onError`, then deleted).
   */
  #entryOf(
    bytes: Buffer,
    key: string,
    redisKey: string,
  ): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    let entry: CacheEntry | undefined
    try {
      entry = this.#codec.decodeSync(bytes, key)
    } catch (error) {
      safeReport(this.#onError, error)
      return this.#dropCorrupt([redisKey]).then(() => undefined)
    }
    if (entry === undefined) return this.#inflated(bytes, key, redisKey)
    return isDead(entry, Date.now()) ? undefined : entry
  }

  /** {@link RedisStore.#entryOf} for a compressed payload. */
  async #inflated(bytes: Buffer, key: string, redisKey: string): Promise<CacheEntry | undefined> {
    const entry = await this.#codec.decodeOrMiss(bytes, key, this.#onError)
    if (entry === undefined) {
      await this.#dropCorrupt([redisKey])
      return undefined
    }
    return isDead(entry, Date.now()) ? undefined : entry
  }

  /** Stores `entry` under `key` expiring at its `staleUntil` (`PXAT`; never for `Infinity`). */
  async set(key: string, entry: CacheEntry): Promise<void> {
    const bytes = toBuffer(await this.#codec.encode(entry, key))
    const expiresAt = expiryOf(entry)
    const redisKey = this.#redisKeyOf(key)
    if (deadAt(expiresAt, Date.now())) {
      await this.#call('set', key, this.#unlink([redisKey]))
      return
    }
    await this.#call('set', key, this.#write(this.#client, redisKey, bytes, expiresAt) as Promise<unknown>)
  }

  /** Removes `key`; `true` if an entry existed. */
  async delete(key: string): Promise<boolean> {
    return (await this.#call('delete', key, this.#unlink([this.#redisKeyOf(key)]))) > 0
  }

  /** Whether an entry exists under `key` (does not count as a read for eviction). */
  async has(key: string): Promise<boolean> {
    return (await this.#call('has', key, this.#client.exists(this.#redisKeyOf(key)))) > 0
  }

  /** The entries under `keys`, in order, in one round trip (`MGET`; per slot on a Cluster). */
  async getMany(keys: string[]): Promise<(CacheEntry | undefined)[]> {
    if (keys.length === 0) return []
    const redisKeys = keys.map((key) => this.#redisKeyOf(key))
    let values: (Buffer | null)[]
    try {
      values = await this.#bound(this.#readMany(redisKeys), 'getMany')
    } catch (error) {
      throw this.#fail(error, 'getMany')
    }
    // Nil replies and uncompressed entries are answered synchronously; only a compressed or
    // corrupt entry (inflated, or deleted) leaves a promise to wait for.
    let pending = false
    const entries = values.map((bytes, i) => {
      if (bytes === null) return undefined
      const entry = this.#entryOf(bytes, keys[i] as string, redisKeys[i] as string)
      if (entry instanceof Promise) pending = true
      return entry
    })
    return pending ? Promise.all(entries) : (entries as (CacheEntry | undefined)[])
  }

  /** Stores every pair in one round trip (a pipeline; one per slot on a Cluster). */
  async setMany(items: [string, CacheEntry][]): Promise<void> {
    if (items.length === 0) return
    // Encode everything first: a value that cannot be encoded throws before anything is written.
    const encoded = await Promise.all(
      items.map(async ([key, entry]) => toBuffer(await this.#codec.encode(entry, key))),
    )
    const redisKeys = items.map(([key]) => this.#redisKeyOf(key))
    const now = Date.now()
    const writing = this.#inGroups(redisKeys, async (indexes) => {
      const pipeline = this.#client.pipeline() as BoundedPipeline
      for (const i of indexes) {
        const expiresAt = expiryOf((items[i] as [string, CacheEntry])[1])
        const redisKey = redisKeys[i] as string
        if (deadAt(expiresAt, now)) this.#queueUnlink(pipeline, [redisKey])
        else this.#write(pipeline, redisKey, encoded[i] as Buffer, expiresAt)
      }
      pipelineResults(await pipeline.exec())
      return 0
    })
    await this.#call('setMany', undefined, writing)
  }

  /** Removes every key in one round trip (`UNLINK`; per slot on a Cluster); resolves how many existed. */
  async deleteMany(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0
    return await this.#call('deleteMany', undefined, this.#unlink(keys.map((key) => this.#redisKeyOf(key))))
  }

  /** Stores `entry` only if no entry exists under `key` (`SET NX PX`); `true` for the one caller that wrote. */
  async setIfAbsent(key: string, entry: CacheEntry): Promise<boolean> {
    const bytes = toBuffer(await this.#codec.encode(entry, key))
    const expiresAt = expiryOf(entry)
    if (deadAt(expiresAt, Date.now())) return false
    const redisKey = this.#redisKeyOf(key)
    const bounded = this.#bounded
    const writing = bounded
      ? (this.#write(this.#client, redisKey, bytes, expiresAt, '1') as Promise<number>).then(
          (written) => written === 1,
        )
      : (expiresAt === undefined
          ? this.#client.set(redisKey, bytes, 'NX')
          : this.#client.set(redisKey, bytes, 'PXAT', expiresAt, 'NX')
        ).then((reply) => reply === 'OK')
    return await this.#call('setIfAbsent', key, writing)
  }

  /**
   * Removes every key of this store matching the glob (`*` any run, `?` one character, `\x` a
   * literal `x`) with `SCAN` + `UNLINK` in batches, on every master of a Cluster.
   */
  async deleteMatching(pattern: string): Promise<number> {
    assertStoreKey(pattern, STORE_NAME)
    if (typeof pattern !== 'string') {
      throw new CacheConfigError('RedisStore: deleteMatching needs a string pattern', { option: 'pattern' })
    }
    // Each SCAN and UNLINK step is bounded by `operationTimeout`, not the whole walk.
    return await this.#guard('deleteMatching', undefined, this.#deleteScanned(pattern))
  }

  /** Removes every key under this store's prefix (and a bounded store's index), nothing else. */
  async clear(): Promise<void> {
    await this.#guard(
      'clear',
      undefined,
      this.#deleteScanned('*').then(async () => {
        if (this.#bounded) {
          await this.#bound(
            this.#client.stratacacheBoundedPrune(this.#layout.index, this.#layout.seq, this.#layout.expiries),
            'clear',
          )
        }
      }),
    )
  }

  /** Closes the connection if the store opened it (`url`); a client you passed stays open. */
  async close(): Promise<void> {
    if (this.#owned) await closeClient(this.#client)
  }

  /** `SET key token NX PX ttl`: takes the lock when it is free. */
  async acquireLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    const redisKey = this.#redisKeyOf(key)
    const px = pxArgument(ttlMs)
    const reply = await this.#call(
      'acquireLock',
      key,
      px === '' ? this.#client.set(redisKey, token, 'NX') : this.#client.set(redisKey, token, 'PX', px, 'NX'),
    )
    return reply === 'OK'
  }

  /** Compare-and-delete in Lua: frees the lock only if `token` holds it. */
  async releaseLock(key: string, token: string): Promise<boolean> {
    const redisKey = this.#redisKeyOf(key)
    return (await this.#call('releaseLock', key, this.#client.stratacacheReleaseLock(redisKey, token))) === 1
  }

  /** Compare-and-`PEXPIRE` in Lua: extends the lock only if `token` holds it. */
  async extendLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    const redisKey = this.#redisKeyOf(key)
    const extending = this.#client.stratacacheExtendLock(redisKey, token, pxArgument(ttlMs))
    return (await this.#call('extendLock', key, extending)) === 1
  }

  /** The token holding the lock under `key`, if any. */
  async lockOwner(key: string): Promise<string | undefined> {
    const owner = await this.#call('lockOwner', key, this.#client.get(this.#redisKeyOf(key)))
    return owner ?? undefined
  }

  /** Takes a slot of the pool under `key` in Lua, never exceeding `maxSize` live slots. */
  async acquireSlot(key: string, maxSize: number, token: string, ttlMs: number): Promise<boolean> {
    const redisKey = this.#redisKeyOf(key)
    const acquiring = this.#client.stratacacheAcquireSlot(redisKey, maxSize, token, pxArgument(ttlMs))
    return (await this.#call('acquireSlot', key, acquiring)) === 1
  }

  /** Frees the slot `token` holds in the pool under `key`. */
  async releaseSlot(key: string, token: string): Promise<boolean> {
    const redisKey = this.#redisKeyOf(key)
    return (await this.#call('releaseSlot', key, this.#client.stratacacheReleaseSlot(redisKey, token))) === 1
  }

  /** How many live slots the pool under `key` holds. */
  async countSlots(key: string): Promise<number> {
    return await this.#call('countSlots', key, this.#client.stratacacheCountSlots(this.#redisKeyOf(key)))
  }

  /**
   * Sends the write of one entry (plain `SET`, or the bounded script, which alone honours
   * `onlyIfAbsent`) on `target`, a client (the reply is returned) or a pipeline (the command is queued).
   */
  #write(
    target: RedisClient | ChainableCommander,
    redisKey: string,
    bytes: Buffer,
    expiresAt: number | undefined,
    onlyIfAbsent: '0' | '1' = '0',
  ): unknown {
    const bounded = this.#bounded
    if (bounded) {
      return (target as unknown as BoundedCommands).stratacacheBoundedSet(
        this.#layout.index,
        this.#layout.seq,
        this.#layout.expiries,
        redisKey,
        bounded.policy,
        bounded.maxEntries,
        bytes,
        expiresAt === undefined ? '' : String(expiresAt),
        onlyIfAbsent,
        Date.now(),
      )
    }
    const client = target as RedisClient
    return expiresAt === undefined
      ? client.set(redisKey, bytes)
      : client.set(redisKey, bytes, 'PXAT', expiresAt)
  }

  #queueUnlink(pipeline: BoundedPipeline, redisKeys: string[]): void {
    if (this.#bounded) {
      pipeline.stratacacheBoundedDelete(
        redisKeys.length + 3,
        this.#layout.index,
        this.#layout.seq,
        this.#layout.expiries,
        ...redisKeys,
      )
    } else pipeline.unlink(...redisKeys)
  }

  /** Deletes Redis keys of this store (and their index members); resolves how many existed. */
  #unlink(redisKeys: string[]): Promise<number> {
    if (this.#bounded) {
      // A bounded store's keys all share one slot.
      return this.#client.stratacacheBoundedDelete(
        redisKeys.length + 3,
        this.#layout.index,
        this.#layout.seq,
        this.#layout.expiries,
        ...redisKeys,
      )
    }
    if (!this.#cluster) return this.#client.unlink(...redisKeys)
    return this.#inGroups(redisKeys, (indexes) =>
      this.#client.unlink(...indexes.map((i) => redisKeys[i] as string)),
    )
  }

  #readMany(redisKeys: string[]): Promise<(Buffer | null)[]> {
    const bounded = this.#bounded
    if (bounded?.touchOnRead) {
      const pipeline = this.#client.pipeline() as BoundedPipeline
      for (const redisKey of redisKeys) {
        pipeline.stratacacheBoundedGetBuffer(
          this.#layout.index,
          this.#layout.seq,
          this.#layout.expiries,
          redisKey,
          bounded.policy,
        )
      }
      return pipeline.exec().then((results) => pipelineResults(results) as (Buffer | null)[])
    }
    if (!this.#cluster) return this.#client.mgetBuffer(...redisKeys)
    const values: (Buffer | null)[] = new Array(redisKeys.length).fill(null)
    return this.#inGroups(redisKeys, async (indexes) => {
      const group = await this.#client.mgetBuffer(...indexes.map((i) => redisKeys[i] as string))
      for (let j = 0; j < indexes.length; j++) values[indexes[j] as number] = group[j] ?? null
      return 0
    }).then(() => values)
  }

  /**
   * Runs `run` once per group of keys that may share a command: one group of everything on a
   * standalone server (or a bounded store), one per hash slot on a Cluster; sums the results.
   */
  async #inGroups(redisKeys: string[], run: (indexes: number[]) => Promise<number>): Promise<number> {
    const groups =
      this.#cluster && !this.#bounded ? groupBySlot(redisKeys) : [Array.from(redisKeys, (_, i) => i)]
    const counts = await Promise.all(groups.map(run))
    return counts.reduce((sum, count) => sum + count, 0)
  }

  async #deleteScanned(pattern: string): Promise<number> {
    const prefix = this.#layout.entryPrefix
    const { match, filter } = toRedisMatch(prefix, pattern)
    let removed = 0
    for await (const keys of scanKeys(this.#client, match, (scanning) => this.#bound(scanning, 'scan'))) {
      const selected =
        filter === undefined ? keys : keys.filter((key) => filter.test(key.slice(prefix.length)))
      if (selected.length > 0) removed += await this.#bound(this.#unlink(selected), 'unlink')
    }
    return removed
  }

  async #dropCorrupt(redisKeys: string[]): Promise<void> {
    try {
      await this.#bound(this.#unlink(redisKeys), 'delete')
    } catch (error) {
      safeReport(this.#onError, this.#fail(error, 'delete'))
    }
  }

  #bound<T>(operation: Promise<T>, name: string, key?: string): Promise<T> {
    if (!this.#timed) return operation
    return withTimeout(operation, this.#timeoutMs, systemClock, { store: STORE_NAME, operation: name, key })
  }

  /** `running`, bounded by `operationTimeout`, rejecting with a `CacheStoreError`. */
  #call<T>(operation: string, key: string | undefined, running: Promise<T>): Promise<T> {
    return this.#guard(operation, key, this.#bound(running, operation, key))
  }

  /** `running`, rejecting with a `CacheStoreError` naming the operation. */
  async #guard<T>(operation: string, key: string | undefined, running: Promise<T>): Promise<T> {
    try {
      return await running
    } catch (error) {
      throw this.#fail(error, operation, key)
    }
  }

  /** The error a failed Redis call rejects with: a `CacheStoreError` naming store, operation and key. */
  #fail(error: unknown, operation: string, key?: string): CacheStoreError {
    if (CacheStoreError.isInstance(error)) return error
    const where = `redis ${operation}${key === undefined ? '' : ` of key ${JSON.stringify(key)}`}`
    const message = error instanceof Error ? error.message : String(error)
    if (message === IOREDIS_TIMEOUT_MESSAGE) {
      return new CacheTimeoutError(`${where} took longer than ${this.#clientTimeoutMs} ms`, {
        store: STORE_NAME,
        operation,
        key,
        timeoutMs: this.#clientTimeoutMs,
        cause: error,
      })
    }
    return storeFailure(error, { store: STORE_NAME, operation, key })
  }
}

import { systemClock, type TimerHandle } from '../clock'
import { safeReport } from '../instance-defaults'
import type { BlobBackend, BlobReadResult } from './blob-backend'
import { BlobNames } from './blob-names'
import { BlobObjects, type Liveness, metadataOf } from './blob-objects'
import {
  type BlobStoreOptions,
  type ResolvedBlobStoreOptions,
  resolveBlobStoreOptions,
} from './blob-store-options'
import type { CircuitState } from './circuit-breaker'
import { coarseNow } from './coarse-now'
import { isDead } from './entry'
import { globLiteralPrefix, globToRegExp, hasWildcard, unescapeGlob } from './glob'
import { mapWithConcurrency } from './map-with-concurrency'
import type { CacheEntry, CacheStore } from './store'
import { StoreCircuit } from './store-circuit'
import { assertStoreKey } from './store-key'

/** How many times `setIfAbsent` retries when the object changes under it. */
const MAX_CLAIM_ROUNDS = 3

/**
 * A {@link CacheStore} over any {@link BlobBackend}: the one place where byte stores keep their
 * semantics, so a backend (disk, S3, GCS, …) is a short file of I/O.
 *
 * - **Names.** A key becomes an object name below `prefix` that is safe on every backend (see
 *   `BlobNames`): a key spelled out when it fits in 1,024 bytes, else its start and a SHA-256.
 *   The key also travels inside the entry bytes (the codec's key section), so `deleteMatching`
 *   matches real keys; it lists only the names that can match a glob's literal prefix.
 * - **Freshness** is decided on read with `clock`; dead and undecodable entries are misses and
 *   are removed (undecodable ones reported to `onError` as `CacheSerializationError`s).
 * - **`setIfAbsent`** is a conditional create; a dead entry in the way is replaced only if it
 *   is still the version that was read, so exactly one caller wins, across processes when the
 *   backend has `conditionalWrites` (within this process otherwise).
 * - **Failures.** Every backend call is bounded by `operationTimeout` (its `AbortSignal` aborted
 *   when it passes) and fails with a `CacheStoreError` naming the store, operation and key.
 *
 * @example
 * ```ts
 * import { BlobStore } from '@stratacache/core'
 * import { MemoryBlobBackend } from '@stratacache/core/testing'
 * const store = new BlobStore(new MemoryBlobBackend(), { prefix: 'app/', compress: true })
 * await store.set('user:1', { value: 1, createdAt: 0, freshUntil: Infinity, staleUntil: Infinity })
 * ```
 */
export class BlobStore implements CacheStore {
  /** The backend's name, e.g. `'s3'`. */
  readonly name: string
  /** The backend this store drives. */
  readonly backend: BlobBackend
  /** Where this store's objects live in the backend. */
  readonly prefix: string
  readonly #options: ResolvedBlobStoreOptions
  readonly #names: BlobNames
  readonly #objects: BlobObjects
  /** Per-name queue of `setIfAbsent` calls, for backends without conditional writes. */
  readonly #claims = new Map<string, Promise<unknown>>()
  #pruneTimer: TimerHandle | undefined
  #runningPrune: Promise<number> | undefined
  #closed = false
  #closing: Promise<void> | undefined
  readonly #circuit: StoreCircuit
  /** The time a read judges freshness by: `coarseNow` on the system clock, else the injected clock. */
  readonly #now: () => number

  /**
   * @param backend - the object store
   * @param options - see {@link BlobStoreOptions}
   * @param subclass - for stores built on this one (`FileStore`): their name for error messages
   *   and every option name they accept
   * @throws `CacheConfigError` naming the option at fault, or an unknown option
   */
  constructor(
    backend: BlobBackend,
    options: BlobStoreOptions = {},
    subclass?: { owner: string; optionNames: readonly string[] },
  ) {
    this.#options = resolveBlobStoreOptions(
      subclass?.owner ?? `BlobStore(${backend?.name})`,
      options,
      subclass?.optionNames,
    )
    this.backend = backend
    this.name = backend.name
    this.prefix = this.#options.prefix
    const { clock } = this.#options
    this.#now = clock === systemClock ? coarseNow : () => clock.now()
    this.#names = new BlobNames(this.prefix)
    this.#objects = new BlobObjects(backend, this.#names, { ...this.#options, name: this.name })
    this.#circuit = new StoreCircuit(
      `BlobStore(${backend?.name})`,
      this.name,
      options.circuitBreaker,
      this.#options.clock,
    )
    // `get` admits its calls itself (see `#get`): no `then` of the breaker on a hit.
    this.#circuit.guard(this, ['get'])
    this.#schedulePrune()
  }

  /** The circuit breaker's state: `'open'` while the backend is skipped (see `circuitBreaker`). */
  get circuitState(): CircuitState {
    return this.#circuit.state
  }

  /**
   * The name of the object that holds `key`'s entry in the backend.
   *
   * @example
   * ```ts
   * new BlobStore(backend, { prefix: 'app/' }).objectNameOf('user:42') // 'app/user~3a42'
   * ```
   */
  objectNameOf(key: string): string {
    assertStoreKey(key, this.name)
    return this.#names.nameOf(key)
  }

  /** The live entry under `key`; dead and undecodable entries are misses (and are removed). */
  get(key: string): Promise<CacheEntry | undefined> {
    return this.#get(key, 'get', this.#circuit)
  }

  /** {@link BlobStore.get} for each key (up to `concurrency` at once), in order. */
  async getMany(keys: string[]): Promise<(CacheEntry | undefined)[]> {
    return mapWithConcurrency(keys, this.#options.concurrency, (key) => this.#get(key, 'getMany'))
  }

  /**
   * Whether a live entry exists under `key`, from object metadata or the entry's first bytes
   * (its payload is verified by `get`).
   */
  async has(key: string): Promise<boolean> {
    assertStoreKey(key, this.name)
    const name = this.#names.nameOf(key)
    const found = await this.#objects.liveness(name, undefined, 'has', key)
    await this.#objects.dropUnusable(name, found, 'has', key)
    return found.state === 'live'
  }

  /**
   * Writes the entry in one atomic backend write. An entry already dead is not written and
   * removes the previous one.
   * @throws `CacheSerializationError` naming the key when the value cannot be encoded (nothing is written)
   */
  async set(key: string, entry: CacheEntry): Promise<void> {
    await this.#set(key, entry, 'set')
  }

  /** {@link BlobStore.set} for each pair (up to `concurrency` at once); the last of a repeated key wins. */
  async setMany(items: [string, CacheEntry][]): Promise<void> {
    await mapWithConcurrency([...new Map(items)], this.#options.concurrency, ([key, entry]) =>
      this.#set(key, entry, 'setMany'),
    )
  }

  /** Removes `key`; `true` when it held a live entry. */
  async delete(key: string): Promise<boolean> {
    return (await this.#deleteKeys([key], 'delete')) === 1
  }

  /** Removes every key (each once); resolves how many held live entries. */
  async deleteMany(keys: string[]): Promise<number> {
    return this.#deleteKeys([...new Set(keys)], 'deleteMany')
  }

  /**
   * Writes the entry only when no live entry exists under `key`: a conditional create, or the
   * replacement of a dead or corrupt entry on condition that it is still the version read.
   */
  async setIfAbsent(key: string, entry: CacheEntry): Promise<boolean> {
    assertStoreKey(key, this.name)
    const bytes = await this.#options.codec.encode(entry, key, { embedKey: true })
    const name = this.#names.nameOf(key)
    if (this.backend.capabilities.conditionalWrites) return this.#claim(name, bytes, entry, key)
    const previous = this.#claims.get(name) ?? Promise.resolve()
    const claim = previous.then(() => this.#claim(name, bytes, entry, key))
    const settled = claim.catch(() => undefined)
    this.#claims.set(name, settled)
    settled.then(() => {
      if (this.#claims.get(name) === settled) this.#claims.delete(name)
    })
    return claim
  }

  async #claim(name: string, bytes: Uint8Array, entry: CacheEntry, key: string): Promise<boolean> {
    const metadata = metadataOf(entry)
    if (!this.backend.capabilities.conditionalWrites) {
      // Serialized per name by the caller: look, then write.
      const found = await this.#objects.liveness(name, undefined, 'setIfAbsent', key)
      if (found.state === 'live') return false
      if (found.state === 'corrupt') safeReport(this.#options.onError, found.error)
      await this.#objects.call('setIfAbsent', key, (call) =>
        this.backend.write(name, bytes, call.with({ metadata })),
      )
      return true
    }
    for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
      const created = await this.#objects.call('setIfAbsent', key, (call) =>
        this.backend.write(name, bytes, call.with({ ifAbsent: true, metadata })),
      )
      if (created) return true
      const found = await this.#objects.liveness(name, undefined, 'setIfAbsent', key)
      if (found.state === 'live') return false
      if (found.state === 'absent') continue
      if (found.version === undefined) {
        // No version to condition on: remove the dead entry, then try to create again.
        await this.#objects.dropUnusable(name, found, 'setIfAbsent', key)
        continue
      }
      if (found.state === 'corrupt') safeReport(this.#options.onError, found.error)
      const replaced = await this.#objects.call('setIfAbsent', key, (call) =>
        this.backend.write(name, bytes, call.with({ ifVersion: found.version, metadata })),
      )
      if (replaced) return true
    }
    return false
  }

  /**
   * Removes every key matching the glob (`*` any run, `?` one character, `\` escapes); resolves
   * how many live entries it removed. Lists only names that can match the glob's literal prefix.
   */
  async deleteMatching(pattern: string): Promise<number> {
    assertStoreKey(pattern, this.name)
    if (!hasWildcard(pattern)) return (await this.delete(unescapeGlob(pattern))) ? 1 : 0
    const matcher = globToRegExp(pattern)
    let removed = 0
    await this.#objects.forEachPage(
      this.#names.listPrefix(globLiteralPrefix(pattern)),
      'deleteMatching',
      async (page) => {
        const matched = await mapWithConcurrency(page, this.#options.concurrency, async (info) => {
          const key = await this.#objects.keyOf(info, 'deleteMatching')
          if (key === undefined || !matcher.test(key)) return undefined
          return {
            name: info.name,
            live: (await this.#objects.liveness(info.name, info, 'deleteMatching')).state === 'live',
          }
        })
        const doomed = matched.filter((found) => found !== undefined)
        await this.#objects.deleteNames(
          doomed.map((found) => found.name),
          'deleteMatching',
        )
        removed += doomed.filter((found) => found.live).length
      },
    )
    return removed
  }

  /** Removes every object this store named under its prefix, and nothing else. */
  async clear(): Promise<void> {
    await this.#objects.forEachPage(this.prefix, 'clear', async (page) => {
      const own = page.filter((info) => this.#names.keyOf(info.name) !== undefined)
      await this.#objects.deleteNames(
        own.map((info) => info.name),
        'clear',
      )
    })
  }

  /**
   * Deletes every dead or undecodable entry under the prefix (undecodable ones reported to
   * `onError`), a page at a time. Runs at most once at a time: a call during a sweep shares it.
   *
   * @returns how many entries were removed
   * @example
   * ```ts
   * const removed = await store.prune()
   * ```
   */
  prune(): Promise<number> {
    this.#runningPrune ??= this.#prune().finally(() => {
      this.#runningPrune = undefined
    })
    return this.#runningPrune
  }

  /**
   * Stops the `pruneInterval` timer, waits for a sweep in progress and for the backend calls in
   * flight (each within its `operationTimeout`: a write made just before closing still lands),
   * then closes the backend. Every call of `close()` resolves when all of that is done.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    this.#closed = true
    if (this.#pruneTimer !== undefined) this.#options.clock.clearTimeout(this.#pruneTimer)
    this.#pruneTimer = undefined
    await this.#runningPrune?.catch(() => undefined)
    await this.#objects.close()
    await this.backend.close?.()
  }

  // ---- reads -------------------------------------------------------------------------------

  /**
   * A read, with no promise but the one returned: the backend's reply is decoded (synchronously
   * unless compressed) and settles it. With `circuit` (`get`; `getMany` is guarded as a whole),
   * the read is admitted by the breaker and its outcome reported to it.
   */
  #get(key: string, operation: string, circuit?: StoreCircuit): Promise<CacheEntry | undefined> {
    let name: string
    try {
      assertStoreKey(key, this.name)
      name = this.#names.nameOf(key)
    } catch (error) {
      return Promise.reject(error)
    }
    const refusal = circuit?.admit(operation, key)
    if (refusal !== undefined) return Promise.reject(refusal)
    return new Promise<CacheEntry | undefined>((resolve, reject) => {
      this.#objects.read(
        name,
        operation,
        key,
        (found) => {
          circuit?.succeeded()
          try {
            resolve(found === undefined ? undefined : this.#entryOf(found, name, operation, key))
          } catch (error) {
            reject(error)
          }
        },
        (error) => {
          circuit?.failed(error)
          reject(error)
        },
      )
    })
  }

  /**
   * The live entry `found` holds, synchronously unless its payload is compressed; `undefined`
   * for a dead or undecodable entry, which is removed (the undecodable one reported).
   */
  #entryOf(
    found: BlobReadResult,
    name: string,
    operation: string,
    key: string,
  ): CacheEntry | undefined | Promise<CacheEntry | undefined> {
    let entry: CacheEntry | undefined
    try {
      entry = this.#options.codec.decodeSync(found.bytes, key)
    } catch (error) {
      return this.#drop(name, { state: 'corrupt', version: found.version, error }, operation, key)
    }
    if (entry === undefined) return this.#inflated(found, name, operation, key)
    if (!isDead(entry, this.#now())) return entry
    return this.#drop(name, { state: 'dead', version: found.version }, operation, key)
  }

  /** {@link BlobStore.#entryOf} for a compressed payload. */
  async #inflated(
    found: BlobReadResult,
    name: string,
    operation: string,
    key: string,
  ): Promise<CacheEntry | undefined> {
    let entry: CacheEntry
    try {
      entry = await this.#options.codec.decode(found.bytes, key)
    } catch (error) {
      return this.#drop(name, { state: 'corrupt', version: found.version, error }, operation, key)
    }
    if (!isDead(entry, this.#now())) return entry
    return this.#drop(name, { state: 'dead', version: found.version }, operation, key)
  }

  /** Removes an unusable entry (see `BlobObjects.dropUnusable`); a miss. */
  async #drop(name: string, found: Liveness, operation: string, key: string): Promise<undefined> {
    await this.#objects.dropUnusable(name, found, operation, key)
    return undefined
  }

  // ---- writes and removal ------------------------------------------------------------------

  async #set(key: string, entry: CacheEntry, operation: string): Promise<void> {
    assertStoreKey(key, this.name)
    const bytes = await this.#options.codec.encode(entry, key, { embedKey: true })
    const name = this.#names.nameOf(key)
    if (isDead(entry, this.#options.clock.now())) {
      // Nothing worth keeping; the previous entry must not survive the write either.
      await this.#objects.deleteNames([name], operation, key)
      return
    }
    await this.#objects.call(operation, key, (call) =>
      this.backend.write(name, bytes, call.with({ metadata: metadataOf(entry) })),
    )
  }

  async #deleteKeys(keys: string[], operation: string): Promise<number> {
    for (const key of keys) assertStoreKey(key, this.name)
    const single = keys.length === 1 ? keys[0] : undefined
    const found = await mapWithConcurrency(keys, this.#options.concurrency, async (key) => {
      const name = this.#names.nameOf(key)
      return { name, state: (await this.#objects.liveness(name, undefined, operation, key)).state }
    })
    const present = found.filter((item) => item.state !== 'absent')
    await this.#objects.deleteNames(
      present.map((item) => item.name),
      operation,
      single,
    )
    return present.filter((item) => item.state === 'live').length
  }

  // ---- sweeping ----------------------------------------------------------------------------

  async #prune(): Promise<number> {
    let removed = 0
    const stop = () => this.#closed
    await this.#objects.forEachPage(
      this.prefix,
      'prune',
      async (page) => {
        const own = page.filter((info) => this.#names.keyOf(info.name) !== undefined)
        const dropped = await mapWithConcurrency(own, this.#options.concurrency, async (info) => {
          if (this.#closed) return false
          return this.#objects.dropUnusable(
            info.name,
            await this.#objects.liveness(info.name, info, 'prune'),
            'prune',
          )
        })
        removed += dropped.filter(Boolean).length
      },
      stop,
    )
    return removed
  }

  #schedulePrune(): void {
    const intervalMs = this.#options.pruneIntervalMs
    if (intervalMs === undefined || this.#closed) return
    this.#pruneTimer = this.#options.clock.setTimeout(() => {
      this.#pruneTimer = undefined
      this.prune()
        .catch((error: unknown) => safeReport(this.#options.onError, error))
        .finally(() => this.#schedulePrune())
    }, intervalMs)
  }

  // ---- calls -------------------------------------------------------------------------------
}

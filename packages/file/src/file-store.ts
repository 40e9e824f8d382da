import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type ByteStoreOptions,
  CacheConfigError,
  type CacheEntry,
  CacheSerializationError,
  type CacheStore,
  CacheStoreError,
  type Clock,
  type CompressOptions,
  type Duration,
  durationToMs,
  ENTRY_TIMELINE_BYTES,
  type EntryCodec,
  globToRegExp,
  isDead,
  readEntryTimeline,
  resolveByteStoreOptions,
  systemClock,
  type TimerHandle,
} from '@stratacache/core'
import {
  type DecodedFrame,
  decodeFrame,
  encodeFrame,
  FRAME_PREFIX_BYTES,
  frameKeyLength,
} from './entry-frame'
import { type EntryLocation, hashKey, locateEntry, locateEntryFile, tempPathFor } from './entry-path'
import { errorCode, type FileStoreFileSystem, nodeFileSystem, readFileHead } from './file-system'
import { mapWithConcurrency } from './map-with-concurrency'
import { RecencyIndex, type ScannedFile } from './recency-index'
import { forEachInBatches, listShardDirs, walkOwnFiles } from './walk-own-files'

/**
 * Options of {@link FileStore}. The byte-format options (`serializer`, `compress`, `onError`)
 * are those of every byte store.
 */
export interface FileStoreOptions extends ByteStoreOptions {
  /**
   * Compress payloads: `true` gzips serialized values of at least 1 KiB (kept only when smaller);
   * an object tunes the threshold or the algorithm; `false` stores them as they are. Entries
   * record their compression, so files written with other settings stay readable.
   * @defaultValue true
   * @example
   * ```ts
   * new FileStore({ dir, compress: { minBytes: 4096 } })
   * ```
   */
  compress?: boolean | CompressOptions
  /**
   * The directory holding the entries (a path or a `file:` URL). Created on the first write when
   * missing. Use one directory per namespace: `clear()` empties the whole store.
   * @example
   * ```ts
   * new FileStore({ dir: '/var/cache/my-app' })
   * ```
   */
  dir: string | URL
  /**
   * Upper bound on the total size of the entry files, in bytes: after each write the least
   * recently used entries are deleted until the total fits. Recency is tracked in memory (reads
   * never write to disk); the index is built by scanning `dir` on the first write. An entry larger
   * than `maxBytes` is not stored (and any previous entry under its key is removed).
   *
   * Several processes sharing one `dir` each enforce the bound from their own view: a process
   * counts the files it wrote or read, plus those it found when it last scanned the directory
   * (at its first write and at every {@link FileStore.prune}), so with `pruneInterval` set the
   * total stays near the bound, and between scans it can exceed it by what the other processes wrote.
   * @defaultValue unbounded
   * @example
   * ```ts
   * new FileStore({ dir, maxBytes: 512 * 1024 * 1024 }) // 512 MiB
   * ```
   */
  maxBytes?: number
  /**
   * When set, runs {@link FileStore.prune} every `pruneInterval` (after the previous sweep
   * finished), on a timer that never keeps the process alive; `close()` stops it.
   * @defaultValue no periodic sweep (dead entries are still removed when read)
   * @example
   * ```ts
   * new FileStore({ dir, pruneInterval: '10m' })
   * ```
   */
  pruneInterval?: Duration
  /**
   * Before writing, compares the new bytes with the file on disk and skips the write when they
   * are identical (saving disk wear and mtime churn for writers that store the same entry again,
   * at the cost of a read per write).
   * @defaultValue false
   * @example
   * ```ts
   * new FileStore({ dir, dedupeWrites: true })
   * ```
   */
  dedupeWrites?: boolean
  /**
   * Flushes each written file to stable storage before renaming it into place, and the directory
   * after. Without it (the default) a write is still atomic for every reader, but after a power
   * loss or kernel crash a recently written entry may be missing or unreadable: such a file fails
   * the codec's checks and is treated as a miss (removed, reported to `onError`), so a cache loses
   * entries, never correctness. Turn it on when entries are expensive to recompute.
   * @defaultValue false
   * @example
   * ```ts
   * new FileStore({ dir, fsync: true })
   * ```
   */
  fsync?: boolean
  /**
   * The clock deciding when entries are dead. Tests pass a `ManualClock`.
   * @defaultValue systemClock
   * @example
   * ```ts
   * new FileStore({ dir, clock: new ManualClock() })
   * ```
   */
  clock?: Clock
  /**
   * The file system used, for tests that inject faults (`ENOSPC`, `EACCES`); see
   * {@link FileStoreFileSystem}.
   * @defaultValue nodeFileSystem (`node:fs/promises`)
   * @example
   * ```ts
   * new FileStore({ dir, fs: { ...nodeFileSystem, rename: failingRename } })
   * ```
   */
  fs?: FileStoreFileSystem
}

/** Files created by a write that never finished (a crashed process) are removed after this age. */
const ABANDONED_FILE_AGE_MS = 60_000
/** How many times a write creates a missing directory and tries again before giving up. */
const MAX_WRITE_ROUNDS = 3
/** At most this many files are read or written at once by the batch operations. */
const BATCH_CONCURRENCY = 16

/** Bytes read when the key is not known: enough for the frame and header of keys up to ~4 KiB. */
const DEFAULT_HEAD_BYTES = 4096

/** A temporary file written and not yet published, with the directories created for it. */
interface PendingWrite {
  temp: string
  shardDir: string
  /** The topmost directory `mkdir` created for the write, if it created any. */
  createdDir: string | undefined
}

type Corrupt = { state: 'corrupt'; error: unknown }
type Unusable = { state: 'dead' } | Corrupt
type FileState = { state: 'live'; entry: CacheEntry } | Unusable

const utf8 = new TextEncoder()
const utf8Length = (text: string): number => utf8.encode(text).length

/**
 * A {@link CacheStore} keeping one file per entry under a directory on the local disk.
 *
 * - **Layout.** A file holds a small frame (the key, so that `deleteMatching` can glob) around
 *   the core entry codec's bytes, byte-identical to what Redis, S3 or GCS stores hold. Its name
 *   is the SHA-256 of the key plus a sanitised readable prefix, in a two-level sharded tree
 *   (`ab/cd/user_42.<sha256>.entry`): no key can reach outside `dir`.
 * - **Atomic writes.** Every write goes to a temporary file in the same directory and is renamed
 *   over the entry, so readers (in any process) see the old entry or the new one, never a torn one.
 *   `setIfAbsent` publishes with `link()`, which fails when the entry exists: exactly one caller
 *   wins, across processes. A dead entry is reclaimed under a per-key lock file, so two callers
 *   never both win over it.
 * - **Expiry** is checked on read; dead and corrupt files are misses and are removed (corrupt ones
 *   reported to `onError`). {@link FileStore.prune} sweeps dead files in the background.
 * - **Errors** (read-only or missing directory, disk full, permission denied) are
 *   `CacheStoreError`s naming the operation and the path; a failed write leaves nothing behind.
 *
 * @example
 * ```ts
 * import { FileStore } from '@stratacache/file'
 * const store = new FileStore({ dir: '/var/cache/my-app', maxBytes: 1024 ** 3, pruneInterval: '15m' })
 * const getReport = cache({ ttl: '1h', key: 'report:{0}', store })(buildReport)
 * ```
 */
export class FileStore implements CacheStore {
  /** `'file'`. */
  readonly name = 'file'
  /** The absolute directory holding the entries. */
  readonly dir: string
  readonly #codec: EntryCodec
  readonly #onError: NonNullable<ByteStoreOptions['onError']>
  readonly #fs: FileStoreFileSystem
  readonly #clock: Clock
  readonly #maxBytes: number | undefined
  readonly #dedupeWrites: boolean
  readonly #fsync: boolean
  readonly #pruneIntervalMs: number | undefined
  /** Present only with `maxBytes`. */
  readonly #index: RecencyIndex | undefined
  #indexScan: Promise<void> | undefined
  #pruneTimer: TimerHandle | undefined
  #runningPrune: Promise<number> | undefined
  #closed = false

  constructor(options: FileStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new CacheConfigError('FileStore: options are required ({ dir })', { option: 'dir' })
    }
    this.dir = resolveDir(options.dir)
    const { codec, onError } = resolveByteStoreOptions('FileStore', {
      ...options,
      compress: options.compress ?? true,
    })
    this.#codec = codec
    this.#onError = onError
    this.#fs = options.fs ?? nodeFileSystem
    this.#clock = options.clock ?? systemClock
    this.#maxBytes = validateMaxBytes(options.maxBytes)
    this.#dedupeWrites = validateFlag(options.dedupeWrites, 'dedupeWrites')
    this.#fsync = validateFlag(options.fsync, 'fsync')
    this.#pruneIntervalMs = validatePruneInterval(options.pruneInterval)
    this.#index = this.#maxBytes === undefined ? undefined : new RecencyIndex()
    this.#schedulePrune()
  }

  /**
   * The live entry under `key`: reads and decodes its file. A dead file is a miss and is removed;
   * a corrupt one too, after its `CacheSerializationError` went to `onError`. With `maxBytes`,
   * the entry becomes the most recently used (in memory only).
   * @throws `CacheStoreError` when the file exists but cannot be read
   */
  async get(key: string): Promise<CacheEntry | undefined> {
    return this.#get(key, 'get')
  }

  /**
   * Whether a live entry exists under `key`, from the file's first bytes only (key and header
   * timeline; the payload is verified by `get`). Dead and unreadable files are removed as by `get`.
   */
  async has(key: string): Promise<boolean> {
    const location = locateEntry(this.dir, key)
    const found = await this.#inspectHead(location, key, 'has')
    if (found === undefined) return false
    if (found.state === 'live') return true
    await this.#dropUnusable(location, key, found, 'has')
    return false
  }

  /** {@link FileStore.get} for each key (up to 16 files read at once), in order. */
  async getMany(keys: string[]): Promise<(CacheEntry | undefined)[]> {
    return mapWithConcurrency(keys, BATCH_CONCURRENCY, (key) => this.#get(key, 'getMany'))
  }

  /**
   * Writes the entry atomically: a temporary file in the entry's directory, renamed over the
   * entry. An entry that is already dead (or larger than `maxBytes`) is not written, and removes
   * the previous one.
   * @throws `CacheSerializationError` naming the key when the value cannot be encoded (nothing is written)
   * @throws `CacheStoreError` naming the operation and path when the disk refuses the write (nothing is left behind)
   */
  async set(key: string, entry: CacheEntry): Promise<void> {
    await this.#set(key, entry, 'set')
  }

  /** {@link FileStore.set} for each pair (up to 16 files written at once). */
  async setMany(items: [string, CacheEntry][]): Promise<void> {
    // Writes run concurrently, so a key given twice is written once, with its last entry.
    const lastOfEach = [...new Map(items)]
    await mapWithConcurrency(lastOfEach, BATCH_CONCURRENCY, ([key, entry]) =>
      this.#set(key, entry, 'setMany'),
    )
  }

  /** Removes the entry file of `key`; `true` when it held a live entry. */
  async delete(key: string): Promise<boolean> {
    return this.#delete(locateEntry(this.dir, key), 'delete', key)
  }

  /** {@link FileStore.delete} for each key; resolves how many live entries were removed. */
  async deleteMany(keys: string[]): Promise<number> {
    const removed = await mapWithConcurrency([...new Set(keys)], BATCH_CONCURRENCY, (key) =>
      this.#delete(locateEntry(this.dir, key), 'deleteMany', key),
    )
    return removed.filter(Boolean).length
  }

  /**
   * Writes the entry only when no live entry exists, atomically across processes: the temporary
   * file is published with `link()`, which fails when the entry file exists. A dead or corrupt
   * entry in the way is removed under the key's lock file and the publication retried, so exactly
   * one of any number of concurrent callers (in any process on this host) resolves `true`.
   */
  async setIfAbsent(key: string, entry: CacheEntry): Promise<boolean> {
    const bytes = await this.#encode(key, entry)
    const location = locateEntry(this.dir, key)
    const pending = await this.#writeTemp(location, bytes, 'setIfAbsent', key)
    let won = false
    try {
      // Each round publishes, finds a live entry (a loss), or removes a dead one and tries again;
      // dead entries reappearing round after round (other writers) end as a loss.
      for (let round = 0; round < 3 && !won; round++) {
        won = await this.#linkExclusive(pending.temp, location, key)
        if (won) break
        const found = await this.#inspectHead(location, key, 'setIfAbsent')
        if (found?.state === 'live') return false
        if (found?.state === 'corrupt') this.#report(found.error)
        if (found !== undefined && !(await this.#reclaim(location, key, 'setIfAbsent'))) return false
      }
    } catch (error) {
      await this.#abandon(pending)
      throw error
    } finally {
      await this.#discard(pending.temp)
    }
    if (won) await this.#afterWrite(location, bytes.length, 'setIfAbsent', key)
    return won
  }

  /** Publishes `temp` as the entry only if there is none (`link` fails on an existing name). */
  async #linkExclusive(temp: string, location: EntryLocation, key: string): Promise<boolean> {
    try {
      await this.#fs.link(temp, location.path)
      return true
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false
      throw this.#storeError('setIfAbsent', 'link', location.path, error, key)
    }
  }

  /**
   * Removes every entry whose key matches the glob (`*` any run, `?` one character); resolves how
   * many live entries it removed. Walks the directory (the key is read from each file's first
   * bytes), a batch of files at a time.
   */
  async deleteMatching(pattern: string): Promise<number> {
    const matcher = globToRegExp(pattern)
    let removed = 0
    await this.#sweep('deleteMatching', this.#ownEntries(), async (location) => {
      const key = (await this.#inspectHead(location, undefined, 'deleteMatching'))?.key
      if (key !== undefined && matcher.test(key) && (await this.#delete(location, 'deleteMatching', key))) {
        removed++
      }
    })
    return removed
  }

  /**
   * Removes every entry file of this store, and temporary files abandoned by crashed writers,
   * then the shard directories left empty. Files this store did not create (any name outside its
   * `ab/cd/<name>.<sha256>.entry` scheme) are never touched.
   */
  async clear(): Promise<void> {
    const now = Date.now()
    await this.#sweep('clear', walkOwnFiles(this.#fs, this.dir), async (file) => {
      if (file.kind !== 'entry' && !(await this.#isAbandoned(file.path, now))) return
      await this.#unlink(file.path, 'clear')
    })
    this.#index?.clear()
    const shardDirs = await listShardDirs(this.#fs, this.dir).catch((error: unknown) => {
      throw this.#storeError('clear', 'scan', pathOf(error) ?? this.dir, error)
    })
    for (const shardDir of shardDirs) {
      await this.#fs.rmdir(shardDir).catch(() => undefined) // not empty (a user's file, a write in flight): kept
    }
  }

  /**
   * Deletes every dead or corrupt entry file (and files abandoned by crashed writers) under
   * `dir`, a batch at a time, yielding to the event loop between batches. With `maxBytes`, also
   * refreshes the size index from what it finds (picking up files written by other processes).
   * Runs at most once at a time: a call during a sweep shares it.
   *
   * @returns how many entry files were removed
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

  /** Stops the `pruneInterval` timer and waits for a sweep in progress to stop. */
  async close(): Promise<void> {
    this.#closed = true
    if (this.#pruneTimer !== undefined) this.#clock.clearTimeout(this.#pruneTimer)
    this.#pruneTimer = undefined
    await this.#runningPrune?.catch(() => undefined)
  }

  // ---- reads -------------------------------------------------------------------------------

  async #get(key: string, operation: string): Promise<CacheEntry | undefined> {
    const location = locateEntry(this.dir, key)
    const found = await this.#inspectFile(location, key, operation)
    if (found === undefined) return undefined
    if (found.state === 'live') {
      this.#index?.touch(location.path, found.size)
      return found.entry
    }
    await this.#dropUnusable(location, key, found, operation)
    return undefined
  }

  /** A dead or corrupt file was read: report the corruption, and remove the file (failures reported too). */
  async #dropUnusable(
    location: EntryLocation,
    key: string,
    found: Unusable,
    operation: string,
  ): Promise<void> {
    if (found.state === 'corrupt') this.#report(found.error)
    await this.#reclaim(location, key, operation).catch((error: unknown) => this.#report(error))
  }

  /**
   * Reads and fully decodes the entry file at `location`; `undefined` when there is none. With
   * `key`, the file must hold that key; without, a key hashing to the file's name.
   */
  async #inspectFile(
    location: EntryLocation,
    key: string | undefined,
    operation: string,
  ): Promise<(FileState & { size: number }) | undefined> {
    let bytes: Uint8Array
    try {
      bytes = await this.#fs.readFile(location.path)
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined
      throw this.#storeError(operation, 'read', location.path, error, key)
    }
    const frame = this.#frameOf(location, bytes, key)
    if (frame.state === 'corrupt') return { ...frame, size: bytes.length }
    try {
      const entry = await this.#codec.decode(frame.codecBytes, frame.key)
      const state: FileState = isDead(entry, this.#clock.now()) ? { state: 'dead' } : { state: 'live', entry }
      return { ...state, size: bytes.length }
    } catch (error) {
      return { state: 'corrupt', error, size: bytes.length }
    }
  }

  /**
   * Like {@link FileStore.#inspectFile} from the file's first bytes only (the key and the codec
   * header's timeline): a cheap liveness check that does not verify the payload. Also returns the
   * key held by the file.
   */
  async #inspectHead(
    location: EntryLocation,
    key: string | undefined,
    operation: string,
  ): Promise<((Unusable | { state: 'live' }) & { key?: string }) | undefined> {
    // With the key known, its length is too: one exact read (a file holding another key fails the
    // frame check). Without, a first guess, then a second read for long keys — bounded by the
    // file's real size, so a corrupt length field never makes us allocate gigabytes.
    const wanted =
      key === undefined ? DEFAULT_HEAD_BYTES : FRAME_PREFIX_BYTES + utf8Length(key) + ENTRY_TIMELINE_BYTES
    let head = await this.#readHead(location.path, wanted, operation, key)
    const keyLength = key !== undefined || head === undefined ? undefined : frameKeyLength(head)
    if (keyLength !== undefined && head !== undefined && head.length === wanted) {
      const needed = FRAME_PREFIX_BYTES + keyLength + ENTRY_TIMELINE_BYTES
      if (needed > wanted && needed <= (await this.#sizeOf(location.path, operation))) {
        head = await this.#readHead(location.path, needed, operation)
      }
    }
    if (head === undefined) return undefined
    const frame = this.#frameOf(location, head, key)
    if (frame.state === 'corrupt') return frame
    const timeline = readEntryTimeline(frame.codecBytes)
    if (timeline === undefined) {
      const error = new CacheSerializationError(
        `FileStore: "${location.path}" holds no valid entry header for key ${JSON.stringify(frame.key)}`,
        { key: frame.key },
      )
      return { state: 'corrupt', error, key: frame.key }
    }
    return { state: isDead(timeline, this.#clock.now()) ? 'dead' : 'live', key: frame.key }
  }

  /** The size of the file at `path`, `0` once it is gone. */
  async #sizeOf(path: string, operation: string): Promise<number> {
    return (await this.#scanned(path, operation))?.size ?? 0
  }

  async #readHead(
    path: string,
    length: number,
    operation: string,
    key?: string,
  ): Promise<Uint8Array | undefined> {
    try {
      return await readFileHead(this.#fs, path, length)
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined
      throw this.#storeError(operation, 'read', path, error, key)
    }
  }

  /** The frame of the file's bytes, when it is one and holds `key` (or, without `key`, a key matching the file name). */
  #frameOf(
    location: EntryLocation,
    bytes: Uint8Array,
    key: string | undefined,
  ): ({ state: 'framed' } & DecodedFrame) | (Corrupt & { key?: string }) {
    const frame = decodeFrame(bytes)
    if (
      frame !== undefined &&
      (key === undefined ? hashKey(frame.key) === location.hash : frame.key === key)
    ) {
      return { state: 'framed', ...frame }
    }
    const error = new CacheSerializationError(
      `FileStore: "${location.path}" is not an entry file${key === undefined ? '' : ` for key ${JSON.stringify(key)}`} (truncated or foreign)`,
      { key },
    )
    return { state: 'corrupt', error }
  }

  // ---- writes ------------------------------------------------------------------------------

  async #encode(key: string, entry: CacheEntry): Promise<Uint8Array> {
    return encodeFrame(key, await this.#codec.encode(entry, key))
  }

  async #set(key: string, entry: CacheEntry, operation: string): Promise<void> {
    const bytes = await this.#encode(key, entry)
    const location = locateEntry(this.dir, key)
    if (isDead(entry, this.#clock.now()) || (this.#maxBytes !== undefined && bytes.length > this.#maxBytes)) {
      // Nothing worth keeping; the previous entry must not survive the write either.
      await this.#unlink(location.path, operation, key)
      this.#index?.remove(location.path)
      return
    }
    if (this.#dedupeWrites && (await this.#sameBytesOnDisk(location.path, bytes))) {
      this.#index?.touch(location.path, bytes.length)
      return
    }
    const pending = await this.#writeTemp(location, bytes, operation, key)
    try {
      await this.#fs.rename(pending.temp, location.path)
    } catch (error) {
      await this.#abandon(pending)
      throw this.#storeError(operation, 'rename', location.path, error, key)
    }
    await this.#afterWrite(location, bytes.length, operation, key)
  }

  async #sameBytesOnDisk(path: string, bytes: Uint8Array): Promise<boolean> {
    try {
      const current = await this.#fs.readFile(path)
      return current.length === bytes.length && Buffer.compare(current, bytes) === 0
    } catch {
      return false // missing or unreadable: write
    }
  }

  /**
   * Writes `bytes` to a new temporary file next to the entry, creating the directories if needed.
   * A failed write leaves nothing behind: neither the partial file nor the directories it created.
   */
  async #writeTemp(
    location: EntryLocation,
    bytes: Uint8Array,
    operation: string,
    key: string,
  ): Promise<PendingWrite> {
    const pending: PendingWrite = {
      temp: tempPathFor(location),
      shardDir: location.shardDir,
      createdDir: undefined,
    }
    // A missing directory is created and the write retried; a concurrent `clear()` removing the
    // fresh, still empty directory in between costs another round.
    for (let round = 0; ; round++) {
      try {
        await this.#fs.writeFile(pending.temp, bytes, { flag: 'wx', flush: this.#fsync })
        return pending
      } catch (error) {
        await this.#abandon(pending)
        const code = errorCode(error)
        if ((code !== 'ENOENT' && code !== 'ENOTDIR') || round === MAX_WRITE_ROUNDS - 1) {
          throw this.#storeError(operation, 'write', pending.temp, error, key)
        }
      }
      try {
        const created = await this.#fs.mkdir(location.shardDir, { recursive: true })
        pending.createdDir ??= typeof created === 'string' ? created : undefined
      } catch (error) {
        throw this.#storeError(operation, 'create directory', location.shardDir, error, key)
      }
    }
  }

  /** Undoes a write that failed: removes its temporary file and the directories it created (if still empty). */
  async #abandon(pending: PendingWrite): Promise<void> {
    await this.#discard(pending.temp)
    const topmost = pending.createdDir
    if (topmost === undefined) return
    for (let dir = pending.shardDir; ; dir = dirname(dir)) {
      await this.#fs.rmdir(dir).catch(() => undefined) // not empty: someone else wrote there meanwhile
      if (dir === topmost || dirname(dir) === dir) return
    }
  }

  /** After an entry was published: directory flush, size accounting and eviction. */
  async #afterWrite(location: EntryLocation, size: number, operation: string, key: string): Promise<void> {
    if (this.#fsync) await this.#syncDir(location.shardDir, operation, key)
    const index = this.#index
    if (index === undefined || this.#maxBytes === undefined) return
    await this.#ensureIndexed(operation)
    index.touch(location.path, size)
    // The write itself succeeded: an eviction that fails is reported, not thrown.
    for (const victim of index.takeOverflow(this.#maxBytes)) {
      await this.#unlink(victim, 'evict').catch((error: unknown) => this.#report(error))
    }
  }

  async #syncDir(dir: string, operation: string, key: string): Promise<void> {
    try {
      const handle = await this.#fs.open(dir, 'r')
      try {
        await handle.sync()
      } finally {
        await handle.close()
      }
    } catch (error) {
      throw this.#storeError(operation, 'sync directory', dir, error, key)
    }
  }

  // ---- removal -----------------------------------------------------------------------------

  /**
   * Detaches the entry file (rename to a private name, so exactly the file removed is inspected)
   * and deletes it; `true` when it held a live entry.
   */
  async #delete(location: EntryLocation, operation: string, key: string): Promise<boolean> {
    const detached = tempPathFor(location)
    try {
      await this.#fs.rename(location.path, detached)
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false
      throw this.#storeError(operation, 'rename', location.path, error, key)
    }
    this.#index?.remove(location.path)
    try {
      const found = await this.#inspectHead({ ...location, path: detached }, key, operation)
      return found?.state === 'live'
    } finally {
      await this.#unlink(detached, operation, key)
    }
  }

  /**
   * Removes the entry file at `location` if it is (still) dead or corrupt, holding the key's lock
   * file meanwhile so that concurrent reclaimers (in any process) never remove a live entry that
   * another caller just published. `true` when the entry file is gone; `false` when it is live or
   * another process is reclaiming it right now.
   */
  async #reclaim(location: EntryLocation, key: string | undefined, operation: string): Promise<boolean> {
    const lock = await this.#takeLock(location, operation)
    if (lock !== 'taken') return lock === 'gone'
    try {
      const found = await this.#inspectFile(location, key, operation)
      if (found?.state === 'live') return false
      if (found !== undefined) {
        await this.#unlink(location.path, operation, key)
        this.#index?.remove(location.path)
      }
      return true
    } finally {
      await this.#discard(location.lockPath)
    }
  }

  /**
   * Takes the key's reclaim lock: `'taken'`, `'busy'` (another reclaimer holds it) or `'gone'`
   * (the shard directory no longer exists, and the entry with it).
   */
  async #takeLock(location: EntryLocation, operation: string): Promise<'taken' | 'busy' | 'gone'> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.#fs.writeFile(location.lockPath, utf8.encode(String(process.pid)), { flag: 'wx' })
        return 'taken'
      } catch (error) {
        const code = errorCode(error)
        if (code === 'ENOENT') return 'gone'
        if (code !== 'EEXIST') throw this.#storeError(operation, 'create lock', location.lockPath, error)
      }
      // Held: by a live reclaimer (give up, it decides), or left by a crashed process (break it).
      if (!(await this.#isAbandoned(location.lockPath, Date.now()))) return 'busy'
      await this.#discard(location.lockPath)
    }
    return 'busy'
  }

  /** Whether a temporary or lock file is old enough to have been left by a crashed process. */
  async #isAbandoned(path: string, now: number): Promise<boolean> {
    try {
      return now - (await this.#fs.stat(path)).mtimeMs > ABANDONED_FILE_AGE_MS
    } catch {
      return false
    }
  }

  async #unlink(path: string, operation: string, key?: string): Promise<void> {
    try {
      await this.#fs.unlink(path)
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw this.#storeError(operation, 'delete', path, error, key)
    }
  }

  /** Best-effort removal of a file of our own (temporary, detached, lock): failures are ignored. */
  async #discard(path: string): Promise<void> {
    await this.#fs.unlink(path).catch(() => undefined)
  }

  // ---- sweeping and the size index -----------------------------------------------------------

  async *#ownEntries(): AsyncGenerator<EntryLocation> {
    for await (const file of walkOwnFiles(this.#fs, this.dir)) {
      if (file.kind === 'entry') yield locateEntryFile(this.dir, file.hash, file.name)
    }
  }

  async #prune(): Promise<number> {
    const index = this.#index
    const scanStartedAt = index?.touchCounter ?? 0
    const scanned: ScannedFile[] = []
    const now = Date.now()
    let removed = 0
    await this.#sweep(
      'prune',
      walkOwnFiles(this.#fs, this.dir),
      async (file) => {
        if (file.kind !== 'entry') {
          if (await this.#isAbandoned(file.path, now)) await this.#discard(file.path)
          return
        }
        const location = locateEntryFile(this.dir, file.hash, file.name)
        const found = await this.#inspectHead(location, undefined, 'prune')
        if (found === undefined) return
        if (found.state === 'live') {
          const file = index === undefined ? undefined : await this.#scanned(location.path, 'prune')
          if (file !== undefined) scanned.push(file)
          return
        }
        if (found.state === 'corrupt') this.#report(found.error)
        if (await this.#reclaim(location, undefined, 'prune')) removed++
      },
      () => this.#closed,
    )
    if (index !== undefined && !this.#closed) index.reconcile(scanned, scanStartedAt)
    return removed
  }

  /** Size and modification time of an entry file for the size index; `undefined` once it is gone. */
  async #scanned(path: string, operation: string): Promise<ScannedFile | undefined> {
    try {
      const { size, mtimeMs } = await this.#fs.stat(path)
      return { path, size, mtimeMs }
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined
      throw this.#storeError(operation, 'stat', path, error)
    }
  }

  /** {@link forEachInBatches}, with failures of the directory walk reported as `CacheStoreError`s. */
  async #sweep<T>(
    operation: string,
    items: AsyncIterable<T>,
    task: (item: T) => Promise<void>,
    shouldStop?: () => boolean,
  ): Promise<void> {
    try {
      await forEachInBatches(items, task, shouldStop)
    } catch (error) {
      throw this.#storeError(operation, 'scan', pathOf(error) ?? this.dir, error)
    }
  }

  /** Builds the size index from a scan of `dir`, once (again after a failed scan). */
  async #ensureIndexed(operation: string): Promise<void> {
    this.#indexScan ??= this.#scanIndex(operation).catch((error: unknown) => {
      this.#indexScan = undefined
      throw this.#storeError(operation, 'scan', pathOf(error) ?? this.dir, error)
    })
    await this.#indexScan
  }

  async #scanIndex(operation: string): Promise<void> {
    const index = this.#index as RecencyIndex
    const scanStartedAt = index.touchCounter
    const scanned: ScannedFile[] = []
    await forEachInBatches(this.#ownEntries(), async (location) => {
      const file = await this.#scanned(location.path, operation)
      if (file !== undefined) scanned.push(file)
    })
    index.reconcile(scanned, scanStartedAt)
  }

  #schedulePrune(): void {
    const intervalMs = this.#pruneIntervalMs
    if (intervalMs === undefined || this.#closed) return
    this.#pruneTimer = this.#clock.setTimeout(() => {
      this.#pruneTimer = undefined
      this.prune()
        .catch((error: unknown) => this.#report(error))
        .finally(() => this.#schedulePrune())
    }, intervalMs)
  }

  /** Hands `error` to `onError`; a handler that throws must not break the operation that reported. */
  #report(error: unknown): void {
    try {
      this.#onError(error)
    } catch {
      // The user's handler failed on an error we were only reporting: nothing left to tell.
    }
  }

  #storeError(
    operation: string,
    action: string,
    path: string,
    cause: unknown,
    key?: string,
  ): CacheStoreError {
    if (CacheStoreError.isInstance(cause)) return cause
    const code = errorCode(cause)
    const detail = cause instanceof Error ? cause.message : String(cause)
    return new CacheStoreError(
      `FileStore ${operation}: cannot ${action} "${path}"${code === undefined ? '' : ` (${code})`}: ${detail}`,
      { store: this.name, operation, key, cause },
    )
  }
}

/** The path a Node.js file system error names, if any. */
function pathOf(error: unknown): string | undefined {
  const path = (error as { path?: unknown } | null)?.path
  return typeof path === 'string' ? path : undefined
}

function resolveDir(dir: unknown): string {
  if (dir instanceof URL) {
    if (dir.protocol !== 'file:') {
      throw new CacheConfigError(`FileStore: option "dir" must be a path or a file: URL, got ${dir.href}`, {
        option: 'dir',
      })
    }
    return fileURLToPath(dir)
  }
  if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) {
    throw new CacheConfigError('FileStore: option "dir" must be a non-empty directory path', {
      option: 'dir',
    })
  }
  return resolve(dir)
}

function validateMaxBytes(value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new CacheConfigError(
      `FileStore: option "maxBytes" must be a positive integer number of bytes, got ${String(value)}`,
      { option: 'maxBytes' },
    )
  }
  return value
}

function validateFlag(value: unknown, option: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') {
    throw new CacheConfigError(`FileStore: option "${option}" must be a boolean, got ${String(value)}`, {
      option,
    })
  }
  return value
}

function validatePruneInterval(value: Duration | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = durationToMs(value, 'pruneInterval')
  if (ms === 0 || ms === Number.POSITIVE_INFINITY) {
    throw new CacheConfigError(
      `FileStore: option "pruneInterval" must be a finite duration greater than 0, got ${String(value)}`,
      { option: 'pruneInterval' },
    )
  }
  return ms
}

import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  BLOB_STORE_OPTION_NAMES,
  BlobStore,
  type BlobStoreOptions,
  type CompressOptions,
  invalidOption,
  optionNames,
  storeFailure,
} from '@stratacache/core'
import { FileBackend } from './file-backend'
import { type FileStoreFileSystem, fsError, nodeFileSystem } from './file-system'
import { forEachInBatches, walkOwnFiles } from './file-walk'
import { RecencyIndex, type ScannedFile } from './recency-index'

/**
 * Options of {@link FileStore}: those of every `BlobStore` (`serializer`, `compress`,
 * `maxValueBytes`, `onError`, `operationTimeout`, `pruneInterval`, `clock`, …) but `prefix`
 * (the directory is the namespace), and those only a disk needs.
 */
export interface FileStoreOptions extends Omit<BlobStoreOptions, 'prefix'> {
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

const FILE_STORE_OPTION_NAMES = [
  ...BLOB_STORE_OPTION_NAMES.filter((name) => name !== 'prefix'),
  ...optionNames<Omit<FileStoreOptions, keyof BlobStoreOptions>>({
    dir: true,
    maxBytes: true,
    dedupeWrites: true,
    fsync: true,
    fs: true,
  }),
]

/**
 * A {@link BlobStore} keeping one file per entry under a directory on the local disk.
 *
 * - **Layout.** A file holds the core codec's bytes, byte-identical to what Redis, S3 or GCS
 *   hold (with the key in the codec's key section). Its path is the object name `BlobStore`
 *   gives the key, below a two-level fan-out (`ab/cd/user~3a42.blob`): no key can reach outside
 *   `dir`. Files of the format before `BlobStore` are never read (misses) and are removed by
 *   `clear()` and `prune()`.
 * - **Atomic writes.** Every write goes to a temporary file in the same directory and is renamed
 *   over the entry, so readers (in any process) see the old entry or the new one, never a torn one.
 *   `setIfAbsent` publishes with `link()`, which fails when the entry exists: exactly one caller
 *   wins, across processes. A dead entry is replaced or removed under a per-entry lock file, only
 *   if it is still the file that was read.
 * - **Expiry** is checked on read; dead and corrupt files are misses and are removed (corrupt ones
 *   reported to `onError`). {@link FileStore.prune} sweeps dead files in the background.
 * - **Errors** (read-only or missing directory, disk full, permission denied) are
 *   `CacheStoreError`s naming the operation and the path; a failed write leaves nothing behind.
 *   Every disk call is bounded by `operationTimeout`.
 *
 * @example
 * ```ts
 * import { FileStore } from '@stratacache/file'
 * const store = new FileStore({ dir: '/var/cache/my-app', maxBytes: 1024 ** 3, pruneInterval: '15m' })
 * const getReport = cache({ ttl: '1h', key: 'report:{0}', store })(buildReport)
 * ```
 */
export class FileStore extends BlobStore {
  /** The absolute directory holding the entries. */
  readonly dir: string
  readonly #fs: FileStoreFileSystem
  readonly #disk: FileBackend
  readonly #index: RecencyIndex | undefined
  #runningPrune: Promise<number> | undefined
  #closed = false

  /** @throws `CacheConfigError` naming the option at fault, or an unknown option */
  constructor(options: FileStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw invalidOption('FileStore', 'dir', options, 'options with a "dir"')
    }
    const dir = resolveDir(options.dir)
    const maxBytes = validMaxBytes(options.maxBytes)
    const index = maxBytes === undefined ? undefined : new RecencyIndex()
    const fs = options.fs ?? nodeFileSystem
    const disk = new FileBackend({
      dir,
      fs,
      sizeBound: index && maxBytes !== undefined ? { maxBytes, index } : undefined,
      dedupeWrites: validFlag(options.dedupeWrites, 'dedupeWrites'),
      fsync: validFlag(options.fsync, 'fsync'),
    })
    const {
      dir: _dir,
      maxBytes: _max,
      dedupeWrites: _dedupe,
      fsync: _fsync,
      fs: _fs,
      ...blobOptions
    } = options
    super(
      disk,
      { ...blobOptions, compress: options.compress ?? true },
      { owner: 'FileStore', optionNames: FILE_STORE_OPTION_NAMES },
    )
    this.dir = dir
    this.#fs = fs
    this.#disk = disk
    this.#index = index
  }

  /**
   * The path of the file that holds `key`'s entry (whether or not it exists).
   *
   * @example
   * ```ts
   * store.pathOf('user:42') // '/var/cache/app/3f/9c/user~3a42.blob'
   * ```
   */
  pathOf(key: string): string {
    return this.#disk.layout.pathOf(this.objectNameOf(key))
  }

  /**
   * Removes every entry file of this store, temporary files abandoned by crashed writers, files
   * of the format before `BlobStore`, and the directories left empty. Files this store did not
   * create are never touched.
   */
  override async clear(): Promise<void> {
    await super.clear()
    this.#index?.clear()
    await this.#sweepOwnFiles('clear', { removeEmptyDirs: true })
  }

  /**
   * Deletes every dead or corrupt entry file (and files abandoned by crashed writers, and files of
   * the format before `BlobStore`) under `dir`, a batch at a time, yielding to the event loop
   * between batches. With `maxBytes`, also refreshes the size index from what it finds (picking
   * up files written by other processes). Runs at most once at a time: a call during a sweep shares it.
   *
   * @returns how many entry files were removed
   * @example
   * ```ts
   * const removed = await store.prune()
   * ```
   */
  override prune(): Promise<number> {
    this.#runningPrune ??= (async () => {
      const scanStartedAt = this.#index?.touchCounter ?? 0
      const removed = await super.prune()
      const swept = await this.#sweepOwnFiles('prune', { removeEmptyDirs: false })
      if (this.#index !== undefined && !this.#closed) this.#index.reconcile(swept.objects, scanStartedAt)
      return removed + swept.legacyRemoved
    })().finally(() => {
      this.#runningPrune = undefined
    })
    return this.#runningPrune
  }

  /** Stops the `pruneInterval` timer and waits for a sweep in progress to stop. */
  override async close(): Promise<void> {
    this.#closed = true
    await super.close()
    await this.#runningPrune?.catch(() => undefined)
  }

  /** Removes abandoned temporary and lock files and old-format entries; lists the object files. */
  async #sweepOwnFiles(
    operation: string,
    { removeEmptyDirs }: { removeEmptyDirs: boolean },
  ): Promise<{ legacyRemoved: number; objects: ScannedFile[] }> {
    const writes = this.#disk.writes
    const now = Date.now()
    const objects: ScannedFile[] = []
    const emptied: string[] = []
    let legacyRemoved = 0
    try {
      await forEachInBatches(
        walkOwnFiles(this.#fs, this.dir),
        async (file) => {
          if (file.kind === 'directory') {
            if (removeEmptyDirs) emptied.push(file.path)
          } else if (file.kind === 'legacy') {
            await writes.unlink(file.path)
            legacyRemoved++
          } else if (file.kind === 'object') {
            if (this.#index === undefined) return
            const stats = await this.#fs.stat(file.path).catch(() => undefined)
            if (stats !== undefined)
              objects.push({ path: file.path, size: stats.size, mtimeMs: stats.mtimeMs })
          } else if (await writes.isAbandoned(file.path, now)) {
            await writes.discard(file.path)
          }
        },
        () => this.#closed && operation === 'prune',
      )
      // Deepest first (a directory comes after its contents), then the first fan-out level.
      // A directory that is not empty (a user's file, a write in flight) is kept.
      const fanOut = new Set(emptied.map(dirname).filter((parent) => dirname(parent) === this.dir))
      for (const dir of [...emptied, ...fanOut]) await this.#fs.rmdir(dir).catch(() => undefined)
    } catch (error) {
      throw storeFailure(fsError('scan', this.dir, error), { store: this.name, operation })
    }
    return { legacyRemoved, objects }
  }
}

function resolveDir(dir: unknown): string {
  if (dir instanceof URL) {
    if (dir.protocol !== 'file:') throw invalidOption('FileStore', 'dir', dir.href, 'a path or a file: URL')
    return fileURLToPath(dir)
  }
  if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) {
    throw invalidOption('FileStore', 'dir', dir, 'a non-empty directory path (no NUL) or a file: URL')
  }
  return resolve(dir)
}

function validMaxBytes(value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalidOption('FileStore', 'maxBytes', value, 'a positive integer number of bytes')
  }
  return value
}

function validFlag(value: unknown, option: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw invalidOption('FileStore', option, value, 'a boolean')
  return value
}

import type {
  BlobBackend,
  BlobInfo,
  BlobPage,
  BlobReadOptions,
  BlobReadResult,
  BlobWriteOptions,
} from '@stratacache/core'
import { DiskWrites } from './disk-writes'
import { FileLayout } from './file-layout'
import { errorCode, type FileStoreFileSystem, fsError, readWithStats, versionOf } from './file-system'
import { forEachInBatches, listShardDirs, objectsInShard } from './file-walk'
import type { RecencyIndex, ScannedFile } from './recency-index'

/** Options of {@link FileBackend}. */
export interface FileBackendOptions {
  /** The absolute directory holding the objects. */
  dir: string
  /** The file system to use. */
  fs: FileStoreFileSystem
  /** With `maxBytes`: the index of object files by recency, enforcing the bound after each write. */
  sizeBound?: { maxBytes: number; index: RecencyIndex }
  /** Skip writing bytes identical to the file's. */
  dedupeWrites: boolean
  /** Flush files and directories to stable storage on write. */
  fsync: boolean
}

/** Objects listed per page, at least (whole shard directories are listed at once). */
const PAGE_SIZE = 1000

/**
 * A `BlobBackend` over a local directory: atomic writes (temporary file, then `rename` or
 * `link`), conditional replacement and removal under a per-object lock file, range reads, a
 * two-level fan-out by the hash of the name, and, with a size bound, eviction of the least
 * recently used objects after each write. `FileStore` is a `BlobStore` over it.
 *
 * @example
 * ```ts
 * const backend = new FileBackend({ dir: '/var/cache/app', fs: nodeFileSystem, dedupeWrites: false, fsync: false })
 * const store = new BlobStore(backend, { prefix: 'app/' })
 * ```
 */
export class FileBackend implements BlobBackend {
  /** `'file'`. */
  readonly name = 'file'
  /** Conditional writes (`link`, lock files) and range reads; no metadata. */
  readonly capabilities = { conditionalWrites: true, metadata: false, rangeReads: true }
  /** Files removed at once by one `delete` call. */
  readonly maxDeleteBatch = 64
  /** Where objects live on disk. */
  readonly layout: FileLayout
  readonly #fs: FileStoreFileSystem
  readonly #writes: DiskWrites
  readonly #sizeBound: FileBackendOptions['sizeBound']
  readonly #dedupeWrites: boolean
  #indexScan: Promise<void> | undefined

  constructor(options: FileBackendOptions) {
    this.layout = new FileLayout(options.dir)
    this.#fs = options.fs
    this.#writes = new DiskWrites(options.fs, this.layout, options.fsync)
    this.#sizeBound = options.sizeBound
    this.#dedupeWrites = options.dedupeWrites
  }

  /** The disk operations, for `FileStore`'s sweeps. */
  get writes(): DiskWrites {
    return this.#writes
  }

  async read(name: string, options: BlobReadOptions = {}): Promise<BlobReadResult | undefined> {
    const path = this.layout.pathOf(name)
    const found = await readWithStats(this.#fs, path, options.maxBytes)
    if (found === undefined) return undefined
    if (options.maxBytes === undefined) this.#sizeBound?.index.touch(path, found.stats.size)
    return { bytes: found.bytes, version: versionOf(found.stats) }
  }

  async head(name: string): Promise<BlobInfo | undefined> {
    const path = this.layout.pathOf(name)
    const stats = await this.#statOrUndefined(path, 'stat')
    return stats && { name, size: stats.size, version: versionOf(stats) }
  }

  async write(name: string, bytes: Uint8Array, options: BlobWriteOptions = {}): Promise<boolean> {
    const path = this.layout.pathOf(name)
    const conditional = options.ifAbsent === true || options.ifVersion !== undefined
    const bound = this.#sizeBound
    if (bound !== undefined && bytes.length > bound.maxBytes) {
      // Never stored; the previous object must not survive an unconditional write either.
      if (conditional) return false
      await this.#remove(path)
      return true
    }
    if (!conditional && this.#dedupeWrites && (await this.#sameBytesOnDisk(path, bytes))) {
      bound?.index.touch(path, bytes.length)
      return true
    }
    const pending = await this.#writes.writeTemp(path, bytes)
    let written = true
    if (options.ifAbsent === true) written = await this.#writes.create(pending, path)
    else if (options.ifVersion !== undefined)
      written = await this.#replaceIfVersion(pending, path, options.ifVersion)
    else await this.#writes.replace(pending, path)
    if (written) await this.#afterWrite(path, bytes.length)
    return written
  }

  async delete(names: string[]): Promise<void> {
    await Promise.all(names.map((name) => this.#remove(this.layout.pathOf(name))))
  }

  async deleteIfVersion(name: string, version: string): Promise<boolean> {
    const path = this.layout.pathOf(name)
    return this.#writes.underLock(path, async () => {
      const stats = await this.#statOrUndefined(path, 'stat')
      if (stats === undefined || versionOf(stats) !== version) return false
      await this.#remove(path)
      return true
    })
  }

  /** Lists whole shard directories, in order, until a page holds at least {@link PAGE_SIZE} objects. */
  async list(prefix: string, cursor?: string): Promise<BlobPage> {
    const objects: BlobInfo[] = []
    const shards = await this.#shards()
    let next = cursor === undefined ? 0 : shards.findIndex((shard) => shard > cursor)
    if (next < 0) return { objects }
    for (; next < shards.length && objects.length < PAGE_SIZE; next++) {
      const shard = shards[next] as string
      try {
        for (const found of await objectsInShard(this.#fs, this.layout, shard, prefix)) {
          objects.push({ name: found.name })
        }
      } catch (error) {
        throw fsError('scan', shard, error)
      }
    }
    return next < shards.length ? { objects, cursor: shards[next - 1] } : { objects }
  }

  /** Builds the size index from a scan of the directory, once (again after a failed scan). */
  async #ensureIndexed(index: RecencyIndex): Promise<void> {
    this.#indexScan ??= this.#scanIndex(index).catch((error: unknown) => {
      this.#indexScan = undefined
      throw error
    })
    await this.#indexScan
  }

  async #scanIndex(index: RecencyIndex): Promise<void> {
    const scanStartedAt = index.touchCounter
    const scanned: ScannedFile[] = []
    const shards = await this.#shards()
    await forEachInBatches(arrayIterable(shards), async (shard) => {
      for (const { path } of await objectsInShard(this.#fs, this.layout, shard, '').catch(
        (error: unknown) => {
          throw fsError('scan', shard, error)
        },
      )) {
        const stats = await this.#statOrUndefined(path, 'scan')
        if (stats !== undefined) scanned.push({ path, size: stats.size, mtimeMs: stats.mtimeMs })
      }
    })
    index.reconcile(scanned, scanStartedAt)
  }

  /** After an object was published: size accounting and eviction. */
  async #afterWrite(path: string, size: number): Promise<void> {
    const bound = this.#sizeBound
    if (bound === undefined) return
    await this.#ensureIndexed(bound.index)
    bound.index.touch(path, size)
    // The write itself succeeded: evicting is best effort (a victim that will not go stays on disk).
    for (const victim of bound.index.takeOverflow(bound.maxBytes)) await this.#writes.discard(victim)
  }

  async #replaceIfVersion(
    pending: Awaited<ReturnType<DiskWrites['writeTemp']>>,
    path: string,
    version: string,
  ): Promise<boolean> {
    const replaced = await this.#writes.underLock(path, async () => {
      const stats = await this.#statOrUndefined(path, 'stat')
      if (stats === undefined || versionOf(stats) !== version) return false
      await this.#writes.replace(pending, path)
      return true
    })
    if (!replaced) await this.#writes.abandon(pending)
    return replaced
  }

  async #remove(path: string): Promise<void> {
    await this.#writes.unlink(path)
    this.#sizeBound?.index.remove(path)
  }

  async #sameBytesOnDisk(path: string, bytes: Uint8Array): Promise<boolean> {
    try {
      const current = await this.#fs.readFile(path)
      return current.length === bytes.length && Buffer.compare(current, bytes) === 0
    } catch {
      return false // missing or unreadable: write
    }
  }

  async #shards(): Promise<string[]> {
    try {
      return await listShardDirs(this.#fs, this.layout.dir)
    } catch (error) {
      throw fsError('scan', this.layout.dir, error)
    }
  }

  async #statOrUndefined(path: string, action: string) {
    try {
      return await this.#fs.stat(path)
    } catch (error) {
      const code = errorCode(error)
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
      throw fsError(action, path, error)
    }
  }
}

async function* arrayIterable<T>(items: T[]): AsyncGenerator<T> {
  yield* items
}

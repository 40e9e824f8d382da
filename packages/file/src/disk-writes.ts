import { dirname } from 'node:path'
import type { FileLayout } from './file-layout'
import { errorCode, type FileStoreFileSystem, fsError } from './file-system'

/** Temporary and lock files older than this were left by a crashed process. */
export const ABANDONED_FILE_AGE_MS = 60_000
/** How many times a write creates a missing directory and tries again before giving up. */
const MAX_WRITE_ROUNDS = 3

/** A temporary file written and not yet published, with the directories created for it. */
export interface PendingWrite {
  temp: string
  dir: string
  /** The topmost directory `mkdir` created for the write, if it created any. */
  createdDir: string | undefined
}

/**
 * How `FileStore` changes files atomically: every write goes to a temporary file next to its
 * target and is published by `rename` (replace) or `link` (create only if absent); a conditional
 * replace or removal holds the target's lock file, so concurrent reclaimers (in any process)
 * never both act on one dead object.
 */
export class DiskWrites {
  readonly #fs: FileStoreFileSystem
  readonly #layout: FileLayout
  readonly #fsync: boolean

  constructor(fs: FileStoreFileSystem, layout: FileLayout, fsync: boolean) {
    this.#fs = fs
    this.#layout = layout
    this.#fsync = fsync
  }

  /**
   * Writes `bytes` to a new temporary file next to `path`, creating the directories if needed.
   * A failed write leaves nothing behind: neither the partial file nor the directories it created.
   */
  async writeTemp(path: string, bytes: Uint8Array): Promise<PendingWrite> {
    const pending: PendingWrite = {
      temp: this.#layout.tempPathFor(path),
      dir: dirname(path),
      createdDir: undefined,
    }
    // A missing directory is created and the write retried; a concurrent `clear()` removing the
    // fresh, still empty directory in between costs another round.
    for (let round = 0; ; round++) {
      try {
        await this.#fs.writeFile(pending.temp, bytes, { flag: 'wx', flush: this.#fsync })
        return pending
      } catch (error) {
        await this.abandon(pending)
        const code = errorCode(error)
        if ((code !== 'ENOENT' && code !== 'ENOTDIR') || round === MAX_WRITE_ROUNDS - 1) {
          throw fsError('write', pending.temp, error)
        }
      }
      try {
        const created = await this.#fs.mkdir(pending.dir, { recursive: true })
        pending.createdDir ??= typeof created === 'string' ? created : undefined
      } catch (error) {
        throw fsError('create directory', pending.dir, error)
      }
    }
  }

  /** Publishes `pending` as `path`, replacing any file there. */
  async replace(pending: PendingWrite, path: string): Promise<void> {
    try {
      await this.#fs.rename(pending.temp, path)
    } catch (error) {
      await this.abandon(pending)
      throw fsError('rename', path, error)
    }
    await this.#afterPublish(pending)
  }

  /** Publishes `pending` as `path` only if there is no file there (`link` fails on an existing name). */
  async create(pending: PendingWrite, path: string): Promise<boolean> {
    try {
      await this.#fs.link(pending.temp, path)
    } catch (error) {
      await this.abandon(pending)
      if (errorCode(error) === 'EEXIST') return false
      throw fsError('link', path, error)
    }
    await this.discard(pending.temp)
    await this.#afterPublish(pending)
    return true
  }

  /**
   * Runs `action` holding the lock file of `path`; `false` without running it when another
   * process holds the lock right now (it decides) or the directory is gone.
   */
  async underLock(path: string, action: () => Promise<boolean>): Promise<boolean> {
    const lock = this.#layout.lockPathFor(path)
    const taken = await this.#takeLock(lock)
    if (!taken) return false
    try {
      return await action()
    } finally {
      await this.discard(lock)
    }
  }

  async #takeLock(lock: string): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.#fs.writeFile(lock, new TextEncoder().encode(String(process.pid)), { flag: 'wx' })
        return true
      } catch (error) {
        const code = errorCode(error)
        if (code === 'ENOENT') return false
        if (code !== 'EEXIST') throw fsError('create lock', lock, error)
      }
      // Held: by a live reclaimer (give up, it decides), or left by a crashed process (break it).
      if (!(await this.isAbandoned(lock, Date.now()))) return false
      await this.discard(lock)
    }
    return false
  }

  /** Undoes a write that failed: removes its temporary file and the directories it created (if still empty). */
  async abandon(pending: PendingWrite): Promise<void> {
    await this.discard(pending.temp)
    const topmost = pending.createdDir
    if (topmost === undefined) return
    for (let dir = pending.dir; ; dir = dirname(dir)) {
      await this.#fs.rmdir(dir).catch(() => undefined) // not empty: someone else wrote there meanwhile
      if (dir === topmost || dirname(dir) === dir) return
    }
  }

  /** Removes `path`; a missing file is fine. */
  async unlink(path: string): Promise<void> {
    try {
      await this.#fs.unlink(path)
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw fsError('delete', path, error)
    }
  }

  /** Best-effort removal of a file of our own (temporary, lock): failures are ignored. */
  async discard(path: string): Promise<void> {
    await this.#fs.unlink(path).catch(() => undefined)
  }

  /** Whether a temporary or lock file is old enough to have been left by a crashed process. */
  async isAbandoned(path: string, now: number): Promise<boolean> {
    try {
      return now - (await this.#fs.stat(path)).mtimeMs > ABANDONED_FILE_AGE_MS
    } catch {
      return false
    }
  }

  async #afterPublish(pending: PendingWrite): Promise<void> {
    if (!this.#fsync) return
    try {
      const handle = await this.#fs.open(pending.dir, 'r')
      try {
        await handle.sync()
      } finally {
        await handle.close()
      }
    } catch (error) {
      throw fsError('sync directory', pending.dir, error)
    }
  }
}

import * as fsPromises from 'node:fs/promises'

/** What `FileStore` reads of a file's status. */
export interface FileStoreStats {
  size: number
  mtimeMs: number
  /** Changes whenever the file is replaced (every write renames a new file into place). */
  ino: number
}

/** An open file, as far as `FileStore` uses one. */
export interface FileStoreFileHandle {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>
  stat(): Promise<FileStoreStats>
  sync(): Promise<void>
  close(): Promise<void>
}

/**
 * The part of `node:fs/promises` that `FileStore` uses. The store takes it as an option so that
 * tests can inject faults a real disk rarely shows on demand (`ENOSPC`, `EACCES` when running as
 * root); production code leaves the default, {@link nodeFileSystem}.
 *
 * @example
 * ```ts
 * const diskFull: FileStoreFileSystem = {
 *   ...nodeFileSystem,
 *   writeFile: async () => { throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }) },
 * }
 * ```
 */
export interface FileStoreFileSystem {
  readFile(path: string): Promise<Uint8Array>
  writeFile(path: string, data: Uint8Array, options: { flag: 'wx'; flush?: boolean }): Promise<void>
  open(path: string, flags: 'r'): Promise<FileStoreFileHandle>
  rename(oldPath: string, newPath: string): Promise<void>
  link(existingPath: string, newPath: string): Promise<void>
  unlink(path: string): Promise<void>
  readdir(path: string): Promise<string[]>
  stat(path: string): Promise<FileStoreStats>
  mkdir(path: string, options: { recursive: true }): Promise<unknown>
  rmdir(path: string): Promise<void>
}

/** The real file system (`node:fs/promises`), the default of `FileStore`'s `fs` option. */
export const nodeFileSystem: FileStoreFileSystem = fsPromises

/** The `code` of a Node.js system error (`'ENOENT'`, `'EEXIST'`, ...), or `undefined`. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/**
 * The version of a file for `BlobBackend` conditions: it changes whenever the file is replaced
 * (each write renames a new inode into place) or rewritten.
 */
export function versionOf(stats: FileStoreStats): string {
  return `${stats.ino}:${stats.mtimeMs}:${stats.size}`
}

/** An error of a file system call, saying what was attempted on which path; keeps the `code`. */
export function fsError(action: string, path: string, cause: unknown): Error {
  const code = errorCode(cause)
  const detail = cause instanceof Error ? cause.message : String(cause)
  return Object.assign(
    new Error(`cannot ${action} "${path}"${code === undefined ? '' : ` (${code})`}: ${detail}`, { cause }),
    { code },
  )
}

/**
 * The bytes of the file at `path` (its first `maxBytes` at most) and its status, read through
 * one open handle so that both describe the same file even while writers replace it.
 * `undefined` when there is no such file.
 */
export async function readWithStats(
  fs: FileStoreFileSystem,
  path: string,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ bytes: Uint8Array; stats: FileStoreStats } | undefined> {
  let handle: FileStoreFileHandle
  try {
    handle = await fs.open(path, 'r')
  } catch (error) {
    const code = errorCode(error)
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw fsError('read', path, error)
  }
  try {
    const stats = await handle.stat()
    const length = Math.min(stats.size, maxBytes)
    const bytes = new Uint8Array(length)
    let filled = 0
    while (filled < length) {
      const { bytesRead } = await handle.read(bytes, filled, length - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return { bytes: filled === length ? bytes : bytes.subarray(0, filled), stats }
  } catch (error) {
    throw fsError('read', path, error)
  } finally {
    await handle.close()
  }
}

import * as fsPromises from 'node:fs/promises'

/** An open file, as far as `FileStore` uses one. */
export interface FileStoreFileHandle {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>
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
  stat(path: string): Promise<{ size: number; mtimeMs: number }>
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
 * Up to `length` leading bytes of the file at `path` (fewer when the file is shorter). Rejects
 * like `open` does, `ENOENT` included.
 */
export async function readFileHead(
  fs: FileStoreFileSystem,
  path: string,
  length: number,
): Promise<Uint8Array> {
  const handle = await fs.open(path, 'r')
  try {
    const buffer = new Uint8Array(length)
    let filled = 0
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return buffer.subarray(0, filled)
  } finally {
    await handle.close()
  }
}

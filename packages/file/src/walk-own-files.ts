import { join } from 'node:path'
import { classifyOwnFile, type OwnFile, SHARD_NAME } from './entry-path'
import { errorCode, type FileStoreFileSystem } from './file-system'

/** A file of this store found under its directory. */
export interface FoundFile extends OwnFile {
  /** The file's name inside its shard directory. */
  name: string
  /** The shard directory, `<dir>/ab/cd`. */
  shardDir: string
  /** The full path. */
  path: string
}

/** The names in `path`, or none when it is missing or not a directory. */
async function listDir(fs: FileStoreFileSystem, path: string): Promise<string[]> {
  try {
    return await fs.readdir(path)
  } catch (error) {
    const code = errorCode(error)
    if (code === 'ENOENT' || code === 'ENOTDIR') return []
    throw error
  }
}

/**
 * Every file this store created under `dir`, one shard directory at a time. Only the two-level
 * shard tree is visited and only names this store gives its files are returned, so a user's own
 * files (or another tool's) in `dir` are never seen, let alone touched.
 */
export async function* walkOwnFiles(fs: FileStoreFileSystem, dir: string): AsyncGenerator<FoundFile> {
  for (const shard1 of await listDir(fs, dir)) {
    if (!SHARD_NAME.test(shard1)) continue
    for (const shard2 of await listDir(fs, join(dir, shard1))) {
      if (!SHARD_NAME.test(shard2)) continue
      const shardDir = join(dir, shard1, shard2)
      for (const name of await listDir(fs, shardDir)) {
        const own = classifyOwnFile(shard1, shard2, name)
        if (own !== undefined) yield { ...own, name, shardDir, path: join(shardDir, name) }
      }
    }
  }
}

/** The shard directories under `dir`, deepest first (so that emptied ones can be removed in order). */
export async function listShardDirs(fs: FileStoreFileSystem, dir: string): Promise<string[]> {
  const dirs: string[] = []
  for (const shard1 of await listDir(fs, dir)) {
    if (!SHARD_NAME.test(shard1)) continue
    for (const shard2 of await listDir(fs, join(dir, shard1))) {
      if (SHARD_NAME.test(shard2)) dirs.push(join(dir, shard1, shard2))
    }
    dirs.push(join(dir, shard1))
  }
  return dirs
}

/** How many files a sweep handles at once before yielding to the event loop. */
export const SWEEP_BATCH_SIZE = 64

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * Runs `task` over `items` in batches of {@link SWEEP_BATCH_SIZE} concurrent calls, letting the
 * event loop run other work between batches; stops early (without error) once `shouldStop()`
 * returns true.
 */
export async function forEachInBatches<T>(
  items: AsyncIterable<T>,
  task: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  let batch: T[] = []
  const flush = async (): Promise<void> => {
    await Promise.all(batch.map(task))
    batch = []
    await yieldToEventLoop()
  }
  for await (const item of items) {
    if (shouldStop()) return
    batch.push(item)
    if (batch.length >= SWEEP_BATCH_SIZE) await flush()
  }
  if (batch.length > 0 && !shouldStop()) await flush()
}

import { join } from 'node:path'
import { classifyFile, type FileLayout, type OwnFileKind, SHARD_NAME } from './file-layout'
import { errorCode, type FileStoreFileSystem } from './file-system'

/** A file of this store found under its directory. */
export interface FoundFile {
  kind: OwnFileKind
  /** The full path. */
  path: string
}

/** The names in `path`, sorted, or none when it is missing or not a directory. */
async function listDir(fs: FileStoreFileSystem, path: string): Promise<string[]> {
  try {
    return (await fs.readdir(path)).sort()
  } catch (error) {
    const code = errorCode(error)
    if (code === 'ENOENT' || code === 'ENOTDIR') return []
    throw error
  }
}

/** The shard directories (`<dir>/ab/cd`) under `dir`, in order. */
export async function listShardDirs(fs: FileStoreFileSystem, dir: string): Promise<string[]> {
  const dirs: string[] = []
  for (const shard1 of await listDir(fs, dir)) {
    if (!SHARD_NAME.test(shard1)) continue
    for (const shard2 of await listDir(fs, join(dir, shard1))) {
      if (SHARD_NAME.test(shard2)) dirs.push(join(dir, shard1, shard2))
    }
  }
  return dirs
}

/**
 * The objects below one shard directory whose names start with `prefix`, descending only into
 * directories that can hold such names.
 */
export async function objectsInShard(
  fs: FileStoreFileSystem,
  layout: FileLayout,
  shardDir: string,
  prefix: string,
): Promise<{ name: string; path: string }[]> {
  const found: { name: string; path: string }[] = []
  const visit = async (path: string, relative: string): Promise<void> => {
    for (const child of await listDir(fs, path)) {
      const childPath = join(path, child)
      const kind = classifyFile(child)
      if (kind === 'object') {
        const name = layout.nameOf(shardDir, childPath)
        if (name.startsWith(prefix)) found.push({ name, path: childPath })
      } else if (kind === undefined && !child.startsWith('.')) {
        const nested = `${relative}${child}/`
        if (nested.startsWith(prefix) || prefix.startsWith(nested)) await visit(childPath, nested)
      }
    }
  }
  await visit(shardDir, '')
  return found
}

/**
 * Every file this store made under `dir` (objects, temporary and lock files, entries of the
 * format before `BlobStore`), one shard directory at a time; with `directories`, each directory
 * below a shard after its contents (for removing the empty ones). Only the shard tree is
 * visited and only names this store gives its files are returned: a user's own files in `dir`
 * are never seen, let alone touched.
 */
export async function* walkOwnFiles(
  fs: FileStoreFileSystem,
  dir: string,
): AsyncGenerator<FoundFile | { kind: 'directory'; path: string }> {
  async function* visit(path: string): AsyncGenerator<FoundFile | { kind: 'directory'; path: string }> {
    for (const child of await listDir(fs, path)) {
      const childPath = join(path, child)
      const kind = classifyFile(child)
      if (kind !== undefined) yield { kind, path: childPath }
      else if (!child.startsWith('.')) yield* visit(childPath)
    }
    yield { kind: 'directory', path }
  }
  for (const shardDir of await listShardDirs(fs, dir)) yield* visit(shardDir)
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

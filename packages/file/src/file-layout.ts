/**
 * Where `FileStore` keeps an object on disk. `BlobStore` names objects with `[a-z0-9_~-]`
 * segments joined by `/` (never `.` or `..`, at most 200 bytes each), so a name maps to a path
 * inside `dir` as it is, below a fan-out of two hex levels taken from the SHA-256 of the name:
 *
 * ```
 * <dir>/ab/cd/<name>.blob            an object (its segments are directories)
 * <dir>/ab/cd/<dirs>/.<16 hex>.tmp   a write in progress, renamed over the object
 * <dir>/ab/cd/<dirs>/.<file>.lock    held while a dead object is replaced or removed
 * <dir>/ab/cd/<name>.<sha256>.entry  an entry of the format before BlobStore (never read)
 * ```
 * @packageDocumentation
 */
import { createHash, randomBytes } from 'node:crypto'
import { basename, dirname, join, sep } from 'node:path'

/** The suffix of object files. */
const OBJECT_SUFFIX = '.blob'
/** A shard directory name: two lowercase hex digits. */
export const SHARD_NAME = /^[0-9a-f]{2}$/
const TEMP_FILE = /^\.(?:[0-9a-f]{64}\.)?[0-9a-f]{16}\.tmp$/
const LOCK_FILE = /^\.(?:[0-9a-f]{64}|.+\.blob)\.lock$/
const LEGACY_ENTRY = /^[A-Za-z0-9_-]{0,32}\.[0-9a-f]{64}\.entry$/

/** What a file this store made is, by its name alone; `undefined` for a file never to touch. */
export type OwnFileKind = 'object' | 'temp' | 'lock' | 'legacy'

/** Classifies a file name found below a shard directory. */
export function classifyFile(name: string): OwnFileKind | undefined {
  if (name.endsWith(OBJECT_SUFFIX) && !name.startsWith('.')) return 'object'
  if (TEMP_FILE.test(name)) return 'temp'
  if (LOCK_FILE.test(name)) return 'lock'
  if (LEGACY_ENTRY.test(name)) return 'legacy'
  return undefined
}

/** Paths of objects below one directory. */
export class FileLayout {
  /** The absolute directory holding the store. */
  readonly dir: string

  constructor(dir: string) {
    this.dir = dir
  }

  /** The shard directory of `name`: `<dir>/ab/cd`. */
  shardOf(name: string): string {
    const hash = createHash('sha256').update(name).digest('hex')
    return join(this.dir, hash.slice(0, 2), hash.slice(2, 4))
  }

  /** The file of object `name`. */
  pathOf(name: string): string {
    return join(this.shardOf(name), ...`${name}${OBJECT_SUFFIX}`.split('/'))
  }

  /** The name of the object file at `path` below `shardDir`. */
  nameOf(shardDir: string, path: string): string {
    return path
      .slice(shardDir.length + 1, -OBJECT_SUFFIX.length)
      .split(sep)
      .join('/')
  }

  /** A fresh temporary file next to `path`, unique across processes. */
  tempPathFor(path: string): string {
    return join(dirname(path), `.${randomBytes(8).toString('hex')}.tmp`)
  }

  /** The lock file taken while the object at `path` is replaced or removed conditionally. */
  lockPathFor(path: string): string {
    return join(dirname(path), `.${basename(path)}.lock`)
  }
}

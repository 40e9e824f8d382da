/**
 * Where an entry lives on disk. The file name is derived from a SHA-256 of the key, so no key
 * (`../../etc/passwd`, `/abs`, `C:\x`, NUL bytes, 10 KiB of Unicode) can name a path outside the
 * store's directory: the only key-derived characters in a path are `[A-Za-z0-9_-]` and hex.
 *
 * ```
 * <dir>/ab/cd/<readable prefix>.<sha256 hex>.entry   the entry (ab, cd: the hash's first bytes)
 * <dir>/ab/cd/.<sha256 hex>.<random>.tmp              a write in progress, renamed over the entry
 * <dir>/ab/cd/.<sha256 hex>.lock                      held while a dead entry is being reclaimed
 * ```
 * @packageDocumentation
 */
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'

/** Characters of the key kept (sanitised) in front of the hash, for humans browsing the directory. */
const READABLE_PREFIX_LENGTH = 32

/** The path of one key's entry and of its companions. */
export interface EntryLocation {
  /** SHA-256 of the key's UTF-8, lowercase hex. */
  hash: string
  /** The shard directory holding the entry, `<dir>/ab/cd`. */
  shardDir: string
  /** The entry file. */
  path: string
  /** The lock file taken while a dead entry is reclaimed. */
  lockPath: string
}

/** Hex of the SHA-256 of `key`. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/** The key's first characters, with everything but `[A-Za-z0-9_-]` replaced by `_`. */
export function readablePrefix(key: string): string {
  return key.slice(0, READABLE_PREFIX_LENGTH).replace(/[^A-Za-z0-9_-]/g, '_')
}

/** Where `key`'s entry lives under `dir`. */
export function locateEntry(dir: string, key: string): EntryLocation {
  const hash = hashKey(key)
  return locateEntryFile(dir, hash, `${readablePrefix(key)}.${hash}.entry`)
}

/** A fresh temporary file name next to the entry, unique across processes. */
export function tempPathFor(location: EntryLocation): string {
  return join(location.shardDir, `.${location.hash}.${randomBytes(8).toString('hex')}.tmp`)
}

/** A shard directory name: two lowercase hex digits. */
export const SHARD_NAME = /^[0-9a-f]{2}$/

/** The kinds of file this store creates inside a shard directory. */
export type OwnFileKind = 'entry' | 'temp' | 'lock'

/** A file this store created, recognised by its name alone. */
export interface OwnFile {
  kind: OwnFileKind
  /** The hash of the key it belongs to. */
  hash: string
}

const OWN_FILE_PATTERNS: [OwnFileKind, RegExp][] = [
  ['entry', /^[A-Za-z0-9_-]{0,32}\.([0-9a-f]{64})\.entry$/],
  ['temp', /^\.([0-9a-f]{64})\.[0-9a-f]{16}\.tmp$/],
  ['lock', /^\.([0-9a-f]{64})\.lock$/],
]

/**
 * What a file named `name` inside the shard directory `shard1/shard2` is, when this store
 * created it; `undefined` for anything else (a file the store must never touch).
 */
export function classifyOwnFile(shard1: string, shard2: string, name: string): OwnFile | undefined {
  for (const [kind, pattern] of OWN_FILE_PATTERNS) {
    const hash = pattern.exec(name)?.[1]
    if (hash !== undefined) return hash.startsWith(shard1 + shard2) ? { kind, hash } : undefined
  }
  return undefined
}

/** The location of the entry file `name` (an `entry` per {@link classifyOwnFile}) with key hash `hash`. */
export function locateEntryFile(dir: string, hash: string, name: string): EntryLocation {
  const shardDir = join(dir, hash.slice(0, 2), hash.slice(2, 4))
  return { hash, shardDir, path: join(shardDir, name), lockPath: join(shardDir, `.${hash}.lock`) }
}

import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import type { CacheEntry } from '@stratacache/core'
import type { FileStore } from '../src/file-store'

/** Replaces the whole entry file of `key` with `bytes` (the raw stored form, bypassing the codec). */
export async function writeRawEntryBytes(store: FileStore, key: string, bytes: Uint8Array): Promise<void> {
  const path = store.pathOf(key)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, bytes)
}

/** The lock file `FileStore` holds while it replaces or removes `key`'s dead entry. */
export function lockPathOf(store: FileStore, key: string): string {
  const path = store.pathOf(key)
  return join(dirname(path), `.${basename(path)}.lock`)
}

/** A temporary file name as `FileStore` gives one next to `key`'s entry. */
export function tempPathNear(store: FileStore, key: string): string {
  return join(dirname(store.pathOf(key)), `.${randomBytes(8).toString('hex')}.tmp`)
}

/** Every path (files and directories) under `root`, relative, sorted. */
export async function listTree(root: string): Promise<string[]> {
  const found: string[] = []
  const visit = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`
      found.push(rel)
      if (entry.isDirectory()) await visit(join(dir, entry.name), rel)
    }
  }
  await visit(root, '')
  return found.sort()
}

/** A scratch directory under the OS temp dir, removed by the returned `cleanup`. */
export async function scratchDir(label: string): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), `stratacache-file-${label}-`))
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) }
}

/** An entry produced at `now`, fresh for `freshMs` then stale for `staleMs`. */
export function entryAt<T>(value: T, now: number, freshMs = 1000, staleMs = 0): CacheEntry<T> {
  return { value, createdAt: now, freshUntil: now + freshMs, staleUntil: now + freshMs + staleMs }
}

/** A Node.js-style system error with `code`. */
export function systemError(code: string, message = code.toLowerCase()): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code })
}

/** What the multi-process workers write. */
export interface WorkerPayload {
  writer: string
  round: number
  body: string
}

/** The value worker `writer` stores in round `round`: large (about 300 KiB), so a torn write would show. */
export function payloadOf(writer: string, round: number): WorkerPayload {
  return { writer, round, body: `${writer}:${round}:`.repeat(20_000) }
}

import { mkdir, writeFile } from 'node:fs/promises'
import { encodeFrame } from '../src/entry-frame'
import { locateEntry } from '../src/entry-path'
import type { FileStore } from '../src/file-store'

/** Plants `codecBytes` as the codec part of `key`'s entry file, inside a valid frame. */
export async function writeRawEntryBytes(
  store: FileStore,
  key: string,
  codecBytes: Uint8Array,
): Promise<void> {
  await writeRawFile(store, key, encodeFrame(key, codecBytes))
}

/** Replaces the whole entry file of `key` with `bytes`. */
export async function writeRawFile(store: FileStore, key: string, bytes: Uint8Array): Promise<void> {
  const location = locateEntry(store.dir, key)
  await mkdir(location.shardDir, { recursive: true })
  await writeFile(location.path, bytes)
}

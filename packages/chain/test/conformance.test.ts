import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryStore, type MemoryStoreOptions } from '@stratacache/core'
import { describeStoreConformance } from '@stratacache/core/testing'
import { FileStore } from '@stratacache/file'
import { afterAll, beforeAll } from 'vitest'
import { writeRawEntryBytes } from '../../file/test/helpers'
import { ChainStore } from '../src/chain-store'
import { FailoverStore } from '../src/failover-store'

let root = ''
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stratacache-chain-conformance-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const memory = (options: MemoryStoreOptions) =>
  new MemoryStore({ maxEntries: Number.POSITIVE_INFINITY, ...options })

// A first tier of 4 entries: most reads of the suite fall through to the second tier and promote.
// (No tier `ttl` here: a capped copy carries capped times, which the suite's round trips would see.)
describeStoreConformance({
  name: 'ChainStore (small memory over memory)',
  createStore: ({ clock }) =>
    new ChainStore([{ store: memory({ clock, maxEntries: 4 }) }, { store: memory({ clock }) }], { clock }),
  capabilities: { expiry: 'clock', sync: true },
})

/** The chain's last tier, a FileStore, where the suite plants corrupt bytes. */
const lastTier = (store: unknown) => (store as ChainStore).stores.at(-1) as FileStore

describeStoreConformance({
  name: 'ChainStore (memory over file)',
  createStore: ({ clock, namespace }) =>
    new ChainStore(
      [
        { store: memory({ clock }) },
        { store: new FileStore({ dir: join(root, namespace), clock, onError: () => {} }) },
      ],
      { clock, onError: () => {} },
    ),
  capabilities: {
    expiry: 'clock',
    serializesValues: true,
    writeRawBytes: (store, key, bytes) => writeRawEntryBytes(lastTier(store), key, bytes),
  },
})

describeStoreConformance({
  name: 'FailoverStore (file primary, memory fallback)',
  createStore: ({ clock, namespace }) =>
    new FailoverStore({
      primary: new FileStore({ dir: join(root, `failover-${namespace}`), clock, onError: () => {} }),
      fallback: memory({ clock }),
      clock,
      onError: () => {},
    }),
  capabilities: {
    expiry: 'clock',
    serializesValues: true,
    writeRawBytes: (store, key, bytes) =>
      writeRawEntryBytes((store as FailoverStore).primary as FileStore, key, bytes),
  },
})

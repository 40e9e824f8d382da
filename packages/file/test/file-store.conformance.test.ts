import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeStoreConformance } from '@stratacache/core/testing'
import { afterAll, beforeAll } from 'vitest'
import { FileStore } from '../src/file-store'
import { writeRawEntryBytes } from './helpers'

let root = ''
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stratacache-file-conformance-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describeStoreConformance({
  name: 'FileStore',
  createStore: ({ clock, namespace }) =>
    new FileStore({ dir: join(root, namespace), clock, onError: () => {} }),
  capabilities: {
    expiry: 'clock',
    serializesValues: true,
    writeRawBytes: (store, key, bytes) => writeRawEntryBytes(store as FileStore, key, bytes),
  },
})

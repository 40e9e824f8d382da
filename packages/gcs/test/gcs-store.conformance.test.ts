// GcsStore's composition (a BlobStore over a GcsBackend, compression on) against a real GCS JSON
// API: the firebase-tools emulator behind the GCS-fidelity layer (see support/gcs-emulator.ts).
// Runs the blob backend contract, then the whole store conformance suite over it (10 MiB values,
// 10 KiB and odd keys, sibling prefixes on one bucket, setIfAbsent under concurrency, corrupt
// bytes, 1,500-key volume). gcs-store.test.ts checks that GcsStore is exactly this composition;
// the groups where GCS itself matters (names, prefixes, sizes, conditional writes, raw objects)
// also run over the GcsStore class, through the client it builds from `apiEndpoint`.
import {
  describeBlobBackendConformance,
  describeStoreConformance,
  type StoreConformanceOptions,
} from '@stratacache/core/testing'
import { afterAll, beforeAll } from 'vitest'
import { GcsBackend } from '../src/gcs-backend'
import { GcsStore } from '../src/gcs-store'
import { type GcsEmulator, startGcsEmulator } from './support/gcs-emulator'

const BUCKET = 'conformance'
let gcs: GcsEmulator

beforeAll(async () => {
  gcs = await startGcsEmulator()
  await gcs.createBucket(BUCKET)
})
afterAll(async () => {
  await gcs?.close()
})

describeBlobBackendConformance({
  name: 'GCS',
  // Pages of 10, so the suite's listings (25 names, 1,500 keys) take several pages each.
  createBackend: () => new GcsBackend({ bucket: BUCKET, storage: gcs.storage(), pageSize: 10 }),
  storeOptions: { compress: true },
})

const overGcsStore: StoreConformanceOptions = {
  name: 'GcsStore',
  createStore: ({ clock, namespace }) =>
    new GcsStore({
      bucket: BUCKET,
      apiEndpoint: gcs.apiEndpoint,
      projectId: gcs.projectId,
      prefix: `gcs-store/${namespace}/`,
      clock,
      onError: () => {}, // the corrupt-bytes group reports on purpose
    }),
  capabilities: {
    expiry: 'clock',
    serializesValues: true,
    writeRawBytes: async (store, key, bytes) => {
      const gcsStore = store as GcsStore
      await gcsStore.backend.write(gcsStore.objectNameOf(key), bytes)
    },
  },
}
for (const group of [
  'entries',
  'setIfAbsent',
  'expiry',
  'keys',
  'namespaces',
  'largeValues',
  'corruptBytes',
  'close',
] as const) {
  describeStoreConformance[group](overGcsStore)
}

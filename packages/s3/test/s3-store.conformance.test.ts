/**
 * `S3Backend` passes core's blob backend conformance (its own contract, then the whole store
 * suite over a `BlobStore` on it), and `S3Store` itself passes the store suite: 10 MiB values,
 * 10 KiB and odd keys, corrupt bytes, `setIfAbsent` under concurrency, and sibling stores under
 * two prefixes of one bucket. All against a real S3 API (fauxqs, S3-faithful through the harness).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { describeBlobBackendConformance, describeStoreConformance } from '@stratacache/core/testing'
import { afterAll, beforeAll } from 'vitest'
import { S3Backend } from '../src/s3-backend'
import { S3Store } from '../src/s3-store'
import { type S3TestServer, startS3TestServer } from './support/s3-server'

const BUCKET = 'conformance'
let server: S3TestServer
let client: S3Client

beforeAll(async () => {
  server = await startS3TestServer()
  server.createBucket(BUCKET)
  client = server.client()
})
afterAll(async () => {
  client.destroy()
  await server.stop()
})

describeBlobBackendConformance({ name: 'S3', createBackend: () => new S3Backend({ client, bucket: BUCKET }) })

describeStoreConformance({
  name: 'S3Store',
  createStore: ({ clock, namespace }) =>
    // The suite plants corrupt bytes on purpose; `s3-store.test.ts` checks that they are reported.
    new S3Store({ client, bucket: BUCKET, prefix: `${namespace}/`, clock, onError: () => {} }),
  capabilities: {
    expiry: 'clock',
    serializesValues: true,
    writeRawBytes: async (store, key, bytes) => {
      const Key = (store as S3Store).objectNameOf(key)
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: bytes }))
    },
  },
})

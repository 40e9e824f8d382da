/**
 * `S3Store` when S3 fails: stopped mid-run, slow, missing bucket, denied access, hostile objects.
 * Every failure is a prompt `CacheStoreError`/`CacheTimeoutError` naming what is wrong (or, for
 * bytes that do not decode, a miss reported to `onError`), never a hang or an unhandled rejection
 * (vitest.setup.ts fails the file on one), and the store recovers by itself.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3'
import {
  type CacheEntry,
  CacheSerializationError,
  CacheStoreError,
  CacheTimeoutError,
} from '@stratacache/core'
import { forgeInflatingEntry } from '@stratacache/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { S3Store } from '../src/s3-store'
import { type S3TestServer, startS3TestServer, TEST_CREDENTIALS } from './support/s3-server'

const BUCKET = 'faults'
/** Generous for a loaded 2-core machine, far below the test timeout. */
const TIMEOUT_MS = 400
/** How far past `operationTimeout` a failure may arrive (timer and event-loop latency). */
const SLACK_MS = 300

const entry = (value: unknown): CacheEntry => ({
  value,
  createdAt: Date.now(),
  freshUntil: Date.now() + 60_000,
  staleUntil: Date.now() + 60_000,
})

const started: S3TestServer[] = []
const stores: S3Store[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()))
  await Promise.all(started.splice(0).map((server) => server.stop()))
})

async function serve(port?: number): Promise<S3TestServer> {
  const server = await startS3TestServer({ port })
  started.push(server)
  server.createBucket(BUCKET)
  return server
}

function storeOn(
  server: S3TestServer,
  bucket = BUCKET,
  onError: (error: unknown) => void = () => {},
): S3Store {
  const store = new S3Store({
    bucket,
    endpoint: server.endpoint,
    region: 'us-east-1',
    // Recovery right after the server returns is what this file checks; the circuit breaker (on by
    // default, which waits out a cool-down before trying again) has its own tests in core.
    circuitBreaker: false,
    forcePathStyle: true,
    credentials: TEST_CREDENTIALS,
    operationTimeout: TIMEOUT_MS / 1000,
    onError,
  })
  stores.push(store)
  return store
}

/** The settled outcome of `promise` and how long it took. */
async function timed(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const begun = performance.now()
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  return { error, ms: performance.now() - begun }
}

/** Every message in an error's cause chain, joined. */
function messages(error: unknown): string {
  const parts: string[] = []
  for (let current = error; current instanceof Error; current = current.cause) parts.push(current.message)
  return parts.join(' <- ')
}

describe('S3Store faults', () => {
  it('server stopped mid-run: fast CacheStoreError, then works again when a server is back on the port', async () => {
    const server = await serve()
    const store = storeOn(server)
    await store.set('k', entry('before'))
    expect((await store.get('k'))?.value).toBe('before')
    await server.stop()

    for (const operation of [
      () => store.get('k'),
      () => store.set('k', entry('during')),
      () => store.has('k'),
      () => store.delete('k'),
      () => store.setIfAbsent('other', entry('x')),
      () => store.deleteMatching('*'),
      () => store.clear(),
    ]) {
      const { error, ms } = await timed(operation())
      expect(CacheStoreError.isInstance(error), messages(error)).toBe(true)
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS)
    }

    const back = await serve(server.port)
    expect(back.port).toBe(server.port)
    await store.set('k', entry('after'))
    expect((await store.get('k'))?.value).toBe('after')
  })

  it('a hung server: CacheTimeoutError within operationTimeout, the request aborted', async () => {
    const server = await serve()
    const store = storeOn(server)
    await store.set('k', entry('v'))
    server.faults.delayMs = 5_000
    const { error, ms } = await timed(store.get('k'))
    expect(CacheTimeoutError.isInstance(error), messages(error)).toBe(true)
    expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS)
    server.faults.delayMs = 0
    expect((await store.get('k'))?.value).toBe('v')
  })

  it('a missing bucket: the first use rejects naming the bucket and the S3 operation', async () => {
    const server = await serve()
    const store = storeOn(server, 'no-such-bucket')
    const { error } = await timed(store.set('k', entry('v')))
    expect(CacheStoreError.isInstance(error)).toBe(true)
    expect(messages(error)).toMatch(
      /S3 PutObject on bucket "no-such-bucket" failed: the bucket does not exist/,
    )
    expect(messages(await timed(store.get('k')).then((r) => r.error))).toMatch(
      /S3 GetObject on bucket "no-such-bucket"/,
    )
    // HeadObject answers a bare 404 for a missing bucket too; has() still reports the bucket.
    const fresh = storeOn(server, 'no-such-bucket')
    expect(messages((await timed(fresh.has('k'))).error)).toMatch(
      /S3 HeadObject on bucket "no-such-bucket" failed: the bucket does not exist/,
    )
  })

  it('denied access: the first use rejects naming the bucket, the operation and the permission, no secret', async () => {
    const server = await serve()
    server.faults.deniedBuckets.add(BUCKET)
    const store = storeOn(server)
    const { error } = await timed(store.set('k', entry('v')))
    expect(CacheStoreError.isInstance(error)).toBe(true)
    const text = messages(error)
    expect(text).toMatch(/S3 PutObject on bucket "faults" failed: access denied \(AccessDenied\)/)
    expect(text).toContain('s3:PutObject on arn:aws:s3:::faults/*')
    expect(messages((await timed(store.clear())).error)).toContain('s3:ListBucket on arn:aws:s3:::faults')
    expect(text).not.toContain(TEST_CREDENTIALS.secretAccessKey)
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(
      TEST_CREDENTIALS.secretAccessKey,
    )
  })

  it.each([
    ['garbage bytes', async () => new TextEncoder().encode('not an entry at all')],
    [
      'a forged entry inflating to 1 GiB',
      () => forgeInflatingEntry({ inflatesTo: 1024 ** 3, declares: 1024 ** 2 }),
    ],
  ])('%s under a key: a miss reported to onError, fast, and the object removed', async (_label, forge) => {
    const server = await serve()
    const errors: unknown[] = []
    const store = storeOn(server, BUCKET, (error) => errors.push(error))
    const client = server.client()
    try {
      const Key = store.objectNameOf('planted')
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: await forge() }))
      const begun = performance.now()
      expect(await store.get('planted')).toBeUndefined()
      expect(performance.now() - begun).toBeLessThan(TIMEOUT_MS + SLACK_MS)
      expect(errors).toHaveLength(1)
      expect(CacheSerializationError.isInstance(errors[0])).toBe(true)
      expect(server.objects.buckets.get(BUCKET)?.has(Key)).toBe(false)
    } finally {
      client.destroy()
    }
  })
})

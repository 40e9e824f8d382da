/**
 * `S3Store` when S3 fails: stopped mid-run, slow, missing bucket, denied access. Every failure is
 * a prompt `CacheStoreError`/`CacheTimeoutError` naming what is wrong, never a hang or an
 * unhandled rejection (vitest.setup.ts fails the file on one), and the store recovers by itself.
 */
import { type CacheEntry, CacheStoreError, CacheTimeoutError } from '@stratacache/core'
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

function storeOn(server: S3TestServer, bucket = BUCKET): S3Store {
  const store = new S3Store({
    bucket,
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: TEST_CREDENTIALS,
    operationTimeout: TIMEOUT_MS / 1000,
    onError: () => {},
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
})

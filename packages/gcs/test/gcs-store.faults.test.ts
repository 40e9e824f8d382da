// GcsStore when GCS fails: the emulator stopped mid-run (connections refused) or hung (requests
// never answered), a missing bucket, denied access. Errors are CacheStoreError/CacheTimeoutError
// within operationTimeout and name the bucket; nothing hangs, no rejection goes unhandled (the
// shared setup fails the file on one); the store works again once GCS is back.
import { CacheStoreError, CacheTimeoutError, createCache } from '@stratacache/core'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { GcsStore, type GcsStoreOptions } from '../src/gcs-store'
import { type GcsEmulator, startGcsEmulator } from './support/gcs-emulator'

const BUCKET = 'faults'
const TIMEOUT_MS = 400
let gcs: GcsEmulator
const opened: GcsStore[] = []

beforeAll(async () => {
  gcs = await startGcsEmulator()
  await gcs.createBucket(BUCKET)
})
afterEach(async () => {
  gcs.stall(false)
  await gcs.start()
  await Promise.all(opened.splice(0).map((store) => store.close()))
})
afterAll(async () => {
  await gcs?.close()
})

function open(options: Partial<GcsStoreOptions> = {}): GcsStore {
  const store = new GcsStore({
    // Recovery right after the emulator returns is what this file checks; the circuit breaker (on
    // by default, which waits out a cool-down before trying again) has its own tests in core.
    circuitBreaker: false,
    bucket: BUCKET,
    apiEndpoint: gcs.apiEndpoint,
    projectId: gcs.projectId,
    prefix: 'faults/',
    operationTimeout: `${TIMEOUT_MS}ms`,
    onError: () => {},
    ...options,
  })
  opened.push(store)
  return store
}

const entry = (value: unknown) => ({
  value,
  createdAt: Date.now(),
  freshUntil: Infinity,
  staleUntil: Infinity,
})

/** The rejection of `work()` and how long it took to come. */
async function failure(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now()
  try {
    await work()
  } catch (error) {
    return { error, ms: performance.now() - started }
  }
  throw new Error('expected a rejection')
}

describe('GcsStore faults', () => {
  it('emulator stopped mid-run: every operation fails fast with CacheStoreError, then recovers', async () => {
    const store = open()
    await store.set('k', entry('before'))
    await gcs.stop()
    const operations = [
      () => store.get('k'),
      () => store.set('k', entry('during')),
      () => store.has('k'),
      () => store.delete('k'),
      () => store.setIfAbsent('j', entry(1)),
      () => store.deleteMatching('*'),
      () => store.clear(),
      () => store.prune(),
    ]
    for (const operation of operations) {
      const { error, ms } = await failure(operation)
      expect(CacheStoreError.isInstance(error)).toBe(true)
      expect(ms).toBeLessThan(TIMEOUT_MS + 200)
    }
    await gcs.start()
    expect((await store.get('k'))?.value).toBe('before')
    await store.set('k', entry('after'))
    expect((await store.get('k'))?.value).toBe('after')
  })

  it('emulator hung: operations end in CacheTimeoutError after operationTimeout, then recover', async () => {
    const store = open()
    await store.set('k', entry('v'))
    gcs.stall(true)
    for (const operation of [() => store.get('k'), () => store.set('k', entry('w')), () => store.has('k')]) {
      const { error, ms } = await failure(operation)
      expect(CacheTimeoutError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ store: 'gcs', key: 'k' })
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5)
      expect(ms).toBeLessThan(TIMEOUT_MS + 300)
    }
    gcs.stall(false)
    await vi.waitFor(async () => expect((await store.get('k'))?.value).toBeDefined(), { timeout: 5_000 })
  })

  it('cache() over a GcsStore that goes down keeps answering its callers (fail-open), then caches again', async () => {
    const store = open()
    const errors: unknown[] = []
    const { cache } = createCache({ store, onError: (error) => errors.push(error) })
    let calls = 0
    const load = cache({ ttl: 60, key: 'load:{0}' })(async (id: number) => {
      calls++
      return id
    })
    expect(await load(1)).toBe(1)
    // cache() writes in the background: let the entry land before GCS goes down.
    await vi.waitFor(async () => expect(await store.has('load:1')).toBe(true), { timeout: 5_000 })
    await gcs.stop()
    expect(await load(2)).toBe(2)
    expect(errors.length).toBeGreaterThan(0)
    await gcs.start()
    expect(await load(1)).toBe(1)
    expect(calls).toBe(2)
  })

  it('a missing bucket: errors name the bucket, nothing is created', async () => {
    const store = open({ bucket: 'no-such-bucket' })
    for (const operation of [() => store.get('k'), () => store.set('k', entry(1)), () => store.clear()]) {
      const { error } = await failure(operation)
      expect(CacheStoreError.isInstance(error)).toBe(true)
      expect((error as Error).message).toMatch(
        /GCS bucket "no-such-bucket": The specified bucket does not exist/,
      )
    }
    expect((await gcs.storage().bucket('no-such-bucket').exists())[0]).toBe(false)
  })

  it('denied access: errors name the bucket and the role to grant', async () => {
    const store = open()
    gcs.deny(BUCKET)
    try {
      for (const operation of [
        () => store.get('k'),
        () => store.set('k', entry(1)),
        () => store.deleteMatching('*'),
      ]) {
        const { error } = await failure(operation)
        expect(CacheStoreError.isInstance(error)).toBe(true)
        expect((error as Error).message).toMatch(/GCS bucket "faults": .*roles\/storage\.objectUser/)
      }
    } finally {
      gcs.deny(BUCKET, false)
    }
  })
})

/** What `S3Store` adds over the conformance suite: S3-specific behaviour, against a real S3 API. */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import type { CacheEntry } from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { fromUrl } from '../src/from-url'
import { S3Store, type S3StoreOptions } from '../src/s3-store'
import { type S3TestServer, startS3TestServer, TEST_CREDENTIALS } from './support/s3-server'

const BUCKET = 'store'
let server: S3TestServer
let client: S3Client
const opened: S3Store[] = []

beforeAll(async () => {
  server = await startS3TestServer()
  server.createBucket(BUCKET)
  client = server.client()
})
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()))
})
afterAll(async () => {
  client.destroy()
  await server.stop()
})

function open(options: Partial<S3StoreOptions> = {}): S3Store {
  const store = new S3Store({ client, bucket: BUCKET, onError: () => {}, ...options })
  opened.push(store)
  return store
}

const entryAt = (value: unknown, now: number, freshMs = 1_000, staleMs = 0): CacheEntry => ({
  value,
  createdAt: now,
  freshUntil: now + freshMs,
  staleUntil: now + freshMs + staleMs,
})

/** The names of the objects under `prefix`, as the bucket holds them. */
function objectsUnder(prefix: string): string[] {
  return [...(server.objects.buckets.get(BUCKET)?.keys() ?? [])].filter((name) => name.startsWith(prefix))
}

/** The S3 commands `client` sends while `body` runs, by name. */
async function commandsDuring(body: () => Promise<unknown>, target: S3Client = client): Promise<string[]> {
  const send = vi.spyOn(target, 'send')
  try {
    await body()
    return send.mock.calls.map(([command]) => command.constructor.name.replace(/Command$/, ''))
  } finally {
    send.mockRestore()
  }
}

describe('S3Store', () => {
  it('keeps one object per entry under the prefix', async () => {
    const store = open({ prefix: 'one/' })
    await store.set('user:1', entryAt({ name: 'a' }, Date.now(), 60_000))
    expect(objectsUnder('one/')).toHaveLength(1)
  })

  it('compresses by default above the threshold, and not below it', async () => {
    const store = open({ prefix: 'gzip/' })
    const large = 'abc'.repeat(10_000)
    await store.set('large', entryAt(large, Date.now(), 60_000))
    await store.set('small', entryAt('tiny', Date.now(), 60_000))
    const sizes = objectsUnder('gzip/').map(
      (name) => server.objects.buckets.get(BUCKET)!.get(name)!.body.length,
    )
    expect(Math.max(...sizes)).toBeLessThan(large.length / 10)
    expect((await store.get('large'))?.value).toBe(large)
    const plain = open({ prefix: 'plain/', compress: false })
    await plain.set('large', entryAt(large, Date.now(), 60_000))
    const [name] = objectsUnder('plain/')
    expect(server.objects.buckets.get(BUCKET)!.get(name!)!.body.length).toBeGreaterThan(large.length)
  })

  it('keeps the freshness timestamps in object metadata: has() and prune() download no body', async () => {
    const clock = new ManualClock(1_700_000_000_000)
    const store = open({ prefix: 'meta/', clock })
    const now = clock.now()
    await store.set('live', entryAt('v', now, 10_000))
    await store.set('dying', entryAt('v', now, 1_000, 1_000))
    const [name] = objectsUnder('meta/')
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: name }))
    expect(Object.values(head.Metadata ?? {}).join(' ')).toMatch(/\d{13}/)

    await clock.advance(5_000)
    const sent = await commandsDuring(async () => {
      expect(await store.has('live')).toBe(true)
      expect(await store.prune()).toBe(1)
      expect(await store.has('dying')).toBe(false)
    })
    expect(sent).not.toContain('GetObject')
    expect(sent).toContain('HeadObject')
    expect(objectsUnder('meta/')).toHaveLength(1)
  })

  it('50 concurrent setIfAbsent callers over 5 stores (as 5 processes): exactly one true', async () => {
    const clients = Array.from({ length: 5 }, () => server.client())
    try {
      const stores = clients.map((c) => open({ client: c, prefix: 'race/' }))
      const now = Date.now()
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          stores[i % 5]!.setIfAbsent('lease', entryAt(`caller ${i}`, now, 60_000)),
        ),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      const winner = results.indexOf(true)
      expect((await stores[0]!.get('lease'))?.value).toBe(`caller ${winner}`)
    } finally {
      for (const c of clients) c.destroy()
    }
  })

  it('50 concurrent setIfAbsent callers over a dead entry: exactly one reclaims it', async () => {
    const clock = new ManualClock(1_700_000_000_000)
    const clients = Array.from({ length: 5 }, () => server.client())
    try {
      const stores = clients.map((c) => open({ client: c, prefix: 'reclaim/', clock }))
      await stores[0]!.set('lease', entryAt('old holder', clock.now(), 1_000))
      await clock.advance(2_000)
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          stores[i % 5]!.setIfAbsent('lease', entryAt(`caller ${i}`, clock.now(), 60_000)),
        ),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      expect((await stores[1]!.get('lease'))?.value).toBe(`caller ${results.indexOf(true)}`)
    } finally {
      for (const c of clients) c.destroy()
    }
  })

  it('prune, deleteMatching and clear each work over more than one ListObjectsV2 page', async () => {
    const clock = new ManualClock(1_700_000_000_000)
    const store = open({ prefix: 'paged/', clock, concurrency: 32 })
    const neighbour = open({ prefix: 'paged-neighbour/', clock })
    await neighbour.set('k:1', entryAt('kept', clock.now(), 600_000))
    const lists = (sent: string[]) => sent.filter((name) => name === 'ListObjectsV2').length
    const pairs = (count: number, name: (i: number) => string, freshMs: (i: number) => number) =>
      Array.from({ length: count }, (_, i): [string, CacheEntry] => [
        name(i),
        entryAt(i, clock.now(), freshMs(i)),
      ])

    // 1,100 entries, every other one dying: prune lists two pages and removes the 550 dead.
    await store.setMany(
      pairs(
        1_100,
        (i) => `k:${i}`,
        (i) => (i % 2 ? 1_000 : 600_000),
      ),
    )
    await clock.advance(2_000)
    let removed = 0
    expect(lists(await commandsDuring(async () => (removed = await store.prune())))).toBe(2)
    expect(removed).toBe(550)
    expect(objectsUnder('paged/')).toHaveLength(550)

    // 1,050 live entries: deleteMatching lists two pages and removes the keys ending in 0.
    await store.setMany(
      pairs(
        500,
        (i) => `k:${1_100 + 2 * i}`,
        () => 600_000,
      ),
    )
    const live = objectsUnder('paged/').length
    expect(live).toBe(1_050)
    const endingIn0 = Array.from({ length: 1_100 + 1_000 }, (_, i) => i).filter(
      (i) => i % 2 === 0 && i % 10 === 0,
    )
    expect(lists(await commandsDuring(async () => (removed = await store.deleteMatching('k:*0'))))).toBe(2)
    expect(removed).toBe(endingIn0.length)

    // Over 1,000 left again: clear lists two pages, deletes with DeleteObjects, spares the neighbour.
    await store.setMany(
      pairs(
        200,
        (i) => `m:${i}`,
        () => 600_000,
      ),
    )
    expect(objectsUnder('paged/').length).toBeGreaterThan(1_000)
    const cleared = await commandsDuring(() => store.clear())
    expect(lists(cleared)).toBe(2)
    expect(cleared).toContain('DeleteObjects')
    expect(objectsUnder('paged/')).toEqual([])
    expect((await neighbour.get('k:1'))?.value).toBe('kept')
  })

  it('fromUrl builds a working store from an s3:// URL (credentials from the options)', async () => {
    const url = new URL(
      `s3://${BUCKET}/from-url?endpoint=${server.endpoint}&forcePathStyle=true&region=us-east-1`,
    )
    const store = fromUrl(url, { credentials: TEST_CREDENTIALS })
    opened.push(store)
    await store.set('k', entryAt('via url', Date.now(), 60_000))
    expect((await store.get('k'))?.value).toBe('via url')
    expect(objectsUnder('from-url/')).toHaveLength(1)
  })

  it('a hit is one GetObject', async () => {
    const store = open({ prefix: 'hit/' })
    await store.set('k', entryAt('v', Date.now(), 60_000))
    expect(await commandsDuring(() => store.get('k'))).toEqual(['GetObject'])
  })

  it('never destroys a client it was given; builds its own lazily and destroys it on close', async () => {
    const destroy = vi.spyOn(client, 'destroy')
    const given = new S3Store({ client, bucket: BUCKET, prefix: 'given/' })
    await given.set('k', entryAt('v', Date.now(), 60_000))
    await given.close()
    expect(destroy).not.toHaveBeenCalled()
    destroy.mockRestore()

    const own = new S3Store({
      bucket: BUCKET,
      prefix: 'own/',
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    })
    await own.set('k', entryAt('v', Date.now(), 60_000))
    const ownDestroy = vi.spyOn(own.backend.client, 'destroy')
    await own.close()
    expect(ownDestroy).toHaveBeenCalledTimes(1)
    // Used after close(), it refuses rather than open a client nobody would destroy.
    await expect(own.get('k')).rejects.toThrow(/s3 get of key "k" failed: the store is closed/)
    await expect(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: objectsUnder('given/')[0] })),
    ).resolves.toBeDefined()
  })
})

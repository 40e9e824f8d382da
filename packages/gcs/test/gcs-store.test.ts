// GcsStore itself, against the emulator (support/gcs-emulator.ts): its composition, object
// layout, atomic setIfAbsent across clients, paged sweeps, options and clients.
import { randomBytes } from 'node:crypto'
import { File, Storage } from '@google-cloud/storage'
import { BlobStore, CacheConfigError, type CacheEntry } from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { GcsBackend, RESUMABLE_ABOVE_BYTES } from '../src/gcs-backend'
import { GcsStore, type GcsStoreOptions } from '../src/gcs-store'
import { type GcsEmulator, startGcsEmulator } from './support/gcs-emulator'

const BUCKET = 'store-tests'
let gcs: GcsEmulator
let run = 0
const opened: GcsStore[] = []

beforeAll(async () => {
  gcs = await startGcsEmulator()
  await gcs.createBucket(BUCKET)
})
afterEach(async () => {
  vi.restoreAllMocks()
  await Promise.all(opened.splice(0).map((store) => store.close()))
})
afterAll(async () => {
  await gcs?.close()
})

/** A store under a prefix of its own for this test (or `prefix`, to share one). */
function open(options: Partial<GcsStoreOptions> = {}): GcsStore {
  const store = new GcsStore({ bucket: BUCKET, storage: gcs.storage(), prefix: `t${++run}/`, ...options })
  opened.push(store)
  return store
}

function entryAt<T>(clock: ManualClock, value: T, lifeMs = 60_000): CacheEntry<T> {
  const now = clock.now()
  return { value, createdAt: now, freshUntil: now + lifeMs, staleUntil: now + lifeMs }
}

async function objectNames(prefix: string): Promise<string[]> {
  const [files] = await gcs.storage().bucket(BUCKET).getFiles({ prefix })
  return files.map((file) => file.name).sort()
}

describe('GcsStore', () => {
  it('is a BlobStore over a GcsBackend on its bucket, compressing by default', async () => {
    const store = open()
    expect(store).toBeInstanceOf(BlobStore)
    expect(store.backend).toBeInstanceOf(GcsBackend)
    expect([store.name, store.bucket]).toEqual(['gcs', BUCKET])
    const text = 'compressible '.repeat(10_000)
    await store.set('big', { value: text, createdAt: 0, freshUntil: Infinity, staleUntil: Infinity })
    const info = await store.backend.head(store.objectNameOf('big'))
    expect(info?.size).toBeLessThan(10_000)
    const plain = open({ compress: false })
    await plain.set('big', { value: text, createdAt: 0, freshUntil: Infinity, staleUntil: Infinity })
    expect((await plain.backend.head(plain.objectNameOf('big')))?.size).toBeGreaterThan(text.length)
    expect((await store.get('big'))?.value).toBe(text)
  })

  it('writes one object per entry in one request, its staleUntil in custom metadata', async () => {
    const clock = new ManualClock()
    const store = open({ clock })
    const save = vi.spyOn(File.prototype, 'save')
    await store.set('user:1', entryAt(clock, { id: 1 }, 5_000))
    expect(save).toHaveBeenCalledOnce()
    expect(save.mock.calls[0]?.[1]).toMatchObject({ resumable: false })
    const [name] = await objectNames(store.prefix)
    expect(name).toBe(store.objectNameOf('user:1'))
    const [metadata] = await gcs
      .storage()
      .bucket(BUCKET)
      .file(name as string)
      .getMetadata()
    expect(metadata.metadata).toMatchObject({ 'stale-until': String(clock.now() + 5_000) })
  })

  it('answers has() and prune() from metadata, without downloading a body', async () => {
    const clock = new ManualClock()
    const store = open({ clock })
    await store.setMany([
      ['live', entryAt(clock, 1, 10_000)],
      ['dying', entryAt(clock, 2, 1_000)],
    ])
    const download = vi.spyOn(File.prototype, 'createReadStream')
    expect(await store.has('live')).toBe(true)
    await clock.advance(1_000)
    expect(await store.prune()).toBe(1)
    expect(await store.has('dying')).toBe(false)
    expect(download).not.toHaveBeenCalled()
  })

  it('round-trips a 10 MiB incompressible value through a resumable upload', async () => {
    const store = open()
    const value = new Uint8Array(randomBytes(10 * 1024 * 1024))
    const save = vi.spyOn(File.prototype, 'save')
    await store.set('huge', { value, createdAt: 0, freshUntil: Infinity, staleUntil: Infinity })
    expect(save.mock.calls[0]?.[1]).toMatchObject({ resumable: true })
    expect((save.mock.calls[0]?.[0] as Buffer | undefined)?.byteLength).toBeGreaterThan(RESUMABLE_ABOVE_BYTES)
    const read = (await store.get('huge'))?.value as Uint8Array | undefined
    expect(read !== undefined && Buffer.from(read).equals(Buffer.from(value))).toBe(true)
  })

  it('keeps 10 KiB and odd keys, and two prefixes on one bucket apart', async () => {
    const clock = new ManualClock()
    const a = open({ clock, prefix: `t${++run}/a/` })
    const b = open({ clock, prefix: `${a.prefix.slice(0, -2)}b/` })
    const keys = [`long:${'é'.repeat(5 * 1024)}`, '../../etc/passwd', 'a\u0000b', '*?[]\\', '🔑/..']
    for (const key of keys) {
      await a.set(key, entryAt(clock, `a:${key}`))
      await b.set(key, entryAt(clock, `b:${key}`))
    }
    for (const name of await objectNames(`${a.prefix.slice(0, -2)}`)) {
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(1024)
    }
    for (const key of keys) {
      expect((await a.get(key))?.value).toBe(`a:${key}`)
      expect((await b.get(key))?.value).toBe(`b:${key}`)
    }
    await a.clear()
    expect(await objectNames(a.prefix)).toEqual([])
    expect(await b.getMany(keys)).toHaveLength(keys.length)
    expect((await b.get(keys[0] as string))?.value).toBe(`b:${keys[0]}`)
  })

  describe('setIfAbsent across 50 clients', () => {
    function fifty(clock: ManualClock, prefix: string): GcsStore[] {
      // One Storage client per store: 50 "processes" racing on one object.
      return Array.from({ length: 50 }, () => open({ clock, prefix }))
    }

    it('exactly one of 50 concurrent callers writes an absent key', async () => {
      const clock = new ManualClock()
      const stores = fifty(clock, `t${++run}/`)
      const results = await Promise.all(
        stores.map((store, i) => store.setIfAbsent('lock', entryAt(clock, i))),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      expect((await stores[0]?.get('lock'))?.value).toBe(results.indexOf(true))
    })

    it('exactly one of 50 concurrent callers reclaims a dead entry', async () => {
      const clock = new ManualClock()
      const stores = fifty(clock, `t${++run}/`)
      await stores[0]?.set('lock', entryAt(clock, 'dead soon', 1_000))
      await clock.advance(1_000)
      const results = await Promise.all(
        stores.map((store, i) => store.setIfAbsent('lock', entryAt(clock, i))),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      expect((await stores[1]?.get('lock'))?.value).toBe(results.indexOf(true))
      expect(await stores[2]?.setIfAbsent('lock', entryAt(clock, 'late'))).toBe(false)
    })
  })

  it('deleteMatching, prune and clear page through more than one listing page', async () => {
    const clock = new ManualClock()
    const store = open({ clock, pageSize: 5 })
    const sibling = open({ clock, prefix: `${store.prefix}x/`.replace(/\/x\/$/, '-sibling/') })
    const list = vi.spyOn(store.backend, 'list')
    const users = Array.from({ length: 12 }, (_, i): [string, CacheEntry] => [`user:${i}`, entryAt(clock, i)])
    const posts = Array.from({ length: 11 }, (_, i): [string, CacheEntry] => [
      `post:${i}`,
      entryAt(clock, i, i < 7 ? 1_000 : 60_000),
    ])
    await store.setMany([...users, ...posts])
    await sibling.set('user:0', entryAt(clock, 'sibling'))

    expect(await store.deleteMatching('user:*')).toBe(12)
    expect(list.mock.calls.length).toBeGreaterThanOrEqual(3) // 12 names, pages of 5
    await clock.advance(1_000)
    list.mockClear()
    expect(await store.prune()).toBe(7)
    expect(list.mock.calls.length).toBeGreaterThanOrEqual(3) // 11 names, pages of 5
    expect((await objectNames(store.prefix)).length).toBe(4)
    await store.clear()
    expect(await objectNames(store.prefix)).toEqual([])
    expect((await sibling.get('user:0'))?.value).toBe('sibling')
  })

  it('uses a given Storage as given; builds its own lazily from projectId and apiEndpoint', async () => {
    const given = gcs.storage()
    expect(open({ storage: given }).storage).toBe(given)
    const built = new GcsStore({
      bucket: BUCKET,
      projectId: gcs.projectId,
      apiEndpoint: gcs.apiEndpoint,
      prefix: 'built/',
    })
    opened.push(built)
    expect(built.storage).toBeInstanceOf(Storage)
    expect(built.storage.apiEndpoint).toBe(gcs.apiEndpoint)
    expect(built.storage.retryOptions.autoRetry).toBe(false)
    await built.set('k', { value: 'v', createdAt: 0, freshUntil: Infinity, staleUntil: Infinity })
    expect((await built.get('k'))?.value).toBe('v')
  })

  it('rejects invalid options, naming them', () => {
    const make = (options: Record<string, unknown>) => () => new GcsStore(options as never)
    expect(make({})).toThrow(CacheConfigError)
    expect(make({})).toThrow(/GcsStore: invalid option "bucket"/)
    expect(make({ bucket: 'Has Spaces' })).toThrow(/"bucket": got "Has Spaces"/)
    expect(make({ bucket: 'ok-bucket', colour: 'red' })).toThrow(/unknown option "colour"/)
    expect(make({ bucket: 'ok-bucket', storage: {} })).toThrow(/"storage"/)
    expect(make({ bucket: 'ok-bucket', storage: gcs.storage(), apiEndpoint: 'http://x' })).toThrow(
      /"apiEndpoint"/,
    )
    expect(make({ bucket: 'ok-bucket', apiEndpoint: 'not a url' })).toThrow(/"apiEndpoint"/)
    expect(make({ bucket: 'ok-bucket', pageSize: 1001 })).toThrow(/"pageSize"/)
    expect(make({ bucket: 'ok-bucket', prefix: 'no-slash' })).toThrow(/"prefix"/)
    expect(make({ bucket: 'ok-bucket', concurrency: 0 })).toThrow(/"concurrency"/)
    expect(make({ bucket: 'ok-bucket', operationTimeout: -1 })).toThrow(/operationTimeout/)
  })
})

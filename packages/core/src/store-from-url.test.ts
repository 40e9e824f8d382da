import { describe, expect, it } from 'vitest'
import { CacheConfigError } from './errors'
import { MemoryStore } from './store/memory-store'
import type { CacheStore } from './store/store'
import { openStoreFromUrl, storeFromUrl } from './store-from-url'

async function configError(run: Promise<unknown>): Promise<CacheConfigError> {
  try {
    await run
  } catch (error) {
    if (CacheConfigError.isInstance(error)) return error
    throw error
  }
  throw new Error('expected a CacheConfigError')
}

describe('storeFromUrl', () => {
  it('builds a MemoryStore from memory:// with limits from the query', async () => {
    const store = await storeFromUrl('memory://?maxEntries=2&name=l1')
    expect(store).toBeInstanceOf(MemoryStore)
    expect(store.name).toBe('l1')
    const entry = {
      value: 1,
      createdAt: 0,
      freshUntil: Number.POSITIVE_INFINITY,
      staleUntil: Number.POSITIVE_INFINITY,
    }
    await store.set('a', entry)
    await store.set('b', entry)
    await store.set('c', entry)
    expect(await store.has('a')).toBe(false)
    expect(await store.has('c')).toBe(true)
  })

  it('rejects unknown or invalid memory:// parameters, naming them', async () => {
    expect((await configError(storeFromUrl('memory://?maxEntrys=2'))).message).toMatch(/maxEntrys/)
    expect((await configError(storeFromUrl('memory://?maxEntries=-1'))).message).toMatch(/maxEntries/)
  })

  it('names a bad URL, without its password', async () => {
    const bad = await configError(storeFromUrl('not a url'))
    expect(bad.message).toContain('"not a url"')
    const unknown = await configError(storeFromUrl('mongodb://admin:hunter2@db:27017'))
    expect(unknown.message).toContain('mongodb:')
    expect(unknown.message).not.toContain('hunter2')
    expect((await configError(storeFromUrl('s3:///prefix'))).message).toMatch(/bucket is missing/)
    expect((await configError(storeFromUrl('file:///'))).message).toMatch(/directory is missing/)
  })

  it('names the package and the install command when the adapter is not installed', async () => {
    const error = await configError(storeFromUrl('s3://bucket/prefix'))
    expect(error.message).toContain('@stratacache/s3')
    expect(error.message).toContain('npm install @stratacache/s3 @aws-sdk/client-s3')
    const gcs = await configError(storeFromUrl('gs://bucket/prefix'))
    expect(gcs.message).toContain('npm install @stratacache/gcs @google-cloud/storage')
  })

  it("loads the scheme's package and calls its fromUrl(url, options)", async () => {
    const loaded: string[] = []
    const calls: [string, unknown][] = []
    const fake = new MemoryStore({ maxEntries: 1 })
    const importer = async (name: string) => {
      loaded.push(name)
      return {
        fromUrl: (url: URL, options?: Record<string, unknown>): CacheStore => {
          calls.push([url.href, options])
          return fake
        },
      }
    }
    expect(await openStoreFromUrl('redis://127.0.0.1:6390/2', { prefix: 'p' }, importer)).toBe(fake)
    await openStoreFromUrl('rediss://cache.example:6380', {}, importer)
    await openStoreFromUrl('file:///var/cache/app', {}, importer)
    await openStoreFromUrl('gs://bucket/prefix', {}, importer)
    expect(loaded).toEqual([
      '@stratacache/redis',
      '@stratacache/redis',
      '@stratacache/file',
      '@stratacache/gcs',
    ])
    expect(calls[0]).toEqual(['redis://127.0.0.1:6390/2', { prefix: 'p' }])
  })

  it('explains an adapter without fromUrl, or one that returns no store', async () => {
    expect((await configError(openStoreFromUrl('redis://h', {}, async () => ({})))).message).toMatch(
      /fromUrl/,
    )
    const notAStore = async () => ({ fromUrl: () => 42 })
    expect((await configError(openStoreFromUrl('redis://h', {}, notAStore))).message).toMatch(
      /did not return/,
    )
    const broken = async () => {
      throw new SyntaxError('Unexpected token')
    }
    const error = await configError(openStoreFromUrl('redis://h', {}, broken))
    expect(error.message).toMatch(/Loading @stratacache\/redis/)
    expect(error.cause).toBeInstanceOf(SyntaxError)
  })
})

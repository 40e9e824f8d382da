import { readdirSync, readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { CacheConfigError } from './errors'
import { MemoryStore } from './store/memory-store'
import type { CacheStore } from './store/store'
import { openStoreFromUrl, storeFromUrl } from './store-from-url'
import { registerStoreAdapter } from './store-url/adapter-registry'
import { KNOWN_ADAPTERS } from './store-url/known-adapters'

async function configError(run: Promise<unknown>): Promise<CacheConfigError> {
  try {
    await run
  } catch (error) {
    if (CacheConfigError.isInstance(error)) return error
    throw error
  }
  throw new Error('expected a CacheConfigError')
}

/** Node's own error for a package that is not installed. */
const notFound = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}' imported from /app/node_modules/x/index.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  })

const fakeStore = new MemoryStore({ maxEntries: 1 })

describe('storeFromUrl', () => {
  const unregister: (() => void)[] = []
  afterEach(() => {
    for (const undo of unregister.splice(0)) undo()
  })

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

  it('names a bad URL without its password, in the message and in the cause', async () => {
    const bad = await configError(storeFromUrl('not a url'))
    expect(bad.message).toContain('"not a url"')
    for (const secret of ['pa@ss', 'pa/ss', 'pa:ss', 'p%40ss']) {
      const invalid = await configError(storeFromUrl(`redis://admin:${secret}@db:port`))
      expect(invalid.message).toContain('redis://admin:***@db:port')
      expect(JSON.stringify({ ...(invalid.cause as object) })).not.toContain(secret)
      expect(String((invalid.cause as { input?: string }).input)).not.toContain(secret)
      const unknown = await configError(storeFromUrl(`mongodb://admin:${secret}@db:27017`))
      expect(unknown.message).toContain('mongodb:')
      expect(unknown.message).not.toContain(secret)
    }
    expect((await configError(storeFromUrl('file:///'))).message).toMatch(/directory is missing/)
    expect((await configError(storeFromUrl('gs:///prefix'))).message).toMatch(/bucket is missing/)
    expect((await configError(storeFromUrl('s3:///prefix'))).message).toMatch(/bucket is missing/)
  })

  it('advertises only the adapter packages of this repository', async () => {
    const root = new URL('../../../', import.meta.url)
    const packages = readdirSync(new URL('packages/', root)).map(
      (dir) => JSON.parse(readFileSync(new URL(`packages/${dir}/package.json`, root), 'utf8')).name as string,
    )
    for (const adapter of Object.values(KNOWN_ADAPTERS)) expect(packages).toContain(adapter.packageName)
    const unknown = await configError(storeFromUrl('nosuch://x'))
    for (const scheme of ['memory://', 'redis://', 'file://', 'gs://', 's3://'])
      expect(unknown.message).toContain(scheme)
    expect(unknown.message).not.toMatch(/azure:/)
  })

  it('names the package, the install command and registerStoreAdapter when the adapter is missing', async () => {
    const error = await configError(
      openStoreFromUrl('redis://u:pw@h:6379', {}, async (name) => {
        throw notFound(name)
      }),
    )
    expect(error.message).toContain('`npm install @stratacache/redis ioredis`')
    expect(error.message).toContain(`registerStoreAdapter(["redis:","rediss:"], fromUrl)`)
    expect(error.message).not.toContain('pw')
  })

  it('names a missing peer of an installed adapter rather than the adapter', async () => {
    const error = await configError(
      openStoreFromUrl('redis://h', {}, async () => {
        throw notFound('ioredis')
      }),
    )
    expect(error.message).toContain('cannot load its dependency ioredis: `npm install ioredis`')
  })

  it("loads the scheme's package and calls its fromUrl(url, options)", async () => {
    const loaded: string[] = []
    const calls: [string, unknown][] = []
    const importer = async (name: string) => {
      loaded.push(name)
      return {
        fromUrl: (url: URL, options?: Record<string, unknown>): CacheStore => {
          calls.push([url.href, options])
          return fakeStore
        },
      }
    }
    expect(await openStoreFromUrl('redis://127.0.0.1:6390/2', { prefix: 'p' }, importer)).toBe(fakeStore)
    await openStoreFromUrl('rediss://cache.example:6380', {}, importer)
    await openStoreFromUrl('file:///var/cache/app', {}, importer)
    expect(loaded).toEqual(['@stratacache/redis', '@stratacache/redis', '@stratacache/file'])
    expect(calls[0]).toEqual(['redis://127.0.0.1:6390/2', { prefix: 'p' }])
  })

  it('serves registered schemes first, without loading a package, and unregisters', async () => {
    const seen: string[] = []
    const fromUrl = (url: URL) => {
      seen.push(url.href)
      return fakeStore
    }
    const undo = registerStoreAdapter(['redis', 'azure://'], fromUrl)
    unregister.push(undo)
    const refuse = async () => {
      throw new Error('must not load a package')
    }
    expect(await openStoreFromUrl('redis://h:1', {}, refuse)).toBe(fakeStore)
    expect(await openStoreFromUrl('azure://container/p', {}, refuse)).toBe(fakeStore)
    expect(seen).toEqual(['redis://h:1', 'azure://container/p'])
    undo()
    await expect(openStoreFromUrl('azure://c', {}, refuse)).rejects.toThrow(/Unsupported store URL/)
    expect(() => registerStoreAdapter('not a scheme', fromUrl)).toThrow(CacheConfigError)
  })

  it('shares registrations across copies of core through a global symbol', () => {
    const fromUrl = () => fakeStore
    unregister.push(registerStoreAdapter('copy', fromUrl))
    const registry = (globalThis as Record<symbol, Map<string, unknown>>)[
      Symbol.for('stratacache.storeUrlAdapters')
    ]
    expect(registry?.get('copy:')).toBe(fromUrl)
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

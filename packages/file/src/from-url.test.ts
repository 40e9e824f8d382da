import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CacheConfigError } from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { entryAt, scratchDir } from '../test/helpers'
import { FileStore } from './file-store'
import { fromUrl } from './from-url'

let root: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  ;({ root, cleanup } = await scratchDir('url'))
})
afterEach(async () => {
  await cleanup()
})

describe('fromUrl', () => {
  it('opens a FileStore on the URL path', async () => {
    const dir = join(root, 'my cache')
    const store = fromUrl(pathToFileURL(dir))
    expect(store).toBeInstanceOf(FileStore)
    expect(store.dir).toBe(dir)
    await store.set('k', entryAt('v', Date.now()))
    expect((await store.get('k'))?.value).toBe('v')
    await store.close()
  })

  it('reads options from the query, and explicit options win', async () => {
    const clock = new ManualClock()
    const url = pathToFileURL(join(root, 'q'))
    url.search = '?maxBytes=400&pruneInterval=5m&dedupeWrites=true&fsync=0&compress=false'
    const store = fromUrl(url, { clock })
    expect(store.dir).toBe(join(root, 'q'))
    expect(clock.pendingTimers).toBe(1) // the prune interval
    await store.set('big', entryAt('x'.repeat(1000), clock.now()))
    expect(await store.has('big')).toBe(false) // over maxBytes (uncompressed)
    await store.close()
    const overridden = fromUrl(url, { clock, maxBytes: 1_000_000, dir: join(root, 'other') })
    expect(overridden.dir).toBe(join(root, 'other'))
    await overridden.set('big', entryAt('x'.repeat(1000), clock.now()))
    expect(await overridden.has('big')).toBe(true)
    await overridden.close()
  })

  it('accepts a numeric pruneInterval in seconds', async () => {
    const clock = new ManualClock()
    const url = pathToFileURL(join(root, 'n'))
    url.search = '?pruneInterval=30'
    const store = fromUrl(url, { clock })
    expect(clock.pendingTimers).toBe(1)
    await store.close()
  })

  it.each([
    ['another protocol', 'redis://localhost/0', 'url'],
    ['a remote host', 'file://server/share/cache', 'url'],
    ['an unknown parameter', 'file:///tmp/x?size=1', 'size'],
    ['a bad boolean', 'file:///tmp/x?fsync=yes', 'fsync'],
    ['a bad maxBytes', 'file:///tmp/x?maxBytes=lots', 'maxBytes'],
    ['a bad pruneInterval', 'file:///tmp/x?pruneInterval=often', 'pruneInterval'],
  ])('rejects %s with CacheConfigError naming it', (_label, href, option) => {
    let caught: unknown
    try {
      fromUrl(new URL(href))
    } catch (error) {
      caught = error
    }
    expect(CacheConfigError.isInstance(caught)).toBe(true)
    expect((caught as CacheConfigError).option).toBe(option)
  })
})

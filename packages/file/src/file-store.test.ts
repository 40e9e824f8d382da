import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import {
  CacheConfigError,
  CacheSerializationError,
  CacheTimeoutError,
  EntryCodec,
  readEntryTimeline,
} from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { entryAt, listTree, lockPathOf, scratchDir, tempPathNear, writeRawEntryBytes } from '../test/helpers'
import { FileStore, type FileStoreOptions } from './file-store'

let root: string
let cleanup: () => Promise<void>
let clock: ManualClock
let errors: unknown[]
let stores: FileStore[]

beforeEach(async () => {
  ;({ root, cleanup } = await scratchDir('store'))
  clock = new ManualClock()
  errors = []
  stores = []
})

afterEach(async () => {
  for (const store of stores) await store.close()
  await cleanup()
})

function open(options: Partial<FileStoreOptions> = {}): FileStore {
  const store = new FileStore({
    dir: join(root, 'cache'),
    clock,
    onError: (error) => errors.push(error),
    ...options,
  })
  stores.push(store)
  return store
}

const now = () => clock.now()

describe('FileStore layout', () => {
  it('writes one file per entry in a two-level shard tree, holding the codec bytes unchanged', async () => {
    const store = open({ compress: false })
    const entry = { ...entryAt({ id: 1 }, now()), tags: ['t'] }
    await store.set('user:1', entry)
    expect(relative(store.dir, store.pathOf('user:1'))).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{2}\/user~3a1\.blob$/)
    const expected = await new EntryCodec({ compress: false }).encode(entry, 'user:1', { embedKey: true })
    expect(Buffer.from(await readFile(store.pathOf('user:1'))).equals(Buffer.from(expected))).toBe(true)
    expect(await listTree(store.dir)).toHaveLength(3) // ab, ab/cd, ab/cd/<entry>: no temp file left
  })

  it('reads entries whose codec bytes were written by another byte store', async () => {
    const store = open()
    const entry = entryAt('from redis', now())
    await writeRawEntryBytes(store, 'k', await new EntryCodec().encode(entry, 'k'))
    expect(await store.get('k')).toEqual(entry)
  })

  it('gzips large payloads by default, and not when compress is false', async () => {
    const big = entryAt('abc'.repeat(10_000), now())
    const compressed = open({ dir: join(root, 'gzip') })
    const plain = open({ dir: join(root, 'plain'), compress: false })
    await compressed.set('big', big)
    await plain.set('big', big)
    const sizeOf = async (store: FileStore) => (await stat(store.pathOf('big'))).size
    expect(await sizeOf(compressed)).toBeLessThan(2000)
    expect(await sizeOf(plain)).toBeGreaterThan(30_000)
    expect(await compressed.get('big')).toEqual(big)
  })

  it('accepts a file: URL as dir', async () => {
    const store = open({ dir: new URL(`file://${join(root, 'from-url')}`) })
    expect(store.dir).toBe(join(root, 'from-url'))
    await store.set('k', entryAt(1, now()))
    expect((await store.get('k'))?.value).toBe(1)
  })
})

describe('FileStore keys never escape dir', () => {
  const hostile = [
    '../../etc/passwd',
    '../escape',
    '..',
    '.',
    '/abs/path',
    '/',
    'C:\\x',
    'C:/x',
    '\\\\server\\share\\x',
    'nul\u0000byte',
    '\u0000',
    '🔑/../../ключ',
    'x/'.repeat(5 * 1024),
    'é'.repeat(5 * 1024),
  ]

  it('creates nothing outside dir for any key, and every key round-trips', async () => {
    const parent = join(root, 'parent')
    await mkdir(join(parent, 'dir'), { recursive: true })
    await writeFile(join(parent, 'sibling.txt'), 'keep')
    const before = await listTree(root)
    const store = open({ dir: join(parent, 'dir') })
    for (const [i, key] of hostile.entries()) {
      await store.set(key, entryAt(i, now()))
      expect(await store.setIfAbsent(`${key}#2`, entryAt(i, now()))).toBe(true)
    }
    for (const [i, key] of hostile.entries()) expect((await store.get(key))?.value).toBe(i)
    const after = await listTree(root)
    const added = after.filter((path) => !before.includes(path))
    expect(added.length).toBeGreaterThan(0)
    for (const path of added) expect(path.startsWith('parent/dir/')).toBe(true)
    expect(await store.deleteMatching('*')).toBe(hostile.length * 2)
    await store.clear()
    expect(await listTree(root)).toEqual(before)
  })
})

describe('FileStore corrupt and foreign files', () => {
  it('a file that is not an entry is a miss, reported and removed', async () => {
    const store = open()
    await writeRawEntryBytes(store, 'k', new TextEncoder().encode('hello, I am not an entry'))
    expect(await store.get('k')).toBeUndefined()
    expect(errors).toHaveLength(1)
    expect(CacheSerializationError.isInstance(errors[0])).toBe(true)
    expect((errors[0] as CacheSerializationError).key).toBe('k')
    await expect(stat(store.pathOf('k'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('an entry holding another key is a miss, reported and removed', async () => {
    const store = open()
    const bytes = await new EntryCodec().encode(entryAt(1, now()), 'other', { embedKey: true })
    await writeRawEntryBytes(store, 'k', bytes)
    expect(await store.has('k')).toBe(false)
    expect(errors).toHaveLength(1)
    expect(await store.get('k')).toBeUndefined()
  })

  it('a truncated entry (valid header, cut payload) is a miss for get, reported with the key', async () => {
    const store = open()
    await store.set('k', entryAt('x'.repeat(5000), now()))
    const path = store.pathOf('k')
    const whole = await readFile(path)
    await writeFile(path, whole.subarray(0, whole.length - 10))
    expect(await store.get('k')).toBeUndefined()
    expect(CacheSerializationError.isInstance(errors[0])).toBe(true)
    expect((errors[0] as CacheSerializationError).key).toBe('k')
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('an entry announcing a huge key is corrupt for every reader, without a huge allocation', async () => {
    const store = open()
    const header = await new EntryCodec().encode(entryAt(1, now()), 'k', { embedKey: true })
    const bogus = header.slice(0, 50)
    new DataView(bogus.buffer).setUint32(41, 0xffff_ffff)
    await writeRawEntryBytes(store, 'k', bogus)
    expect(await store.deleteMatching('*')).toBe(0) // matched by its name, removed, not counted as live
    await writeRawEntryBytes(store, 'k', bogus)
    expect(await store.prune()).toBe(1)
    await writeRawEntryBytes(store, 'k', bogus)
    expect(await store.has('k')).toBe(false)
    await writeRawEntryBytes(store, 'k', bogus)
    expect(await store.get('k')).toBeUndefined()
    expect(errors.every((error) => CacheSerializationError.isInstance(error))).toBe(true)
  })

  it('a throwing onError does not break the read', async () => {
    const store = open({
      onError: () => {
        throw new Error('handler bug')
      },
    })
    await writeRawEntryBytes(store, 'k', Uint8Array.of(1, 2, 3))
    expect(await store.get('k')).toBeUndefined()
  })
})

describe('FileStore expiry', () => {
  it('a dead entry is a miss and its file is removed on read', async () => {
    const store = open()
    await store.set('k', entryAt('v', now(), 1000, 500))
    const path = store.pathOf('k')
    await clock.advance(1499)
    expect((await store.get('k'))?.value).toBe('v')
    await clock.advance(1)
    expect(await store.has('k')).toBe(false)
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' })
    expect(errors).toEqual([])
  })

  it('setIfAbsent reclaims a dead entry, and only one of many concurrent callers wins it', async () => {
    const store = open()
    await store.set('k', entryAt('old', now(), 100))
    await clock.advance(100)
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.setIfAbsent('k', entryAt(`new ${i}`, now()))),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    expect((await store.get('k'))?.value).toBe(`new ${results.indexOf(true)}`)
    expect((await listTree(store.dir)).filter((path) => /\.(tmp|lock)$/.test(path))).toEqual([])
  })

  it('setIfAbsent over a dead entry leaves it to a reclaimer holding the lock', async () => {
    const store = open()
    await store.set('k', entryAt('old', now(), 100))
    await clock.advance(100)
    const lockPath = lockPathOf(store, 'k')
    await writeFile(lockPath, '12345') // another process is reclaiming right now
    expect(await store.setIfAbsent('k', entryAt('new', now()))).toBe(false)
    const abandoned = new Date(Date.now() - 120_000)
    await utimes(lockPath, abandoned, abandoned) // ...unless it crashed long ago
    expect(await store.setIfAbsent('k', entryAt('new', now()))).toBe(true)
    expect((await store.get('k'))?.value).toBe('new')
    await expect(stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('setIfAbsent does not replace a stale (still servable) entry', async () => {
    const store = open()
    await store.set('k', entryAt('stale', now(), 100, 1000))
    await clock.advance(500)
    expect(await store.setIfAbsent('k', entryAt('new', now()))).toBe(false)
    expect((await store.get('k'))?.value).toBe('stale')
  })
})

describe('FileStore prune', () => {
  it('removes dead, corrupt and abandoned files, keeps live entries and foreign files', async () => {
    const store = open()
    for (let i = 0; i < 150; i++) await store.set(`short:${i}`, entryAt(i, now(), 100))
    for (let i = 0; i < 20; i++) await store.set(`long:${i}`, entryAt(i, now(), 10_000))
    await writeRawEntryBytes(store, 'garbage', Uint8Array.of(1, 2, 3))
    const shardDir = dirname(store.pathOf('long:0'))
    const lockPath = lockPathOf(store, 'long:0')
    const oldTemp = tempPathNear(store, 'long:0')
    const youngTemp = tempPathNear(store, 'long:0')
    const legacy = join(shardDir, `long_0.${'0'.repeat(64)}.entry`)
    await writeFile(oldTemp, 'partial')
    await writeFile(legacy, 'an entry of the format before BlobStore')
    await writeFile(lockPath, 'crashed reclaimer')
    await utimes(lockPath, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000))
    await writeFile(youngTemp, 'in flight')
    const abandoned = new Date(Date.now() - 120_000)
    await utimes(oldTemp, abandoned, abandoned)
    await writeFile(join(store.dir, 'README.txt'), 'mine')
    await writeFile(join(shardDir, 'notes.txt'), 'mine too')
    await clock.advance(100)

    let ticks = 0
    const ticker = setInterval(() => ticks++, 0)
    const removed = await store.prune()
    clearInterval(ticker)

    expect(removed).toBe(152) // 150 dead, 1 corrupt, 1 of the old format
    expect(ticks).toBeGreaterThan(0) // the sweep yielded to the event loop between batches
    expect(errors.filter((error) => CacheSerializationError.isInstance(error))).toHaveLength(1)
    const left = await listTree(store.dir)
    expect(left.filter((path) => path.endsWith('.blob'))).toHaveLength(20)
    expect(left).not.toContain(relative(store.dir, legacy))
    expect(left).toContain('README.txt')
    expect(left).toContain(relative(store.dir, join(shardDir, 'notes.txt')))
    expect(left).toContain(relative(store.dir, youngTemp))
    expect(left).not.toContain(relative(store.dir, oldTemp))
    expect(left).not.toContain(relative(store.dir, lockPath))
    for (let i = 0; i < 20; i++) expect((await store.get(`long:${i}`))?.value).toBe(i)
  })

  it('pruneInterval sweeps on the clock until close', async () => {
    const store = open({ pruneInterval: '1m' })
    await store.set('k', entryAt('v', now(), 1000))
    const path = store.pathOf('k')
    await clock.advance(60_000)
    // the sweep runs real file I/O: wait for it to finish before looking
    await store.prune()
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' })
    await clock.advance(1250) // one more tick of the operationTimeout watch, which then stops
    expect(clock.pendingTimers).toBe(1)
    await store.close()
    expect(clock.pendingTimers).toBe(0)
  })

  it('a prune in progress is shared by concurrent callers', async () => {
    const store = open()
    for (let i = 0; i < 10; i++) await store.set(`k${i}`, entryAt(i, now(), 10))
    await clock.advance(10)
    const first = store.prune()
    expect(store.prune()).toBe(first)
    expect(await first).toBe(10)
    expect(await store.prune()).toBe(0)
  })

  it('close stops a sweep in progress and waits for it', async () => {
    const store = open()
    for (let i = 0; i < 10; i++) await store.set(`k${i}`, entryAt(i, now(), 10))
    await clock.advance(10)
    const sweep = store.prune()
    await store.close()
    expect(await sweep).toBe(0)
    expect((await listTree(store.dir)).filter((path) => path.endsWith('.blob'))).toHaveLength(10)
  })
})

describe('FileStore clear', () => {
  it('removes only its own files and leaves anything else in dir', async () => {
    const store = open()
    await store.setMany([
      ['a', entryAt(1, now())],
      ['b', entryAt(2, now())],
    ])
    const shardDir = dirname(store.pathOf('a'))
    await writeFile(join(store.dir, 'sibling.txt'), 'user data')
    await writeFile(join(shardDir, 'user.entry'), 'looks similar, is not ours')
    await mkdir(join(store.dir, 'nested', 'ab', 'cd'), { recursive: true })
    await writeFile(join(store.dir, 'nested', 'ab', 'cd', `x.${'0'.repeat(64)}.entry`), 'not in our tree')
    await store.clear()
    expect(await store.has('a')).toBe(false)
    expect(await listTree(store.dir)).toEqual(
      [
        'nested',
        'nested/ab',
        'nested/ab/cd',
        `nested/ab/cd/x.${'0'.repeat(64)}.entry`,
        'sibling.txt',
        relative(store.dir, shardDir).split('/')[0] as string,
        relative(store.dir, shardDir),
        relative(store.dir, join(shardDir, 'user.entry')),
      ].sort(),
    )
    expect(await readFile(join(store.dir, 'sibling.txt'), 'utf8')).toBe('user data')
  })

  it('on a directory that does not exist yet is a no-op', async () => {
    const store = open({ dir: join(root, 'never-written') })
    await store.clear()
    expect(await store.deleteMatching('*')).toBe(0)
    expect(await store.prune()).toBe(0)
  })
})

describe('FileStore maxBytes', () => {
  const sizeOfEntry = async (store: FileStore, key: string) => (await stat(store.pathOf(key))).size

  it('evicts the least recently used entries; reads count as use without writing', async () => {
    const store = open({ maxBytes: 10_000, compress: false })
    await store.set('a', entryAt('x'.repeat(2000), now()))
    const entrySize = await sizeOfEntry(store, 'a')
    const fit = Math.floor(10_000 / entrySize)
    for (let i = 1; i < fit; i++) await store.set(`k${i}`, entryAt('x'.repeat(2000), now()))
    const mtimeBefore = (await stat(store.pathOf('a'))).mtimeMs
    expect((await store.get('a'))?.value).toHaveLength(2000) // 'a' becomes the most recent
    expect((await stat(store.pathOf('a'))).mtimeMs).toBe(mtimeBefore)
    await store.set('new', entryAt('x'.repeat(2000), now()))
    expect(await store.has('a')).toBe(true)
    expect(await store.has('k1')).toBe(false) // the least recently used went
    expect(await store.has('new')).toBe(true)
    const kept = (await listTree(store.dir)).filter((path) => path.endsWith('.blob')).length
    expect(kept).toBe(fit)
  })

  it('builds its index from the files already in dir, oldest first', async () => {
    const writer = open({ compress: false })
    for (let i = 0; i < 5; i++) {
      await writer.set(`old${i}`, entryAt('x'.repeat(1000), now()))
      const when = new Date(Date.now() - (10 - i) * 1000)
      await utimes(writer.pathOf(`old${i}`), when, when)
    }
    const entrySize = await sizeOfEntry(writer, 'old0')
    const bounded = open({ maxBytes: entrySize * 5 + 10, compress: false })
    await bounded.set('fresh', entryAt('x'.repeat(1000), now()))
    expect(await bounded.has('old0')).toBe(false)
    expect(await bounded.has('old1')).toBe(true)
    expect(await bounded.has('fresh')).toBe(true)
  })

  it('does not store an entry larger than maxBytes, and drops the previous one', async () => {
    const store = open({ maxBytes: 500, compress: false })
    await store.set('k', entryAt('small', now()))
    await store.set('k', entryAt('x'.repeat(1000), now()))
    expect(await store.get('k')).toBeUndefined()
  })

  it('prune refreshes the index with files other processes wrote', async () => {
    const store = open({ maxBytes: 100_000, compress: false })
    const other = open({ compress: false })
    await store.set('mine', entryAt('x', now()))
    for (let i = 0; i < 3; i++) await other.set(`theirs${i}`, entryAt('x'.repeat(40_000), now()))
    await store.prune()
    await store.set('trigger', entryAt('x', now()))
    const survivors = await Promise.all(['theirs0', 'theirs1', 'theirs2'].map((key) => store.has(key)))
    expect(survivors.filter(Boolean)).toHaveLength(2)
  })
})

describe('FileStore batches with repeated keys', () => {
  it('setMany writes a repeated key once, with its last entry (never a concurrent race)', async () => {
    const store = open()
    const items = Array.from({ length: 40 }, (_, i): [string, ReturnType<typeof entryAt>] => [
      i % 2 === 0 ? 'k' : `other${i}`,
      entryAt(i, now()),
    ])
    await store.setMany(items)
    expect((await store.get('k'))?.value).toBe(38)
    expect((await listTree(store.dir)).filter((path) => path.endsWith('.tmp')).length).toBe(0)
  })

  it('deleteMany counts a repeated key once', async () => {
    const store = open()
    await store.set('k', entryAt('v', now()))
    expect(await store.deleteMany(['k', 'k', 'k', 'missing'])).toBe(1)
  })
})

describe('FileStore dedupeWrites', () => {
  it('skips rewriting identical bytes, rewrites different ones', async () => {
    const store = open({ dedupeWrites: true })
    const entry = entryAt('v', now())
    await store.set('k', entry)
    const path = store.pathOf('k')
    const first = await stat(path)
    await store.set('k', entry)
    expect((await stat(path)).ino).toBe(first.ino)
    await store.set('k', entryAt('w', now()))
    expect((await stat(path)).ino).not.toBe(first.ino)
    expect((await store.get('k'))?.value).toBe('w')
  })

  it('is off by default: every set replaces the file', async () => {
    const store = open()
    const entry = entryAt('v', now())
    await store.set('k', entry)
    const path = store.pathOf('k')
    const first = await stat(path)
    await store.set('k', entry)
    expect((await stat(path)).ino).not.toBe(first.ino)
  })
})

describe('FileStore fsync', () => {
  it('flushes the temporary file and syncs the directory', async () => {
    const calls: string[] = []
    const fs = await import('node:fs/promises')
    const store = open({
      fsync: true,
      fs: {
        ...fs,
        writeFile: async (path, data, options) => {
          calls.push(`write flush=${String(options.flush)}`)
          await fs.writeFile(path, data, options)
        },
        open: async (path, flags) => {
          const handle = await fs.open(path, flags)
          return {
            read: (...args) => handle.read(...args),
            stat: () => handle.stat(),
            close: () => handle.close(),
            sync: async () => {
              calls.push(`sync ${relative(root, path)}`)
              await handle.sync()
            },
          }
        },
      },
    })
    await store.set('k', entryAt('v', now()))
    calls.length = 0 // the first write also created the shard directories
    await store.set('k', entryAt('w', now()))
    expect(calls).toEqual(['write flush=true', `sync ${relative(root, dirname(store.pathOf('k')))}`])
    expect((await store.get('k'))?.value).toBe('w')
  })
})

describe('FileStore header reads', () => {
  it('has() reads the header only: it answers from the timeline without decoding the payload', async () => {
    const store = open({ compress: false })
    await store.set('k', entryAt('x'.repeat(100_000), now(), 1000))
    const bytes = await readFile(store.pathOf('k'))
    expect(readEntryTimeline(bytes)).toMatchObject({
      freshUntil: now() + 1000,
    })
    expect(await store.has('k')).toBe(true)
    await clock.advance(1000)
    expect(await store.has('k')).toBe(false)
  })
})

describe('FileStore options', () => {
  it.each([
    ['dir missing', {}, 'dir'],
    ['dir empty', { dir: '' }, 'dir'],
    ['dir with NUL', { dir: '/tmp/a\u0000b' }, 'dir'],
    ['dir not a file URL', { dir: new URL('https://example.com/x') }, 'dir'],
    ['maxBytes zero', { dir: '/tmp/x', maxBytes: 0 }, 'maxBytes'],
    ['maxBytes fractional', { dir: '/tmp/x', maxBytes: 1.5 }, 'maxBytes'],
    ['maxBytes string', { dir: '/tmp/x', maxBytes: '1GB' }, 'maxBytes'],
    ['pruneInterval bad', { dir: '/tmp/x', pruneInterval: 'soon' }, 'pruneInterval'],
    ['pruneInterval zero', { dir: '/tmp/x', pruneInterval: 0 }, 'pruneInterval'],
    ['pruneInterval infinite', { dir: '/tmp/x', pruneInterval: Infinity }, 'pruneInterval'],
    ['dedupeWrites not boolean', { dir: '/tmp/x', dedupeWrites: 'yes' }, 'dedupeWrites'],
    ['fsync not boolean', { dir: '/tmp/x', fsync: 1 }, 'fsync'],
    ['onError not a function', { dir: '/tmp/x', onError: 'log' }, 'onError'],
    ['compress invalid', { dir: '/tmp/x', compress: 'gzip' }, 'compress'],
  ])('%s throws CacheConfigError naming the option', (_label, options, option) => {
    let caught: unknown
    try {
      new FileStore(options as FileStoreOptions)
    } catch (error) {
      caught = error
    }
    expect(CacheConfigError.isInstance(caught)).toBe(true)
    expect((caught as CacheConfigError).option).toBe(option)
    expect((caught as Error).message).toContain(option)
  })

  it('creates nothing on disk until the first write', async () => {
    const dir = join(root, 'lazy')
    const store = open({ dir })
    expect(await store.get('k')).toBeUndefined()
    expect(await listTree(root)).toEqual([])
    await store.set('k', entryAt(1, now()))
    expect((await listTree(root)).length).toBeGreaterThan(0)
  })
})

describe('FileStore entries from before BlobStore', () => {
  it('are misses, never errors, and clear removes them', async () => {
    const store = open()
    const legacyDir = join(store.dir, 'ab', 'cd')
    await mkdir(legacyDir, { recursive: true })
    const legacy = join(legacyDir, `k.${'a'.repeat(64)}.entry`)
    const frame = Uint8Array.of(0x53, 0x43, 0x46, 0x01, 0, 0, 0, 1, 0x6b)
    await writeFile(legacy, Buffer.concat([frame, await new EntryCodec().encode(entryAt(1, now()), 'k')]))
    expect(await store.get('k')).toBeUndefined()
    expect(await store.has('k')).toBe(false)
    expect(await store.deleteMatching('*')).toBe(0)
    expect(errors).toEqual([])
    await store.clear()
    expect(await listTree(store.dir)).toEqual([])
  })
})

describe('FileStore operationTimeout and option names', () => {
  it('bounds a disk call that hangs with CacheTimeoutError, and works again after', async () => {
    const fs = await import('node:fs/promises')
    let hang = true
    const store = open({
      operationTimeout: '2s',
      fs: { ...fs, open: (path, flags) => (hang ? new Promise(() => {}) : fs.open(path, flags)) },
    })
    const pending = store.get('k').catch((error: unknown) => error)
    await clock.advance(2000)
    const error = await pending
    expect(CacheTimeoutError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ store: 'file', operation: 'get', key: 'k' })
    hang = false
    await store.set('k', entryAt(1, now()))
    expect((await store.get('k'))?.value).toBe(1)
  })

  it('rejects unknown options, prefix included, naming them', () => {
    expect(() => new FileStore({ dir: root, prefix: 'a/' } as FileStoreOptions)).toThrow(
      /unknown option "prefix"/,
    )
    expect(() => new FileStore({ dir: root, maxbytes: 1 } as FileStoreOptions)).toThrow(
      /unknown option "maxbytes"/,
    )
  })
})

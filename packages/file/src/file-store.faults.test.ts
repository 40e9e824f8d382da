import * as fs from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { CacheStoreError } from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { entryAt, listTree, scratchDir, systemError } from '../test/helpers'
import { FileStore } from './file-store'
import type { FileStoreFileSystem } from './file-system'

type Method = keyof FileStoreFileSystem

let root: string
let cleanup: () => Promise<void>
const clock = new ManualClock()
/** Methods of the file system that currently fail, with the error code they fail with. */
let faults: Partial<Record<Method, string>>
/** With a fault on writeFile: write this many bytes before failing (a disk filling up mid-write). */
let partialWrite = 0

/** The real file system, except for the methods listed in `faults`. */
const faultyFs: FileStoreFileSystem = {
  readFile: (path) => fail('readFile') ?? fs.readFile(path),
  writeFile: async (path, data, options) => {
    const code = faults.writeFile
    if (code === undefined) return fs.writeFile(path, data, options)
    if (partialWrite > 0) await fs.writeFile(path, data.subarray(0, partialWrite), options)
    throw systemError(code)
  },
  open: (path, flags) => fail('open') ?? fs.open(path, flags),
  rename: (from, to) => fail('rename') ?? fs.rename(from, to),
  link: (from, to) => fail('link') ?? fs.link(from, to),
  unlink: (path) => fail('unlink') ?? fs.unlink(path),
  readdir: (path) => fail('readdir') ?? fs.readdir(path),
  stat: (path) => fail('stat') ?? fs.stat(path),
  mkdir: (path, options) => fail('mkdir') ?? fs.mkdir(path, options),
  rmdir: (path) => fail('rmdir') ?? fs.rmdir(path),
}

function fail(method: Method): Promise<never> | undefined {
  const code = faults[method]
  return code === undefined ? undefined : Promise.reject(systemError(code))
}

let store: FileStore
let dir: string

beforeEach(async () => {
  ;({ root, cleanup } = await scratchDir('faults'))
  faults = {}
  partialWrite = 0
  dir = join(root, 'cache')
  store = new FileStore({ dir, clock, fs: faultyFs, onError: () => {} })
})

afterEach(async () => {
  await store.close()
  await cleanup()
})

async function rejection(promise: Promise<unknown>): Promise<CacheStoreError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(CacheStoreError.isInstance(error), String(error)).toBe(true)
  return error as CacheStoreError
}

describe('FileStore faults', () => {
  it.each([
    ['disk full', 'ENOSPC'],
    ['permission denied', 'EACCES'],
    ['read-only directory', 'EROFS'],
  ])(
    '%s on write: CacheStoreError naming the operation and path; nothing on disk changes',
    async (_label, code) => {
      await store.set('k', entryAt('before', clock.now()))
      const before = await listTree(root)
      faults.writeFile = code
      partialWrite = 10
      const error = await rejection(store.set('k', entryAt('after', clock.now())))
      expect(error.store).toBe('file')
      expect(error.operation).toBe('set')
      expect(error.key).toBe('k')
      expect(error.message).toContain(code)
      expect(error.message).toContain(dirname(store.pathOf('k')))
      expect(await listTree(root)).toEqual(before)
      faults = {}
      expect((await store.get('k'))?.value).toBe('before')
      await store.set('k', entryAt('after', clock.now()))
      expect((await store.get('k'))?.value).toBe('after') // works again once the disk does
    },
  )

  it('a failed first write removes the directories it created', async () => {
    faults.writeFile = 'ENOSPC'
    const error = await rejection(store.setMany([['k', entryAt(1, clock.now())]]))
    expect(error.operation).toBe('setMany')
    expect(await listTree(root)).toEqual([])
  })

  it('a directory that cannot be created: CacheStoreError naming it', async () => {
    await fs.writeFile(join(root, 'a-file'), 'x')
    const blocked = new FileStore({ dir: join(root, 'a-file', 'cache'), clock })
    const error = await rejection(blocked.set('k', entryAt(1, clock.now())))
    expect(error.message).toContain('create directory')
    expect(error.message).toContain(join(root, 'a-file', 'cache'))
    expect(error.message).toContain('ENOTDIR')
    faults.mkdir = 'EACCES'
    const denied = await rejection(store.set('k', entryAt(1, clock.now())))
    expect(denied.message).toContain('EACCES')
    expect(await listTree(root)).toEqual(['a-file'])
  })

  it('a failed rename keeps the previous entry and removes the temporary file', async () => {
    await store.set('k', entryAt('before', clock.now()))
    const before = await listTree(root)
    faults.rename = 'EACCES'
    const error = await rejection(store.set('k', entryAt('after', clock.now())))
    expect(error.message).toContain(store.pathOf('k'))
    expect(error.message).toContain('rename')
    expect(await listTree(root)).toEqual(before)
    faults = {}
    expect((await store.get('k'))?.value).toBe('before')
  })

  it('setIfAbsent: a failed link is an error and leaves nothing behind', async () => {
    await store.set('other', entryAt(1, clock.now()))
    const before = await listTree(root)
    faults.link = 'EPERM'
    const error = await rejection(store.setIfAbsent('k', entryAt(1, clock.now())))
    expect(error.operation).toBe('setIfAbsent')
    expect(error.message).toContain('link')
    expect(await listTree(root)).toEqual(before)
  })

  it('permission denied on read, delete, scan: CacheStoreError with the operation', async () => {
    await store.set('k', entryAt(1, clock.now()))
    faults.open = 'EACCES'
    expect((await rejection(store.get('k'))).operation).toBe('get')
    expect((await rejection(store.getMany(['k']))).operation).toBe('getMany')
    expect((await rejection(store.has('k'))).operation).toBe('has')
    faults = { unlink: 'EACCES' }
    expect((await rejection(store.delete('k'))).operation).toBe('delete')
    faults = { readdir: 'EACCES' }
    expect((await rejection(store.deleteMatching('*'))).message).toContain(dir)
    faults = { unlink: 'EACCES' }
    expect((await rejection(store.clear())).operation).toBe('clear')
    faults = {}
    expect(await store.delete('k')).toBe(true)
  })

  it('a dead entry that cannot be removed is still a miss, and the failure is reported', async () => {
    const reported: unknown[] = []
    const reporting = new FileStore({ dir, clock, fs: faultyFs, onError: (error) => reported.push(error) })
    await reporting.set('k', entryAt(1, clock.now(), 10))
    await clock.advance(10)
    faults.writeFile = 'EROFS' // the reclaim lock cannot be taken on a read-only directory
    expect(await reporting.get('k')).toBeUndefined()
    expect(reported).toHaveLength(1)
    expect(CacheStoreError.isInstance(reported[0])).toBe(true)
  })

  it('a maxBytes index that cannot be built fails the write, and is retried on the next one', async () => {
    const bounded = new FileStore({ dir, clock, fs: faultyFs, maxBytes: 1_000_000 })
    faults.readdir = 'EIO'
    const error = await rejection(bounded.set('k', entryAt(1, clock.now())))
    expect(error.message).toContain('scan')
    faults = {}
    await bounded.set('k', entryAt(2, clock.now()))
    expect((await bounded.get('k'))?.value).toBe(2)
  })
})

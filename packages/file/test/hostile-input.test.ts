import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { CacheSerializationError, cache } from '@stratacache/core'
import { forgeInflatingEntry } from '@stratacache/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileStore } from '../src/file-store'
import { scratchDir, writeRawEntryBytes } from './helpers'

const GIB = 1024 ** 3
const MIB = 1024 ** 2

let root: string
let cleanup: () => Promise<void>
beforeEach(async () => {
  ;({ root, cleanup } = await scratchDir('hostile'))
})
afterEach(async () => {
  await cleanup()
})

describe('FileStore against hostile input (real disk)', () => {
  it.each([
    ['claims 1 GiB', GIB],
    ['claims 1 MiB and inflates to 1 GiB', MIB],
  ])('a forged entry that %s is a miss reported to onError, fast and small', async (_label, declares) => {
    const errors: unknown[] = []
    const store = new FileStore({ dir: join(root, 'cache'), onError: (error) => errors.push(error) })
    const bomb = await forgeInflatingEntry({ inflatesTo: GIB, declares })
    await writeRawEntryBytes(store, 'a', bomb)
    await writeRawEntryBytes(store, 'b', bomb)
    const before = process.memoryUsage().arrayBuffers
    const startedAt = performance.now()
    const [a, b] = await Promise.all([store.get('a'), store.get('b')])
    expect(performance.now() - startedAt).toBeLessThan(1000)
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * MIB)
    expect([a, b]).toEqual([undefined, undefined])
    expect(errors).toHaveLength(2)
    expect(errors.every((error) => CacheSerializationError.isInstance(error))).toBe(true)
    await expect(stat(store.pathOf('a'))).rejects.toMatchObject({ code: 'ENOENT' })
    await store.close()
  })

  it('keys differing only in a lone surrogate never get each other’s value under cache()', async () => {
    const store = new FileStore({ dir: join(root, 'cache'), onError: () => {} })
    let calls = 0
    const echo = cache({ ttl: 60, key: 'q:{0}', store, onError: () => {} })(async (query: string) => {
      calls++
      return `result for ${JSON.stringify(query)}`
    })
    expect(await echo('\uD800')).toBe(`result for ${JSON.stringify('\uD800')}`)
    expect(await echo('\uDC00')).toBe(`result for ${JSON.stringify('\uDC00')}`)
    expect(await echo('\uFFFD')).toBe(`result for ${JSON.stringify('\uFFFD')}`)
    expect(await echo('\uFFFD')).toBe(`result for ${JSON.stringify('\uFFFD')}`)
    expect(calls).toBe(3) // the well-formed key is cached; the ill-formed ones are refused, never confused
    await store.close()
  })
})

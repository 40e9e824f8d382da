import { CacheSerializationError, cache } from '@stratacache/core'
import { forgeInflatingEntry } from '@stratacache/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { RedisStore } from '../src/redis-store'
import { standaloneClient } from './support/clients'

const GIB = 1024 ** 3
const MIB = 1024 ** 2

describe('RedisStore against hostile input (real Redis)', () => {
  const client = standaloneClient()
  afterAll(async () => {
    await client.quit()
  })

  function storeWithErrors(prefix: string) {
    const errors: unknown[] = []
    const store = new RedisStore({ client, prefix, onError: (error) => errors.push(error) })
    return { store, errors }
  }

  it.each([
    ['claims 1 GiB', GIB],
    ['claims 1 MiB and inflates to 1 GiB', MIB],
  ])('a forged entry that %s is a miss reported to onError, fast and small', async (_label, declares) => {
    const { store, errors } = storeWithErrors(`bomb-${declares}:`)
    const bomb = await forgeInflatingEntry({ inflatesTo: GIB, declares })
    await client.set(store.redisKey('a'), Buffer.from(bomb))
    await client.set(store.redisKey('b'), Buffer.from(bomb))
    const before = process.memoryUsage().arrayBuffers
    const startedAt = performance.now()
    const [a, b] = await Promise.all([store.get('a'), store.get('b')])
    const ms = performance.now() - startedAt
    expect([a, b]).toEqual([undefined, undefined])
    expect(ms).toBeLessThan(1000)
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * MIB)
    expect(errors).toHaveLength(2)
    expect(errors.every((error) => CacheSerializationError.isInstance(error))).toBe(true)
    expect(await client.exists(store.redisKey('a'), store.redisKey('b'))).toBe(0) // removed as corrupt
  })

  it('keys differing only in a lone surrogate never get each other’s value under cache()', async () => {
    const store = new RedisStore({ client, prefix: 'surrogates:', onError: () => {} })
    const reported: unknown[] = []
    let calls = 0
    const echo = cache({ ttl: 60, key: 'q:{0}', store, onError: (error) => reported.push(error) })(
      async (query: string) => {
        calls++
        return `result for ${JSON.stringify(query)}`
      },
    )
    const first = await echo('\uD800')
    const second = await echo('\uDC00')
    expect(first).toBe(`result for ${JSON.stringify('\uD800')}`)
    expect(second).toBe(`result for ${JSON.stringify('\uDC00')}`)
    expect(calls).toBe(2)
    expect(reported.length).toBeGreaterThan(0) // the store refused the keys: reported, never thrown
  })
})

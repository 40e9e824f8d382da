import type { CacheEntry } from '@stratacache/core'
import { afterAll, describe, expect, it } from 'vitest'
import { keySlot } from '../src/cluster-slots'
import { RedisStore } from '../src/redis-store'
import { clusterClient } from './support/clients'

const entry = (value: unknown): CacheEntry => {
  const now = Date.now()
  return { value, createdAt: now, freshUntil: now + 60_000, staleUntil: now + 60_000 }
}

describe('RedisStore on a 3-master cluster', () => {
  const client = clusterClient()
  afterAll(async () => {
    await client.quit()
  })

  /** How many of this prefix's keys each master holds. */
  const perMaster = async (prefix: string): Promise<number[]> =>
    Promise.all(client.nodes('master').map(async (node) => (await node.keys(`${prefix}*`)).length))

  it('spreads a batch over every master, reads it back in order, and clears every master', async () => {
    const prefix = `spread-${process.pid}:`
    const store = new RedisStore({ client, prefix })
    const keys = Array.from({ length: 300 }, (_, i) => `key-${i}`)
    await store.setMany(keys.map((key) => [key, entry(key)]))

    const counts = await perMaster(prefix)
    expect(counts).toHaveLength(3)
    for (const count of counts) expect(count).toBeGreaterThan(0)
    expect((await store.getMany(keys)).map((found) => found?.value)).toEqual(keys)

    expect(await store.deleteMatching('key-1*')).toBe(111)
    expect(await store.deleteMany(['key-0', 'key-2', 'key-0'])).toBe(2)
    await store.clear()
    expect(await perMaster(prefix)).toEqual([0, 0, 0])
  })

  it('computes the same slots as the server', async () => {
    for (const key of ['a', 'user:1', '{tag}x', '{tag}y', 'x{}y', 'é😀', '{a}{b}']) {
      expect(keySlot(key)).toBe(await client.cluster('KEYSLOT', key))
    }
  })

  it('keeps a bounded store in one slot, on one master', async () => {
    const prefix = `bounded-cluster-${process.pid}:`
    const store = new RedisStore({ client, prefix, maxEntries: 50 })
    const keys = Array.from({ length: 60 }, (_, i) => `k${i}`)
    await store.setMany(keys.map((key) => [key, entry(key)]))
    const counts = await Promise.all(
      client.nodes('master').map(async (node) => (await node.keys(`{${prefix}}*`)).length),
    )
    expect(counts.sort((a, b) => a - b)).toEqual([0, 0, 50])
    expect((await store.getMany(keys)).filter((found) => found !== undefined)).toHaveLength(50)
    await store.clear()
  })
})

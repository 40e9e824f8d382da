import { CacheConfigError, type CacheEntry } from '@stratacache/core'
import { afterAll, describe, expect, it } from 'vitest'
import type { EvictionPolicy } from '../src/eviction-policy'
import type { RedisClient } from '../src/redis-connection'
import { RedisStore } from '../src/redis-store'
import { clusterClient, standaloneClient } from './support/clients'

const entry = (value: unknown): CacheEntry => {
  const now = Date.now()
  return { value, createdAt: now, freshUntil: now + 60_000, staleUntil: now + 120_000 }
}

let run = 0
const topologies: [string, RedisClient][] = [
  ['standalone', standaloneClient()],
  ['cluster', clusterClient()],
]

afterAll(async () => {
  await Promise.all(topologies.map(([, client]) => client.quit()))
})

describe.each(topologies)('bounded RedisStore (%s)', (_topology, client) => {
  const stores: RedisStore[] = []
  const open = (policy: EvictionPolicy, maxEntries = 3): RedisStore => {
    const store = new RedisStore({ client, prefix: `bounded-${process.pid}-${++run}:`, maxEntries, policy })
    stores.push(store)
    return store
  }
  const present = async (store: RedisStore, keys: string[]): Promise<string[]> => {
    const found: string[] = []
    for (const key of keys) if (await store.has(key)) found.push(key)
    return found
  }
  const fill = async (store: RedisStore, keys: string[]): Promise<void> => {
    for (const key of keys) await store.set(key, entry(key))
  }

  afterAll(async () => {
    for (const store of stores) await store.clear()
  })

  it('lru: 0,1,2, read 0, insert 3 → 1 evicted', async () => {
    const store = open('lru')
    await fill(store, ['0', '1', '2'])
    expect((await store.get('0'))?.value).toBe('0')
    await store.set('3', entry('3'))
    expect(await present(store, ['0', '1', '2', '3'])).toEqual(['0', '2', '3'])
  })

  it('fifo: 0,1,2, read 0, insert 3 → 0 evicted', async () => {
    const store = open('fifo')
    await fill(store, ['0', '1', '2'])
    await store.get('0')
    await store.set('3', entry('3'))
    expect(await present(store, ['0', '1', '2', '3'])).toEqual(['1', '2', '3'])
  })

  it('lfu: 0 read twice, 1 once, insert 3 → 2 evicted', async () => {
    const store = open('lfu')
    await fill(store, ['0', '1', '2'])
    await store.get('0')
    await store.get('0')
    await store.get('1')
    await store.set('3', entry('3'))
    expect(await present(store, ['0', '1', '2', '3'])).toEqual(['0', '1', '3'])
  })

  it('mru: 0,1,2, read 1 (the last read), insert 3 → 1 evicted', async () => {
    const store = open('mru')
    await fill(store, ['0', '1', '2'])
    await store.get('2')
    await store.get('1')
    await store.set('3', entry('3'))
    expect(await present(store, ['0', '1', '2', '3'])).toEqual(['0', '2', '3'])
  })

  it('random: exactly one of 0,1,2 is evicted and the count holds', async () => {
    const store = open('random')
    await fill(store, ['0', '1', '2'])
    await store.set('3', entry('3'))
    const left = await present(store, ['0', '1', '2', '3'])
    expect(left).toHaveLength(3)
    expect(left).toContain('3')
    // The index sits beside the entries under the same `{prefix}` hash tag.
    expect(await client.zcard(`stratacache:index:${store.redisKey('')}`)).toBe(3)
  })

  it('getMany counts as a read: lru keeps what getMany touched', async () => {
    const store = open('lru')
    await fill(store, ['0', '1', '2'])
    expect((await store.getMany(['1', '0'])).map((found) => found?.value)).toEqual(['1', '0'])
    await store.set('3', entry('3'))
    expect(await present(store, ['0', '1', '2', '3'])).toEqual(['0', '1', '3'])
  })

  it('overwriting a key evicts nothing; deleting frees a place', async () => {
    const store = open('lru')
    await fill(store, ['0', '1', '2'])
    await store.set('1', entry('1b'))
    expect(await present(store, ['0', '1', '2'])).toEqual(['0', '1', '2'])
    expect(await store.delete('0')).toBe(true)
    await store.set('3', entry('3'))
    expect(await present(store, ['0', '1', '2', '3'])).toEqual(['1', '2', '3'])
    expect(await store.deleteMany(['1', '2'])).toBe(2)
    await store.setMany([
      ['4', entry('4')],
      ['5', entry('5')],
    ])
    expect(await present(store, ['1', '2', '3', '4', '5'])).toEqual(['3', '4', '5'])
  })

  it('setIfAbsent evicts like set, and refuses over a live entry', async () => {
    const store = open('fifo')
    await fill(store, ['0', '1', '2'])
    expect(await store.setIfAbsent('1', entry('x'))).toBe(false)
    expect(await store.setIfAbsent('3', entry('3'))).toBe(true)
    expect(await present(store, ['0', '1', '2', '3'])).toEqual(['1', '2', '3'])
  })

  it('forgets entries that died before evicting a live one', async () => {
    const store = open('lru')
    await store.set('0', entry('0'))
    await store.set('1', entry('1'))
    const now = Date.now()
    await store.set('short', { value: 's', createdAt: now, freshUntil: now + 50, staleUntil: now + 50 })
    await new Promise((resolve) => setTimeout(resolve, 80))
    await store.set('3', entry('3'))
    expect(await present(store, ['0', '1', 'short', '3'])).toEqual(['0', '1', '3'])
  })

  it('never exceeds maxEntries under 200 concurrent writes', async () => {
    const store = open('lru', 10)
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`)
    await Promise.all(keys.map((key) => store.set(key, entry(key))))
    expect(await present(store, keys)).toHaveLength(10)
  })

  it('clear empties entries and index, and the store keeps its bound', async () => {
    const store = open('lru')
    await fill(store, ['0', '1', '2'])
    await store.clear()
    expect(await present(store, ['0', '1', '2'])).toEqual([])
    await fill(store, ['a', 'b', 'c', 'd'])
    expect(await present(store, ['a', 'b', 'c', 'd'])).toEqual(['b', 'c', 'd'])
  })
})

describe('bounded RedisStore options', () => {
  const client = topologies[0]![1]
  it('rejects a bad maxEntries, an unknown policy, a policy without maxEntries and an empty prefix', () => {
    expect(() => new RedisStore({ client, maxEntries: 0 })).toThrow(/maxEntries/)
    expect(() => new RedisStore({ client, maxEntries: 1.5 })).toThrow(CacheConfigError)
    expect(() => new RedisStore({ client, maxEntries: 3, policy: 'lifo' as EvictionPolicy })).toThrow(
      /policy/,
    )
    expect(() => new RedisStore({ client, policy: 'lru' })).toThrow(/maxEntries/)
    expect(() => new RedisStore({ client, maxEntries: 3, prefix: '' })).toThrow(/prefix/)
  })

  it('keeps entries and index in one hash slot ({prefix} hash tag)', () => {
    const store = new RedisStore({ client, prefix: 'tagged:', maxEntries: 3 })
    expect(store.redisKey('user:1')).toBe('{tagged:}user:1')
  })
})

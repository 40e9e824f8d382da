import { createKeyv as createKeyvRedis } from '@keyv/redis'
import { ChainStore } from '@stratacache/chain'
import { createCache, MemoryStore } from '@stratacache/core'
import { RedisStore } from '@stratacache/redis'
import { BentoCache, bentostore } from 'bentocache'
import { memoryDriver } from 'bentocache/drivers/memory'
import { redisDriver } from 'bentocache/drivers/redis'
import { Cacheable, createKeyv } from 'cacheable'
import { Redis } from 'ioredis'
import { countingLoader, expectHits } from '../counting-loader'
import type { BenchCase, BenchGroup } from '../harness'
import { MAX_ENTRIES, type SmallValue, TTL_MS, TTL_SECONDS } from '../payload'
import { bentoMemory, cacheableMemory } from '../peers'

const ID = 42
const STRATA_MEMORY = 'stratacache cache() over MemoryStore (one tier)'
const STRATA_CHAIN = 'stratacache cache() over ChainStore(MemoryStore, RedisStore): L1 hit'
const BENTO_MEMORY = 'bentocache getOrSet, memory only'
const BENTO_TIERS = 'bentocache getOrSet, L1 memory + L2 Redis: L1 hit'
const CACHEABLE_MEMORY = 'cacheable getOrSet, memory only'
const CACHEABLE_TIERS = 'cacheable getOrSet, memory + @keyv/redis: L1 hit'

/** Group 6: an L1 hit in a two-tier (memory + Redis) cache. */
export const twoTierGroup: BenchGroup = {
  id: 'two-tier',
  number: '6',
  title: 'Two tiers (memory + Redis): L1 hit',
  about: [
    'An async hit served by the memory tier of a memory + Redis cache, against the same library with memory only.',
    `stratacache: \`cache({ ttl: 60, key: "user:{0}" })\` over \`new ChainStore([{ store: new MemoryStore({ maxEntries: ${MAX_ENTRIES} }) },`,
    '{ store: new RedisStore({ client }) }])` (no bus), against the same `cache()` over the `MemoryStore` alone (the floor).',
    `bentocache: \`memoryDriver({ maxItems: ${MAX_ENTRIES}, serialize: false })\` as L1 and \`redisDriver\` as L2 (no bus);`,
    `cacheable: \`createKeyv({ lruSize: ${MAX_ENTRIES}, useClone: false })\` as primary and \`@keyv/redis\` as secondary.`,
  ].join(' '),
  floor: STRATA_MEMORY,
  targets: [
    {
      label: 'chain L1 hit ≤ 1.2× the memory hit',
      source: 'issue 9',
      subject: STRATA_CHAIN,
      baseline: STRATA_MEMORY,
      kind: 'atMost',
      ratio: 1.2,
    },
  ],
  async setup(context) {
    const port = await context.redisPort()
    const url = `redis://127.0.0.1:${port}`
    const bentoClient = new Redis({ host: '127.0.0.1', port })
    const strataClient = new Redis({ host: '127.0.0.1', port, commandTimeout: 1000 })
    const closers: (() => Promise<unknown>)[] = []
    const cases: BenchCase[] = []
    const add = async (name: string, build: (load: () => Promise<SmallValue>) => () => unknown) => {
      const loader = countingLoader()
      const fn = build(() => loader.load(ID))
      await expectHits(name, fn, loader)
      cases.push({ name, fn })
    }
    try {
      const { cache } = createCache({ store: () => new MemoryStore({ maxEntries: MAX_ENTRIES }) })
      await add(STRATA_MEMORY, (load) => {
        const cached = cache({ ttl: TTL_SECONDS, key: 'user:{0}' })(async (_id: number) => load())
        return () => cached(ID)
      })
      const chain = new ChainStore([
        { store: new MemoryStore({ maxEntries: MAX_ENTRIES }) },
        { store: new RedisStore({ client: strataClient, prefix: 'bench:two-tier:strata:' }) },
      ])
      await add(STRATA_CHAIN, (load) => {
        const cached = createCache({ store: chain }).cache({ ttl: TTL_SECONDS, key: 'user:{0}' })(
          async (_id: number) => load(),
        )
        return () => cached(ID)
      })
      const bentoOne = bentoMemory()
      closers.push(() => bentoOne.disconnect())
      await add(BENTO_MEMORY, (load) => () => bentoOne.getOrSet({ key: `user:${ID}`, factory: load }))
      const bentoTwo = new BentoCache({
        default: 'tiers',
        ttl: `${TTL_SECONDS}s`,
        stores: {
          tiers: bentostore()
            .useL1Layer(memoryDriver({ maxItems: MAX_ENTRIES, serialize: false }))
            .useL2Layer(redisDriver({ connection: bentoClient, prefix: 'bench:two-tier:bento' })),
        },
      })
      closers.push(() => bentoTwo.disconnect())
      await add(BENTO_TIERS, (load) => () => bentoTwo.getOrSet({ key: `user:${ID}`, factory: load }))
      const cacheableOne = cacheableMemory()
      closers.push(() => cacheableOne.disconnect())
      await add(CACHEABLE_MEMORY, (load) => () => cacheableOne.getOrSet(`user:${ID}`, load))
      const cacheableTwo = new Cacheable({
        primary: createKeyv({ lruSize: MAX_ENTRIES, useClone: false }),
        secondary: createKeyvRedis(url, { namespace: 'bench:two-tier:cacheable' }),
        ttl: TTL_MS,
      })
      closers.push(() => cacheableTwo.disconnect())
      await add(CACHEABLE_TIERS, (load) => () => cacheableTwo.getOrSet(`user:${ID}`, load))
    } catch (error) {
      await Promise.all(closers.map((close) => close().catch(() => undefined)))
      bentoClient.disconnect()
      strataClient.disconnect()
      throw error
    }
    return {
      cases,
      teardown: async () => {
        await Promise.all(closers.map((close) => close().catch(() => undefined)))
        await bentoClient.quit().catch(() => bentoClient.disconnect())
        await strataClient.quit().catch(() => strataClient.disconnect())
      },
    }
  },
}

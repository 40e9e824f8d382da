/**
 * Fault matrix of `@stratacache/chain` (issue 20), on real servers this file starts itself: a
 * memory tier over a Redis that freezes (SIGSTOP) or dies, and over a 3-master Cluster that loses
 * a master. The shared servers of the other tests are never touched.
 */
import { CacheStoreError, cache, createCache, MemoryStore } from '@stratacache/core'
import { RedisStore } from '@stratacache/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../../redis/test/support/eventually'
import { useFaultCluster } from '../../redis/test/support/fault-cluster'
import { type RedisServer, startRedisServer } from '../../redis/test/support/redis-server'
import { ChainStore } from '../src/chain-store'

const entry = (value: string) => {
  const now = Date.now()
  return { value, createdAt: now, freshUntil: now + 60_000, staleUntil: now + 60_000 }
}

describe('a chain over a Redis that freezes or dies', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    server.thaw()
    await server.stop()
  })

  const chainOver = (prefix: string, circuitBreaker?: false) => {
    const redis = new RedisStore({
      url: `redis://127.0.0.1:${server.port}`,
      prefix,
      operationTimeout: '300ms',
      ...(circuitBreaker === false ? { circuitBreaker } : { circuitBreaker: { failureThreshold: 2 } }),
    })
    return {
      redis,
      chain: new ChainStore([{ store: new MemoryStore({ maxEntries: 1000 }) }, { store: redis }], {
        onError: () => {},
      }),
    }
  }

  it('a lock taken through the chain whose acquire timed out in a freeze is not left held', async () => {
    const { chain } = chainOver('chain-freeze:', false)
    const instance = createCache({ store: chain, prefix: 'app' })
    try {
      server.freeze()
      await expect(instance.lock('job', { ttl: 60 }).acquire()).rejects.toSatisfy((error) =>
        CacheStoreError.isInstance(error),
      )
      server.thaw()
      expect(await eventually(async () => !(await instance.lock('job').isLocked()), 3000)).toBe(true)
    } finally {
      server.thaw()
      await chain.close()
    }
  })

  it('with Redis dead, the Redis tier stops being called: first-tier hits and misses stay fast', async () => {
    const { chain, redis } = chainOver('chain-dead:')
    const load = cache({ store: chain, ttl: 60, key: 'u:{0}', onError: () => {} })(async (id: number) => id)
    try {
      expect(await load(1)).toBe(1)
      await server.kill()
      // Two failed calls open the Redis tier's circuit; then nothing waits for Redis.
      for (let id = 2; id < 4; id++) expect(await load(id)).toBe(id)
      expect(redis.circuitState).toBe('open')
      const started = performance.now()
      for (let id = 10; id < 30; id++) expect(await load(id)).toBe(id)
      expect(await load(1)).toBe(1)
      expect(performance.now() - started).toBeLessThan(150)
    } finally {
      await server.restart()
      await chain.close()
    }
  })
})

describe('a chain over a Redis Cluster that loses a master', () => {
  const fault = useFaultCluster()

  it('clear() and deleteMatching() reject naming the unreachable master; the first tier is cleared all the same', async () => {
    const l1 = new MemoryStore({ maxEntries: 10_000 })
    const redis = new RedisStore({
      client: fault.client,
      prefix: 'chain:',
      operationTimeout: '500ms',
      circuitBreaker: false,
    })
    const chain = new ChainStore([{ store: l1 }, { store: redis }], { onError: () => {} })
    await chain.setMany(
      Array.from({ length: 300 }, (_, i): [string, ReturnType<typeof entry>] => [`k${i}`, entry('v')]),
    )
    const victim = fault.cluster.nodes[1]!
    await victim.kill()
    try {
      const names = expect.objectContaining({ message: expect.stringContaining(`127.0.0.1:${victim.port}`) })
      await expect(chain.clear()).rejects.toEqual(names)
      expect(l1.size).toBe(0)
      await expect(chain.deleteMatching('k*')).rejects.toEqual(names)
      const wrapper = createCache({ store: chain }).cache({ ttl: 60, key: 'k{0}' })(async (id: number) => id)
      await expect(wrapper.clear()).rejects.toSatisfy((error) => CacheStoreError.isInstance(error))
    } finally {
      await victim.restart()
    }
  }, 30_000)
})

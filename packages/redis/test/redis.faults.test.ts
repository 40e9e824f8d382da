/**
 * Fault matrix of `@stratacache/redis` (issue 20), on real servers this file starts itself:
 * a standalone redis-server frozen (SIGSTOP/SIGCONT) and killed -9 under several processes, and a
 * private 3-master Cluster losing a master. The shared servers of the other tests are never touched.
 */
import {
  CacheCircuitOpenError,
  CacheConfigError,
  CacheStoreError,
  cache,
  createCache,
  InMemoryMetrics,
  instrument,
} from '@stratacache/core'
import { Cluster, Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisBus } from '../src/redis-bus'
import { RedisStore } from '../src/redis-store'
import { eventually } from './support/eventually'
import { useFaultCluster } from './support/fault-cluster'
import { type RedisServer, startRedisServer } from './support/redis-server'
import { type AcquireWorker, startAcquireWorker } from './support/workers'

const entry = (value: string) => {
  const now = Date.now()
  return { value, createdAt: now, freshUntil: now + 60_000, staleUntil: now + 60_000 }
}

describe('a standalone redis-server that freezes or dies', () => {
  let server: RedisServer
  const observers: RedisStore[] = []
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await Promise.all(observers.map((observer) => observer.close()))
    await server.stop()
  })

  /** What the workers' instance holds, seen from this process. */
  function held(prefix: string) {
    const observer = new RedisStore({
      url: `redis://127.0.0.1:${server.port}`,
      prefix,
      operationTimeout: '1s',
      // It polls through the restart: failed polls must not open a breaker for longer than the poll.
      circuitBreaker: false,
    })
    observers.push(observer)
    const instance = createCache({ store: observer, prefix: 'app' })
    return {
      lockHeld: () => instance.lock('report').isLocked(),
      slots: () => instance.pool({ key: 'api', maxSize: 3 }).size(),
    }
  }

  async function withWorkers(
    prefix: string,
    connect: 'url' | 'client',
    run: (workers: AcquireWorker[]) => Promise<void>,
  ): Promise<void> {
    const workers = await Promise.all([
      startAcquireWorker('lock', server.port, prefix, connect),
      startAcquireWorker('pool', server.port, prefix, connect),
    ])
    try {
      await run(workers)
    } finally {
      server.thaw()
      await Promise.all(workers.map((worker) => worker.stop()))
    }
  }

  it('acquires that time out while Redis is frozen leave neither the lock nor pool slots held (2 processes)', async () => {
    const prefix = 'freeze:'
    const { lockHeld, slots } = held(prefix)
    await withWorkers(prefix, 'url', async ([lockWorker, poolWorker]) => {
      server.freeze()
      const [lockOutcomes, poolOutcomes] = await Promise.all([lockWorker!.attempt(), poolWorker!.attempt()])
      expect(lockOutcomes).toEqual(['CacheTimeoutError'])
      expect(poolOutcomes).toEqual(['CacheTimeoutError', 'CacheTimeoutError', 'CacheTimeoutError'])
      server.thaw() // Redis now runs the abandoned SET NX and slot scripts it had received
      // Freed within moments, not after the lock's 60 s ttl or the slots' 600 s slotTtl.
      expect(await eventually(async () => !(await lockHeld()) && (await slots()) === 0, 3000)).toBe(true)
      // And usable again: the workers take what they asked for.
      expect(await lockWorker!.attempt()).toEqual(['acquired'])
      expect(await poolWorker!.attempt()).toEqual(['acquired', 'acquired', 'acquired'])
    })
  })

  it('acquires queued while Redis is killed -9 and restarted leave nothing held (clients with an offline queue)', async () => {
    const prefix = 'killed:'
    await withWorkers(prefix, 'client', async ([lockWorker, poolWorker]) => {
      await server.kill()
      const [lockOutcomes, poolOutcomes] = await Promise.all([lockWorker!.attempt(), poolWorker!.attempt()])
      // Rejected (a timeout, or the connection's own error when the kill races the call).
      for (const outcome of [...lockOutcomes, ...poolOutcomes])
        expect(outcome).toMatch(/^Cache(Timeout|Store)Error$/)
      await server.restart() // the clients reconnect and send their offline queues
      const { lockHeld, slots } = held(prefix)
      expect(await eventually(async () => !(await lockHeld()) && (await slots()) === 0, 8000)).toBe(true)
      expect(await lockWorker!.attempt()).toEqual(['acquired'])
    })
  })

  it("a singleFlight: 'cluster' lease whose write timed out while Redis was frozen is dropped once it answers", async () => {
    const client = new Redis({ port: server.port, host: '127.0.0.1' })
    const store = new RedisStore({
      client,
      prefix: 'lease:',
      operationTimeout: '300ms',
      circuitBreaker: false,
    })
    const load = cache({
      store,
      ttl: 60,
      key: 'report',
      singleFlight: 'cluster',
      lockTimeout: 60,
      onError: () => {},
    })(async () => 'value')
    try {
      server.freeze()
      expect(await load()).toBe('value') // its read, lease and write each timed out
      server.thaw()
      const leases = () => client.keys('lease:*__lease')
      // Gone within moments, not after the lease's 60 s lockTimeout.
      expect(await eventually(async () => (await leases()).length === 0, 3000)).toBe(true)
      expect(await client.exists('lease:report')).toBe(1)
    } finally {
      server.thaw()
      client.disconnect()
    }
  })

  it("operationTimeout '30d' on URL-built stores and buses bounds calls without timing them out at once", async () => {
    const url = `redis://127.0.0.1:${server.port}`
    const store = new RedisStore({ url, prefix: 'long:', operationTimeout: '30d' })
    const bus = new RedisBus({ url, operationTimeout: '30d' })
    try {
      await store.set('k', entry('v'))
      expect((await store.get('k'))?.value).toBe('v')
      await bus.ready()
      await bus.publish({ kind: 'delete', keys: ['k'], namespace: 'n' })
    } finally {
      await Promise.all([store.close(), bus.close()])
    }
  })

  it('while Redis is down the circuit opens: callers pay the loader, not a timeout per call; it closes once Redis is back', async () => {
    const metrics = new InMemoryMetrics()
    const redis = new RedisStore({
      url: `redis://127.0.0.1:${server.port}`,
      prefix: 'circuit:',
      operationTimeout: '200ms',
      circuitBreaker: { failureThreshold: 3, resetTimeout: '500ms' },
    })
    const store = instrument(redis, metrics, 'L2')
    const load = cache({ store, ttl: 60, key: 'user:{0}', onError: () => {} })(
      async (id: number) => `user ${id}`,
    )
    try {
      await server.kill()
      // The first calls each wait for a store timeout (read; the write is not the caller's wait here).
      for (let id = 0; id < 3; id++) expect(await load(id)).toBe(`user ${id}`)
      expect(redis.circuitState).toBe('open')
      expect(metrics.getStats().circuits).toEqual({ L2: 'open' })
      const started = performance.now()
      for (let id = 10; id < 30; id++) expect(await load(id)).toBe(`user ${id}`)
      // 20 misses served by the loader alone: well under one 200 ms timeout in all.
      expect(performance.now() - started).toBeLessThan(150)
      await expect(redis.get('x')).rejects.toSatisfy((error) => CacheCircuitOpenError.isInstance(error))
      await server.restart()
      expect(
        await eventually(async () => {
          await load(99)
          return redis.circuitState === 'closed'
        }, 5000),
      ).toBe(true)
      expect(metrics.getStats().circuits).toEqual({ L2: 'closed' })
    } finally {
      await redis.close()
    }
  })

  it('an entry whose expiry lies beyond what Redis accepts is written without one, not refused', async () => {
    const store = new RedisStore({ url: `redis://127.0.0.1:${server.port}`, prefix: 'far:' })
    try {
      const far = { value: 'v', createdAt: Date.now(), freshUntil: 1e21, staleUntil: 1e21 }
      await store.set('k', far)
      expect((await store.get('k'))?.value).toBe('v')
      expect(await store.setIfAbsent('k2', far)).toBe(true)
    } finally {
      await store.close()
    }
  })

  it('a ttl beyond the platform range is refused at configuration, naming the option', () => {
    const client = new Redis({ port: server.port, lazyConnect: true })
    const store = new RedisStore({ client, prefix: 'range:' })
    expect(() => cache({ store, ttl: 1e18, key: 'k' })(async () => 1)).toThrowError(CacheConfigError)
    expect(() => cache({ store, ttl: 1e18, key: 'k' })(async () => 1)).toThrowError(/"ttl"/)
    client.disconnect()
  })
})

describe('a 3-master Redis Cluster that loses a master', () => {
  const fault = useFaultCluster()

  it('refuses a bounded store whose prefix would make an empty hash tag (every write: CROSSSLOT)', () => {
    expect(() => new RedisStore({ client: fault.client, prefix: '}app:', maxEntries: 10 })).toThrowError(
      CacheConfigError,
    )
    expect(() => new RedisStore({ client: fault.client, prefix: '}app:', maxEntries: 10 })).toThrowError(
      /"\}app:"/,
    )
  })

  it('clear() on a client that has only just been created covers the whole cluster', async () => {
    const fresh = new Cluster(fault.cluster.ports.map((port) => ({ host: '127.0.0.1', port })))
    const store = new RedisStore({ client: fault.client, prefix: 'fresh:' })
    await store.setMany([
      ['a', entry('1')],
      ['b', entry('2')],
      ['c', entry('3')],
    ])
    try {
      await new RedisStore({ client: fresh, prefix: 'fresh:' }).clear()
      expect(await store.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, undefined])
    } finally {
      fresh.disconnect()
    }
  })

  it('clear, deleteMatching, cache().clear() and evict({ allEntries }) reject naming the unreachable master and its slots', async () => {
    // Without a breaker: each call below must meet the unreachable master itself.
    const store = new RedisStore({
      client: fault.client,
      prefix: 'all-or-error:',
      operationTimeout: '500ms',
      circuitBreaker: false,
    })
    const items = Array.from({ length: 600 }, (_, i): [string, ReturnType<typeof entry>] => [
      `app:k${i}`,
      entry(String(i)),
    ])
    await store.setMany(items)
    const victim = fault.cluster.nodes[2]!
    await victim.kill()
    try {
      const address = `127.0.0.1:${victim.port}`
      const rejection = expect.objectContaining({
        message: expect.stringContaining(address),
      })
      await expect(store.clear()).rejects.toSatisfy((error) => CacheStoreError.isInstance(error))
      await expect(store.clear()).rejects.toEqual(rejection)
      await expect(store.clear()).rejects.toThrow(/slots \d+-\d+/)
      await expect(store.deleteMatching('app:*')).rejects.toEqual(rejection)

      const instance = createCache({ store, prefix: 'app' })
      const cached = instance.cache({ ttl: 60, key: 'k:{0}' })(async (id: number) => id)
      await expect(cached.clear()).rejects.toEqual(rejection)
      const evictAll = instance.cache.evict({ allEntries: true })(async () => 'updated')
      await expect(evictAll()).rejects.toEqual(rejection)
    } finally {
      await victim.restart()
    }
    // Back: once the cluster reports every slot served again, clear() resolves.
    const whole = new RedisStore({ client: fault.client, prefix: 'all-or-error:', operationTimeout: '500ms' })
    expect(
      await eventually(
        () =>
          whole.clear().then(
            () => true,
            () => false,
          ),
        15_000,
      ),
    ).toBe(true)
  }, 40_000)
})

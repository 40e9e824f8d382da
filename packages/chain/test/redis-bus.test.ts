// Two "processes" (two chains, each with its own ioredis clients, memory first tier and RedisBus)
// sharing one real redis-server as last tier: they invalidate each other's first tier over pub/sub.
import { type CacheEntry, MemoryStore } from '@stratacache/core'
import { RedisBus, RedisStore } from '@stratacache/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, redisCli, startRedisServer } from '../../redis/test/support/redis-server'
import { ChainStore } from '../src/chain-store'

/** Resolves once `predicate` holds, polling briefly; fails after two seconds. */
async function eventually(predicate: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 2000
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

interface Process {
  readonly client: Redis
  readonly bus: RedisBus
  readonly l1: MemoryStore
  readonly chain: ChainStore
}

const entry = (value: string): CacheEntry => ({
  value,
  createdAt: Date.now(),
  freshUntil: Date.now() + 60_000,
  staleUntil: Date.now() + 60_000,
})

describe('ChainStore over Redis with a RedisBus', () => {
  let server: RedisServer
  let a: Process
  let b: Process

  async function startProcess(port: number): Promise<Process> {
    const client = new Redis({ host: '127.0.0.1', port })
    const bus = new RedisBus({ client, channel: 'chain-test' })
    await bus.ready()
    const l1 = new MemoryStore({ maxEntries: 1000 })
    const chain = new ChainStore(
      [{ store: l1, ttl: '1m' }, { store: new RedisStore({ client, prefix: 'chain-test:' }) }],
      { bus, namespace: 'users' },
    )
    return { client, bus, l1, chain }
  }

  beforeAll(async () => {
    server = await startRedisServer()
    a = await startProcess(server.port)
    b = await startProcess(server.port)
  })

  afterAll(async () => {
    for (const process of [a, b]) {
      if (process === undefined) continue
      await process.chain.close()
      await process.bus.close()
      await process.client.quit()
    }
    await server?.stop()
  })

  it('a write or delete in one process drops the other process first-tier copy', async () => {
    await a.chain.set('user:1', entry('v1'))
    expect((await b.chain.get('user:1'))?.value).toBe('v1')
    // A read that A's own 'set' message overtakes does not promote (it cannot tell whether it read
    // the value before or after that write); once the message has passed, a read promotes.
    await eventually(async () => {
      await b.chain.get('user:1')
      return b.l1.getSync('user:1')?.value === 'v1'
    })

    await a.chain.set('user:1', entry('v2'))
    await eventually(() => b.l1.getSync('user:1') === undefined)
    expect((await b.chain.get('user:1'))?.value).toBe('v2')
    // A's own message did not drop A's copy.
    expect(a.l1.getSync('user:1')?.value).toBe('v2')

    await a.chain.delete('user:1')
    await eventually(() => b.l1.getSync('user:1') === undefined)
    expect(await b.chain.get('user:1')).toBeUndefined()
  })

  it('after the subscriber connection drops and reconnects, the first tier is cleared', async () => {
    await b.chain.set('user:2', entry('v'))
    expect(b.l1.size).toBeGreaterThan(0)
    await redisCli(server.port, 'client', 'kill', 'type', 'pubsub')
    await eventually(() => b.l1.size === 0)
    // The shared tier kept the entry, and the bus works again.
    expect((await b.chain.get('user:2'))?.value).toBe('v')
    await eventually(async () => {
      await a.chain.set('user:2', entry('w'))
      return b.l1.getSync('user:2') === undefined
    })
  })
})

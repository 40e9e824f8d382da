import { type Clock, MemoryStore } from '@stratacache/core'
import { describeCoordinationConformance } from '@stratacache/core/testing'
import { RedisStore } from '@stratacache/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { type RedisServer, startRedisServer } from '../../redis/test/support/redis-server'
import { ChainStore } from '../src/chain-store'
import { FailoverStore } from '../src/failover-store'

const memory = (clock: Clock) => new MemoryStore({ clock, maxEntries: Number.POSITIVE_INFINITY })

// Over tiers without native primitives, lock and pool run on the chain's setIfAbsent (decided by
// the last tier) and its reads and deletes.
describeCoordinationConformance({
  name: 'ChainStore (memory over memory)',
  createStore: ({ clock }) => new ChainStore([{ store: memory(clock) }, { store: memory(clock) }], { clock }),
  expiry: 'clock',
})

describeCoordinationConformance({
  name: 'FailoverStore (memory, memory)',
  createStore: ({ clock }) => new FailoverStore({ primary: memory(clock), fallback: memory(clock), clock }),
  expiry: 'clock',
})

// Over a RedisStore last tier, the chain forwards the native (Lua) primitives.
let server: RedisServer | undefined
let client: Redis | undefined
beforeAll(async () => {
  server = await startRedisServer()
  client = new Redis({ host: '127.0.0.1', port: server.port })
})
afterAll(async () => {
  await client?.quit()
  await server?.stop()
})

describeCoordinationConformance({
  name: 'ChainStore (memory over Redis)',
  createStore: ({ namespace }) =>
    new ChainStore([
      { store: new MemoryStore({ maxEntries: 1000 }) },
      { store: new RedisStore({ client: client as Redis, prefix: `${namespace}:` }) },
    ]),
  expiry: 'backend',
  native: true,
})

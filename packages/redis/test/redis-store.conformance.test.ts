import { describeStoreConformance } from '@stratacache/core/testing'
import { afterAll } from 'vitest'
import { RedisStore } from '../src/redis-store'
import { redisCapabilities, standaloneClient } from './support/clients'

/** The suite plants corrupt bytes on purpose; `redis-store.test.ts` checks that they are reported. */
const ignoreCorrupt = (): void => {}

const client = standaloneClient()
afterAll(async () => {
  await client.quit()
})

describeStoreConformance({
  name: 'RedisStore (standalone)',
  createStore: ({ namespace }) => new RedisStore({ client, prefix: `${namespace}:`, onError: ignoreCorrupt }),
  capabilities: redisCapabilities(client),
})

describeStoreConformance({
  name: 'RedisStore (standalone, bounded lru)',
  createStore: ({ namespace }) =>
    new RedisStore({ client, prefix: `${namespace}:`, onError: ignoreCorrupt, maxEntries: 10_000 }),
  capabilities: redisCapabilities(client),
})

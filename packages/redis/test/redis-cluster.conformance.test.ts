import { describeStoreConformance } from '@stratacache/core/testing'
import { afterAll } from 'vitest'
import { RedisStore } from '../src/redis-store'
import { clusterClient, redisCapabilities } from './support/clients'

/** The suite plants corrupt bytes on purpose; `redis-store.test.ts` checks that they are reported. */
const ignoreCorrupt = (): void => {}

const client = clusterClient()
afterAll(async () => {
  await client.quit()
})

describeStoreConformance({
  name: 'RedisStore (cluster)',
  createStore: ({ namespace }) => new RedisStore({ client, prefix: `${namespace}:`, onError: ignoreCorrupt }),
  capabilities: redisCapabilities(client),
})

describeStoreConformance({
  name: 'RedisStore (cluster, bounded lfu)',
  createStore: ({ namespace }) =>
    new RedisStore({
      client,
      prefix: `${namespace}:`,
      onError: ignoreCorrupt,
      maxEntries: 10_000,
      policy: 'lfu',
    }),
  capabilities: redisCapabilities(client),
})

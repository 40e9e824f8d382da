import { describeCoordinationConformance } from '@stratacache/core/testing'
import { afterAll } from 'vitest'
import { RedisStore } from '../src/redis-store'
import { clusterClient, standaloneClient } from './support/clients'

const standalone = standaloneClient()
const cluster = clusterClient()
afterAll(async () => {
  await Promise.all([standalone.quit(), cluster.quit()])
})

describeCoordinationConformance({
  name: 'RedisStore (standalone)',
  createStore: ({ namespace }) => new RedisStore({ client: standalone, prefix: `${namespace}:` }),
  expiry: 'backend',
  native: true,
})

describeCoordinationConformance({
  name: 'RedisStore (cluster)',
  createStore: ({ namespace }) => new RedisStore({ client: cluster, prefix: `${namespace}:` }),
  expiry: 'backend',
  native: true,
})

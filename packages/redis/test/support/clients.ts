/**
 * ioredis clients for the servers the global setup started (see `global-setup.ts`).
 */
import type { CacheStore } from '@stratacache/core'
import type { StoreCapabilities } from '@stratacache/core/testing'
import { Cluster, Redis } from 'ioredis'
import { inject } from 'vitest'
import type { RedisClient } from '../../src/redis-connection'
import type { RedisStore } from '../../src/redis-store'

/** A client of the shared standalone server. */
export function standaloneClient(): Redis {
  return new Redis({ host: '127.0.0.1', port: inject('redisPort'), lazyConnect: false })
}

/** A client of the shared 3-master cluster. */
export function clusterClient(): Cluster {
  return new Cluster(
    inject('redisClusterPorts').map((port) => ({ host: '127.0.0.1', port })),
    { redisOptions: { lazyConnect: false } },
  )
}

/** The conformance capabilities of a `RedisStore`, planting raw bytes with `raw`. */
export function redisCapabilities(raw: RedisClient): StoreCapabilities {
  return {
    expiry: 'backend',
    serializesValues: true,
    writeRawBytes: async (store: CacheStore, key: string, bytes: Uint8Array) => {
      await raw.set((store as RedisStore).redisKey(key), Buffer.from(bytes))
    },
  }
}

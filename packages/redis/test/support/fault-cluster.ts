/**
 * A 3-master Redis Cluster of one test file's own, for the tests that stop or kill a master
 * (the shared cluster of the other tests is never touched), with a client that gives up fast on
 * an unreachable master: 500 ms per command, one retry, a topology refresh every 100 ms.
 */
import { Cluster } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { type RedisCluster, startRedisCluster } from './redis-server'

/** What {@link useFaultCluster} hands the tests once `beforeAll` has run. */
export interface FaultCluster {
  readonly cluster: RedisCluster
  readonly client: Cluster
}

/** Starts the cluster and its client before the tests of the calling file and stops both after. */
export function useFaultCluster(): FaultCluster {
  let cluster: RedisCluster | undefined
  let client: Cluster | undefined
  beforeAll(async () => {
    cluster = await startRedisCluster(3)
    client = new Cluster(
      cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
      { redisOptions: { commandTimeout: 500, maxRetriesPerRequest: 1 }, clusterRetryStrategy: () => 100 },
    )
    client.on('error', () => {})
  }, 60_000)
  afterAll(async () => {
    client?.disconnect()
    await cluster?.stop()
  })
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useFaultCluster: the cluster starts in beforeAll')
    return value
  }
  return {
    get cluster() {
      return started(cluster)
    },
    get client() {
      return started(client)
    },
  }
}

/**
 * Starts one standalone `redis-server` and one 3-master Redis Cluster for the whole test run and
 * hands their ports to the tests through `inject('redisPort')` / `inject('redisClusterPorts')`.
 */
import type { TestProject } from 'vitest/node'
import { startRedisCluster, startRedisServer } from './redis-server'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The port of the shared standalone server on 127.0.0.1. */
    redisPort: number
    /** The client ports of the shared cluster's masters on 127.0.0.1. */
    redisClusterPorts: number[]
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startRedisServer()
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>
  try {
    cluster = await startRedisCluster(3)
  } catch (error) {
    await server.stop()
    throw error
  }
  project.provide('redisPort', server.port)
  project.provide('redisClusterPorts', cluster.ports)
  return async () => {
    await Promise.all([server.stop(), cluster.stop()])
  }
}

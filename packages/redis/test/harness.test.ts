import { describe, expect, inject, it } from 'vitest'
import { redisCli, startRedisServer } from './support/redis-server'

describe('test harness', () => {
  it('provides a standalone server that answers PING', async () => {
    expect((await redisCli(inject('redisPort'), 'ping')).trim()).toBe('PONG')
  })

  it('provides a 3-master cluster in state ok', async () => {
    const ports = inject('redisClusterPorts')
    expect(ports).toHaveLength(3)
    const info = await redisCli(ports[0]!, 'cluster', 'info')
    expect(info).toContain('cluster_state:ok')
    expect(info).toContain('cluster_size:3')
  })

  it('restarts a private server on the same port after a kill', async () => {
    const server = await startRedisServer()
    try {
      await server.kill()
      await expect(redisCli(server.port, 'ping')).rejects.toThrow(/Connection refused/)
      await server.restart()
      expect((await redisCli(server.port, 'ping')).trim()).toBe('PONG')
    } finally {
      await server.stop()
    }
  })
})

import { execFileSync } from 'node:child_process'
import { type RedisServer, startRedisServer } from '../../../packages/redis/test/support/redis-server'
import type { BenchContext } from './harness'

/** The binary the test harness starts (same override). */
const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server'

/**
 * The run's shared resources: a `redis-server` started on first request (127.0.0.1, free port,
 * no persistence), stopped once at the end, on error, or on SIGINT/SIGTERM.
 */
export class RunContext implements BenchContext {
  #redis: Promise<RedisServer> | undefined
  #closed = false
  /** `redis-server --version`, once Redis was started. */
  redisVersion: string | undefined

  log(line: string): void {
    process.stderr.write(`${line}\n`)
  }

  async redisPort(): Promise<number> {
    if (this.#closed) throw new Error('the run is over: no new redis-server')
    this.#redis ??= startRedisServer().then((server) => {
      this.redisVersion = execFileSync(REDIS_SERVER_BIN, ['--version'], { encoding: 'utf8' })
        .trim()
        .replace(/ sha=.*/, '')
      this.log(`redis-server started on 127.0.0.1:${server.port}`)
      return server
    })
    return (await this.#redis).port
  }

  /** Stops the Redis server, if one was started. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const redis = await this.#redis?.catch(() => undefined)
    if (redis) {
      await redis.stop()
      this.log('redis-server stopped')
    }
  }
}

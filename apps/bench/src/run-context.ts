import { execFileSync } from 'node:child_process'
import { type RedisServer, startRedisServer } from '../../../packages/redis/test/support/redis-server'
import type { BenchContext } from './harness'

/** The binary the test harness starts (same override). */
const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server'

/**
 * The run's shared resources: a `redis-server` started on first request (127.0.0.1, free port,
 * no persistence) and cleanups that run once, at the end, on error, or on SIGINT/SIGTERM.
 */
export class RunContext implements BenchContext {
  #redis: Promise<RedisServer> | undefined
  #cleanups: (() => Promise<void> | void)[] = []
  #closed = false
  /** `redis-server --version`, once Redis was started. */
  redisVersion: string | undefined

  log(line: string): void {
    process.stderr.write(`${line}\n`)
  }

  onCleanup(cleanup: () => Promise<void> | void): void {
    this.#cleanups.push(cleanup)
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

  /** Runs every cleanup (latest first), then stops the Redis server. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const cleanup of this.#cleanups.reverse()) {
      try {
        await cleanup()
      } catch (error) {
        this.log(`cleanup failed: ${String(error)}`)
      }
    }
    const redis = await this.#redis?.catch(() => undefined)
    if (redis) {
      await redis.stop()
      this.log('redis-server stopped')
    }
  }
}

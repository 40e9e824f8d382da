// FailoverStore in front of a real redis-server that dies and comes back: the fallback serves at
// once, the breaker stops calling the dead primary, and a trial after resetTimeout restores it.
import { type CacheEntry, CacheStoreError, MemoryStore } from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { RedisStore } from '@stratacache/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedisServer } from '../../redis/test/support/redis-server'
import { FailoverStore } from '../src/failover-store'

const entry = (value: string): CacheEntry => ({
  value,
  createdAt: Date.now(),
  freshUntil: Date.now() + 60_000,
  staleUntil: Date.now() + 60_000,
})

describe('FailoverStore over a Redis that dies', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('serves from the fallback while Redis is down, skips it while open, and returns to it', async () => {
    const clock = new ManualClock()
    const errors: unknown[] = []
    const primary = new RedisStore({
      url: `redis://127.0.0.1:${server.port}`,
      prefix: 'failover:',
      operationTimeout: '200ms',
      // The FailoverStore's breaker (on the test's clock) decides alone here.
      circuitBreaker: false,
    })
    const store = new FailoverStore({
      primary,
      fallback: new MemoryStore({ maxEntries: 100 }),
      clock,
      breaker: { failureThreshold: 3, resetTimeout: '30s' },
      onError: (error) => errors.push(error),
    })
    try {
      await store.set('k', entry('v'))
      await server.kill()

      // Each failure costs at most the operation timeout, and the mirrored copy answers.
      for (let i = 0; i < 3; i++) {
        const started = Date.now()
        expect((await store.get('k'))?.value).toBe('v')
        expect(Date.now() - started).toBeLessThan(1_000)
      }
      expect(store.state).toBe('open')
      expect(errors).toHaveLength(3)
      expect(errors.every((error) => CacheStoreError.isInstance(error))).toBe(true)

      // While open, the primary is not called: answers are immediate and nothing is reported.
      const started = Date.now()
      for (let i = 0; i < 100; i++) await store.set(`while-down:${i}`, entry('local'))
      expect(Date.now() - started).toBeLessThan(200)
      expect(errors).toHaveLength(3)

      await server.restart()
      // After resetTimeout a trial reaches Redis; once Redis has reconnected a trial succeeds.
      await expect
        .poll(
          async () => {
            await clock.advance(30_000)
            await store.get('k')
            return store.state
          },
          { timeout: 5_000, interval: 50 },
        )
        .toBe('closed')
      await store.set('k', entry('after'))
      expect((await primary.get('k'))?.value).toBe('after')
    } finally {
      await store.close()
    }
  })
})

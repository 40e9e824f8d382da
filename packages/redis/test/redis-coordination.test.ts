import { afterAll, describe, expect, it } from 'vitest'
import { RedisStore } from '../src/redis-store'
import { standaloneClient } from './support/clients'

describe('RedisStore coordination primitives in Redis', () => {
  const client = standaloneClient()
  const store = new RedisStore({ client, prefix: `coordination-${process.pid}:` })
  afterAll(async () => {
    await store.clear()
    await client.quit()
  })

  it('a lock is a plain key holding its token, with PX ttl; Infinity never expires', async () => {
    expect(await store.acquireLock('lock:a', 'token-1', 5_000)).toBe(true)
    expect(await client.get(store.redisKey('lock:a'))).toBe('token-1')
    const ttl = await client.pttl(store.redisKey('lock:a'))
    expect(ttl).toBeGreaterThan(4_000)
    expect(ttl).toBeLessThanOrEqual(5_000)

    expect(await store.acquireLock('lock:forever', 'token-2', Number.POSITIVE_INFINITY)).toBe(true)
    expect(await client.pttl(store.redisKey('lock:forever'))).toBe(-1)
    expect(await store.extendLock('lock:forever', 'token-2', 1_000)).toBe(true)
    expect(await client.pttl(store.redisKey('lock:forever'))).toBeGreaterThan(0)
    expect(await store.extendLock('lock:forever', 'token-2', Number.POSITIVE_INFINITY)).toBe(true)
    expect(await client.pttl(store.redisKey('lock:forever'))).toBe(-1)
    expect(await store.extendLock('lock:forever', 'intruder', 1_000)).toBe(false)
    expect(await store.releaseLock('lock:forever', 'intruder')).toBe(false)
    expect(await store.lockOwner('lock:forever')).toBe('token-2')
    expect(await store.releaseLock('lock:forever', 'token-2')).toBe(true)
    expect(await store.lockOwner('lock:forever')).toBeUndefined()
  })

  it('a pool is one sorted set that expires with its longest-lived slot and vanishes when empty', async () => {
    const key = 'pool:p'
    expect(await store.acquireSlot(key, 2, 'a', 1_000)).toBe(true)
    expect(await store.acquireSlot(key, 2, 'b', 5_000)).toBe(true)
    expect(await store.acquireSlot(key, 2, 'c', 5_000)).toBe(false)
    expect(await client.zcard(store.redisKey(key))).toBe(2)
    expect(await client.pttl(store.redisKey(key))).toBeGreaterThan(4_000)
    expect(await store.countSlots(key)).toBe(2)
    expect(await store.releaseSlot(key, 'a')).toBe(true)
    expect(await store.releaseSlot(key, 'a')).toBe(false)
    expect(await store.releaseSlot(key, 'b')).toBe(true)
    expect(await client.exists(store.redisKey(key))).toBe(0)

    expect(await store.acquireSlot(key, 1, 'forever', Number.POSITIVE_INFINITY)).toBe(true)
    expect(await client.pttl(store.redisKey(key))).toBe(-1)
    expect(await store.acquireSlot(key, 2, 'short', 1_000)).toBe(true)
    expect(await client.pttl(store.redisKey(key))).toBe(-1)
    expect(await store.countSlots(key)).toBe(2)
  })

  it('expired slots free their place without a release', async () => {
    const key = 'pool:expiring'
    expect(await store.acquireSlot(key, 1, 'a', 60)).toBe(true)
    expect(await store.acquireSlot(key, 1, 'b', 60)).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await store.countSlots(key)).toBe(0)
    expect(await store.acquireSlot(key, 1, 'b', 60)).toBe(true)
    expect(await store.releaseSlot(key, 'a')).toBe(false)
  })
})

import {
  CacheConfigError,
  type CacheEntry,
  CacheSerializationError,
  CacheStoreError,
  CacheTimeoutError,
  type Compression,
  cache,
  EntryCodec,
} from '@stratacache/core'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { fromUrl } from '../src/from-url'
import { RedisStore } from '../src/redis-store'
import { standaloneClient } from './support/clients'
import { type RedisServer, startRedisServer } from './support/redis-server'

const isStoreError = (error: unknown) => CacheStoreError.isInstance(error)
const isTimeoutError = (error: unknown) => CacheTimeoutError.isInstance(error)

const entry = (value: unknown, lifeMs = 60_000): CacheEntry => {
  const now = Date.now()
  return { value, createdAt: now, freshUntil: now + lifeMs, staleUntil: now + lifeMs }
}

describe('RedisStore on a shared server', () => {
  const client = standaloneClient()
  const url = `redis://127.0.0.1:${inject('redisPort')}`
  afterAll(async () => {
    await client.quit()
  })

  it('stores under the prefix with PXAT at staleUntil, and no expiry for Infinity', async () => {
    const store = new RedisStore({ client, prefix: 'px-test:' })
    const now = Date.now()
    await store.set('a', { value: 1, createdAt: now, freshUntil: now + 5_000, staleUntil: now + 10_000 })
    await store.set('b', {
      value: 2,
      createdAt: now,
      freshUntil: Number.POSITIVE_INFINITY,
      staleUntil: Number.POSITIVE_INFINITY,
    })
    expect(await client.pexpiretime('px-test:a')).toBe(now + 10_000 - 1)
    expect(await client.pttl('px-test:b')).toBe(-1)
    await store.clear()
  })

  it('confines clear and deleteMatching to a prefix full of glob characters', async () => {
    const odd = new RedisStore({ client, prefix: 'p*[?]\\:' })
    const lookalike = new RedisStore({ client, prefix: 'pX[?]\\:' })
    const other = new RedisStore({ client, prefix: 'p*[?]\\-' })
    for (const store of [odd, lookalike, other]) {
      await store.set('k[1]', entry(1))
      await store.set('k?', entry(2))
      await store.set('k*', entry(3))
    }
    expect(await odd.deleteMatching('k[1]')).toBe(1)
    expect(await odd.deleteMatching('k\\*')).toBe(1)
    await odd.clear()
    for (const store of [lookalike, other]) {
      expect((await store.getMany(['k[1]', 'k?', 'k*'])).map((found) => found?.value)).toEqual([1, 2, 3])
    }
    expect(await odd.getMany(['k[1]', 'k?', 'k*'])).toEqual([undefined, undefined, undefined])
    await lookalike.clear()
    await other.clear()
  })

  it('matches ? as exactly one character, even outside the BMP', async () => {
    const store = new RedisStore({ client, prefix: 'glob-q:' })
    await store.setMany([
      ['k😀', entry(1)],
      ['k😀😀', entry(2)],
      ['ké', entry(3)],
      ['k', entry(4)],
    ])
    expect(await store.deleteMatching('k?')).toBe(2)
    expect((await store.getMany(['k😀', 'k😀😀', 'ké', 'k'])).map((found) => found?.value)).toEqual([
      undefined,
      2,
      undefined,
      4,
    ])
    await store.clear()
  })

  it('a corrupt entry is a miss, reported to onError and deleted', async () => {
    const onError = vi.fn()
    const store = new RedisStore({ client, prefix: 'corrupt:', onError })
    await client.set('corrupt:k', Buffer.from([0xde, 0xad, 0xbe, 0xef]))
    expect(await store.get('k')).toBeUndefined()
    expect(onError).toHaveBeenCalledOnce()
    expect(CacheSerializationError.isInstance(onError.mock.calls[0]?.[0])).toBe(true)
    expect(await client.exists('corrupt:k')).toBe(0)
  })

  it('get decodes compressed entries too, and a corrupt compressed entry is a miss, reported and deleted', async () => {
    const onError = vi.fn()
    const store = new RedisStore({ client, prefix: 'gzip-get:', compress: { minBytes: 0 }, onError })
    const big = 'stratacache '.repeat(200)
    await store.set('big', entry(big))
    const stored = (await client.getBuffer('gzip-get:big')) as Buffer
    expect(stored[4]).toBe(1) // gzip
    expect((await store.get('big'))?.value).toBe(big)
    expect(onError).not.toHaveBeenCalled()
    // Bytes whose payload only decompression finds wrong: a store whose algorithm fails to inflate.
    const failing: Compression = {
      id: 201,
      name: 'failing',
      compress: async (bytes) => bytes.subarray(0, bytes.length / 2),
      decompress: async () => {
        throw new Error('inflate failed')
      },
    }
    const broken = new RedisStore({
      client,
      prefix: 'gzip-get:',
      compress: { algorithm: failing, minBytes: 0 },
      onError,
    })
    await broken.set('big', entry(big))
    expect((await client.getBuffer('gzip-get:big'))?.[4]).toBe(201)
    expect(await broken.get('big')).toBeUndefined()
    expect(onError).toHaveBeenCalledOnce()
    expect((onError.mock.calls[0]![0] as Error).message).toContain('inflate failed')
    expect(CacheSerializationError.isInstance(onError.mock.calls[0]?.[0])).toBe(true)
    expect(await client.exists('gzip-get:big')).toBe(0)
  })

  it('get is a miss for a dead entry, and rejects a key with a lone surrogate', async () => {
    const store = new RedisStore({ client, prefix: 'dead-get:' })
    const now = Date.now()
    await client.set('dead-get:old', Buffer.from(await new EntryCodec().encode(entry('old', -1_000), 'old')))
    expect(await store.get('old')).toBeUndefined()
    await store.set('live', { value: 'live', createdAt: now, freshUntil: now, staleUntil: now + 60_000 })
    expect((await store.get('live'))?.value).toBe('live') // stale but not dead
    await expect(store.get('q:\uD800')).rejects.toThrow(/lone UTF-16 surrogate/)
  })

  it('never closes a client you passed; closes the one it opened from a url', async () => {
    const borrowed = new RedisStore({ client })
    await borrowed.close()
    expect(await client.ping()).toBe('PONG')

    const owned = new RedisStore({ url, prefix: 'owned:' })
    await owned.set('k', entry('v'))
    expect((await owned.get('k'))?.value).toBe('v')
    await owned.clear()
    await owned.close()
    await expect(owned.get('k')).rejects.toSatisfy(isStoreError)
  })

  it('fromUrl reads store options from the query and connects without them', async () => {
    const store = fromUrl(
      new URL(`${url}/0?prefix=from-url:&operationTimeout=250ms&maxEntries=2&policy=fifo`),
    )
    try {
      expect(store.redisKey('k')).toBe('{from-url:}k')
      await store.set('a', entry('a'))
      await store.set('b', entry('b'))
      await store.set('c', entry('c'))
      expect((await store.getMany(['a', 'b', 'c'])).map((found) => found?.value)).toEqual([
        undefined,
        'b',
        'c',
      ])
      await store.clear()
    } finally {
      await store.close()
    }
  })

  it('rejects an unencodable value with CacheSerializationError naming the key, writing nothing', async () => {
    const store = new RedisStore({ client, prefix: 'unencodable:' })
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    await expect(store.set('bad', entry(cyclic))).rejects.toSatisfy(
      (error: unknown) => CacheSerializationError.isInstance(error) && error.key === 'bad',
    )
    await expect(
      store.setMany([
        ['ok', entry(1)],
        ['bad', entry(cyclic)],
      ]),
    ).rejects.toThrow()
    expect(await client.exists('unencodable:ok', 'unencodable:bad')).toBe(0)
  })

  it('validates its options, naming the option', () => {
    const cases: [unknown, string][] = [
      [{}, 'client'],
      [{ client, url }, 'client'],
      [{ url: 'http://127.0.0.1:6379' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ client: {} }, 'client'],
      [{ client, prefix: 3 }, 'prefix'],
      [{ client, operationTimeout: -1 }, 'operationTimeout'],
      [{ client, operationTimeout: 0 }, 'operationTimeout'],
      [{ client, onError: 'log' }, 'onError'],
      [{ client: new Redis({ lazyConnect: true, keyPrefix: 'app:' }) }, 'client'],
      [{ url: `${url}?keyPrefix=app:` }, 'client'],
    ]
    for (const [options, option] of cases) {
      let caught: unknown
      try {
        new RedisStore(options as never)
      } catch (error) {
        caught = error
      }
      expect(CacheConfigError.isInstance(caught), JSON.stringify(option)).toBe(true)
      expect((caught as CacheConfigError).option).toBe(option)
    }
  })
})

describe('RedisStore round trips', () => {
  let server: RedisServer
  let client: Redis
  const calls = async (command: string): Promise<number> => {
    const stats = await client.info('commandstats')
    return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
  }
  beforeAll(async () => {
    server = await startRedisServer()
    client = new Redis({ host: '127.0.0.1', port: server.port })
  })
  afterAll(async () => {
    await client.quit()
    await server.stop()
  })

  it('getMany is one MGET, setMany one pipeline, deleteMany one UNLINK', async () => {
    const store = new RedisStore({ client, prefix: 'rt:' })
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`)
    await client.config('RESETSTAT')
    await store.setMany(keys.map((key) => [key, entry(key)]))
    expect((await store.getMany(keys)).every((found, i) => found?.value === keys[i])).toBe(true)
    expect(await store.deleteMany(keys)).toBe(50)
    expect(await calls('mget')).toBe(1)
    expect(await calls('get')).toBe(0)
    expect(await calls('set')).toBe(50)
    expect(await calls('unlink')).toBe(1)
  })
})

describe('RedisStore when the server dies', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('fails fast with CacheStoreError while down, and works again after a restart (url client)', async () => {
    const store = new RedisStore({
      url: `redis://127.0.0.1:${server.port}`,
      prefix: 'fault:',
      operationTimeout: '300ms',
    })
    try {
      await store.set('k', entry('before'))
      await server.kill()
      for (const operation of [() => store.get('k'), () => store.set('k', entry('x')), () => store.clear()]) {
        const started = Date.now()
        await expect(operation()).rejects.toSatisfy(isStoreError)
        expect(Date.now() - started).toBeLessThan(1_000)
      }
      await server.restart()
      await expect
        .poll(
          () =>
            store.set('k', entry('after')).then(
              () => true,
              () => false,
            ),
          { timeout: 5_000 },
        )
        .toBe(true)
      expect((await store.get('k'))?.value).toBe('after')
    } finally {
      await store.close()
    }
  })

  it('bounds every call of a client you passed by operationTimeout, even with an offline queue', async () => {
    const client = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: null })
    client.on('error', () => {})
    // No breaker: three calls time out on purpose below, so two more failed polls while the client
    // reconnects (slow on a loaded machine) would open it for 10 s, past the 5 s poll.
    const store = new RedisStore({
      client,
      prefix: 'fault-user:',
      operationTimeout: '200ms',
      circuitBreaker: false,
    })
    try {
      await store.set('k', entry('before'))
      await server.kill()
      const started = Date.now()
      const failure = await store.get('k').catch((error: unknown) => error)
      expect(CacheTimeoutError.isInstance(failure)).toBe(true)
      expect(failure).toMatchObject({ store: 'redis', operation: 'get', key: 'k', timeoutMs: 200 })
      expect(Date.now() - started).toBeLessThan(1_000)
      await expect(store.getMany(['k'])).rejects.toSatisfy(isTimeoutError)
      await expect(store.acquireLock('lock', 't', 1000)).rejects.toSatisfy(isStoreError)
      await server.restart()
      await expect
        .poll(
          () =>
            store.get('k').then(
              () => true,
              () => false,
            ),
          { timeout: 5_000 },
        )
        .toBe(true)
    } finally {
      client.disconnect()
    }
  })

  it("relies on a passed client's own commandTimeout when it is within operationTimeout", async () => {
    const client = new Redis({
      host: '127.0.0.1',
      port: server.port,
      commandTimeout: 150,
      maxRetriesPerRequest: null,
    })
    client.on('error', () => {})
    const store = new RedisStore({ client, prefix: 'fault-own-timeout:', operationTimeout: '5s' })
    try {
      await store.set('k', entry('before'))
      await server.kill()
      const started = Date.now()
      const failure = await store.get('k').catch((error: unknown) => error)
      expect(Date.now() - started).toBeLessThan(1_000)
      expect(CacheTimeoutError.isInstance(failure)).toBe(true)
      expect(failure).toMatchObject({ operation: 'get', key: 'k', timeoutMs: 150 })
      await server.restart()
      await expect
        .poll(
          () =>
            store.get('k').then(
              () => true,
              () => false,
            ),
          { timeout: 5_000 },
        )
        .toBe(true)
    } finally {
      client.disconnect()
    }
  })

  it('operations in flight when the server dies settle with CacheStoreError, none hangs', async () => {
    const store = new RedisStore({
      url: `redis://127.0.0.1:${server.port}`,
      prefix: 'midrun:',
      operationTimeout: '300ms',
    })
    try {
      await store.setMany(Array.from({ length: 100 }, (_, i): [string, CacheEntry] => [`k${i}`, entry(i)]))
      const started = Date.now()
      const inFlight = Array.from({ length: 500 }, (_, i) =>
        store.get(`k${i % 100}`).then(
          () => 'ok',
          (error) => error,
        ),
      )
      await server.kill()
      const outcomes = await Promise.all(inFlight)
      expect(Date.now() - started).toBeLessThan(2_000)
      for (const outcome of outcomes)
        if (outcome !== 'ok') expect(CacheStoreError.isInstance(outcome)).toBe(true)
      await server.restart()
    } finally {
      await store.close()
    }
  })

  it('cache() callers still get values while the server is down, and cache again after it returns', async () => {
    const store = new RedisStore({
      url: `redis://127.0.0.1:${server.port}`,
      prefix: 'fault-cache:',
      operationTimeout: '200ms',
    })
    const onError = vi.fn()
    let calls = 0
    const load = cache({ store, ttl: 60, key: 'user:{0}', onError })(async (id: number) => {
      calls++
      return { id }
    })
    try {
      expect(await load(1)).toEqual({ id: 1 })
      await server.kill()
      const started = Date.now()
      expect(await load(2)).toEqual({ id: 2 })
      expect(Date.now() - started).toBeLessThan(1_500)
      expect(onError).toHaveBeenCalled()
      expect(CacheStoreError.isInstance(onError.mock.calls[0]?.[0])).toBe(true)
      await server.restart()
      await expect
        .poll(
          () =>
            store.set('probe', entry(1)).then(
              () => true,
              () => false,
            ),
          { timeout: 5_000 },
        )
        .toBe(true)
      const before = calls
      expect(await load(3)).toEqual({ id: 3 })
      expect(await load(3)).toEqual({ id: 3 })
      expect(calls).toBe(before + 1)
    } finally {
      await store.close()
    }
  })
})

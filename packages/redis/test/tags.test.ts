// invalidateTags across instances on one Redis (standalone and Cluster), without a bus: each
// instance has its own client and RedisStore, as two processes would.
import { createCache } from '@stratacache/core'
import type { Cluster, Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { RedisStore } from '../src/redis-store'
import { clusterClient, standaloneClient } from './support/clients'

const clients: (Redis | Cluster)[] = []
afterAll(async () => {
  await Promise.all(clients.map((client) => client.quit()))
})

describe.each([
  ['standalone', standaloneClient],
  ['cluster', clusterClient],
])('tags over Redis (%s)', (_, connect) => {
  function processes(prefix: string) {
    const errors: unknown[] = []
    const open = () => {
      const client = connect()
      clients.push(client)
      return createCache({
        store: new RedisStore({ client, prefix }),
        prefix: 'app',
        ttl: 60,
        onError: (error) => errors.push(error),
      })
    }
    return { a: open(), b: open(), errors }
  }

  it('an invalidation by one instance is seen by the other; a later write hits again', async () => {
    const { a, b } = processes(`tags-${Date.now()}:`)
    let calls = 0
    const load = async () => ++calls
    expect(await a.getOrSet('k', load, { tags: ['org:7'] })).toBe(1)
    await a.set('other', 'x', { tags: ['org:8'] })
    await new Promise((resolve) => setTimeout(resolve, 20)) // the miss's write lands after the caller's return
    expect(await b.getOrSet('k', load, { tags: ['org:7'] })).toBe(1)
    await b.invalidateTags(['org:7'])
    expect(await a.get('k')).toBeUndefined()
    expect(await a.getOrSet('k', load, { tags: ['org:7'] })).toBe(2)
    expect(await a.get('other')).toBe('x')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await b.getOrSet('k', load, { tags: ['org:7'] })).toBe(2)
    expect(calls).toBe(2)
  })

  it('stores stale-if-error entries (the codec flag) and serves them when recomputing fails', async () => {
    const { a, b, errors } = processes(`sie-${Date.now()}:`)
    await a.set('rates', { eur: 1.1 }, { ttl: '50ms', staleIfError: 60 })
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(await b.get('rates')).toBeUndefined() // past ttl: only for errors
    const failing = async (): Promise<{ eur: number }> => {
      throw new Error('rates API down')
    }
    expect(await b.getOrSet('rates', failing, { ttl: '50ms', staleIfError: 60 })).toEqual({ eur: 1.1 })
    expect(errors).toEqual([new Error('rates API down')])
  })
})

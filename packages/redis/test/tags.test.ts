// invalidateTags across instances on one Redis (standalone and Cluster), without a bus: each
// instance has its own client and RedisStore, as two processes would.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createCache } from '@stratacache/core'
import type { Cluster, Redis } from 'ioredis'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { RedisStore } from '../src/redis-store'
import { clusterClient, standaloneClient } from './support/clients'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const workerScript = fileURLToPath(new URL('./fixtures/tags-worker.ts', import.meta.url))

/** Runs one action of the tags worker in a process of its own; resolves what it printed. */
async function inAnotherProcess(action: string, prefix: string): Promise<unknown> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', workerScript, action, String(inject('redisPort')), prefix],
    { cwd: packageDir, timeout: 30_000 },
  )
  return (JSON.parse(stdout.trim().split('\n').pop() as string) as { result: unknown }).result
}

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

describe('tags across processes on one Redis (no bus)', () => {
  it('an invalidation by another process is seen here; a write by another process after it hits', async () => {
    const prefix = `tags-xproc-${process.pid}-${Date.now()}:`
    const client = standaloneClient()
    clients.push(client)
    const here = createCache({ store: new RedisStore({ client, prefix }), prefix: 'app', ttl: 60 })
    await here.set('report', 'from here', { tags: ['org:7'] })
    expect(await inAnotherProcess('read', prefix)).toBe('from here')
    await inAnotherProcess('invalidate', prefix)
    expect(await here.get('report')).toBeUndefined()
    expect(await inAnotherProcess('read', prefix)).toBeNull()
    await inAnotherProcess('write', prefix)
    expect(await here.get('report')).toBe('from the worker')
  }, 60_000)
})

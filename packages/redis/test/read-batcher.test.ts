import { createServer, type Server, type Socket } from 'node:net'
import { type CacheEntry, CacheTimeoutError } from '@stratacache/core'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { MAX_BATCH_KEYS } from '../src/read-batcher'
import { RedisStore } from '../src/redis-store'
import { clusterClient, standaloneClient } from './support/clients'

const entry = (value: unknown): CacheEntry => {
  const now = Date.now()
  return { value, createdAt: now, freshUntil: now + 60_000, staleUntil: now + 60_000 }
}

/** Records the commands the server receives that touch keys under `prefix` (Redis MONITOR). */
async function watchCommands(prefix: string): Promise<{ commands: string[][]; stop(): Promise<void> }> {
  const watcher = standaloneClient()
  const monitor = await watcher.monitor()
  const commands: string[][] = []
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args.slice(1).some((arg) => arg.startsWith(prefix))) commands.push(args)
  })
  return {
    commands,
    async stop() {
      monitor.disconnect()
      watcher.disconnect()
    },
  }
}

describe('RedisStore batches concurrent reads', () => {
  const client = standaloneClient()
  afterAll(async () => {
    await client.quit()
  })

  it('sends the gets of one tick as one MGET and answers each caller its own entry', async () => {
    const prefix = `batch-${process.pid}:`
    const store = new RedisStore({ client, prefix })
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`)
    await store.setMany(keys.filter((_, i) => i % 5 !== 0).map((key) => [key, entry(key)]))
    await client.set(`${prefix}k1`, Buffer.from('not an entry'))
    const onError = vi.fn()
    const reporting = new RedisStore({ client, prefix, onError })
    const watch = await watchCommands(prefix)
    try {
      const found = await Promise.all(keys.map((key) => reporting.get(key)))
      expect(found.map((e) => e?.value)).toEqual(
        keys.map((key, i) => (i % 5 === 0 || key === 'k1' ? undefined : key)),
      )
      expect(onError).toHaveBeenCalledTimes(1)
      await vi.waitFor(() => expect(watch.commands.some(([name]) => name === 'unlink')).toBe(true))
      const reads = watch.commands.filter(([name]) => name === 'mget' || name === 'get')
      expect(reads).toHaveLength(1)
      expect(reads[0]).toEqual(['mget', ...keys.map((key) => prefix + key)])
    } finally {
      await watch.stop()
      await store.clear()
    }
  })

  it('sends a batch at once when it is full, and the rest in the next one', async () => {
    const prefix = `full-${process.pid}:`
    const store = new RedisStore({ client, prefix })
    await store.set('k0', entry('v0'))
    const watch = await watchCommands(prefix)
    try {
      const keys = Array.from({ length: MAX_BATCH_KEYS + 10 }, (_, i) => `k${i}`)
      const found = await Promise.all(keys.map((key) => store.get(key)))
      expect(found[0]?.value).toBe('v0')
      expect(found.filter((e) => e !== undefined)).toHaveLength(1)
      await vi.waitFor(() => expect(watch.commands).toHaveLength(2))
      expect(watch.commands.map((command) => command.length - 1)).toEqual([MAX_BATCH_KEYS, 10])
    } finally {
      await watch.stop()
      await store.clear()
    }
  })

  it('reads a lone get with GET, and one key asked twice in a tick by both callers', async () => {
    const prefix = `lone-${process.pid}:`
    const store = new RedisStore({ client, prefix })
    await store.set('a', entry('A'))
    const watch = await watchCommands(prefix)
    try {
      expect((await store.get('a'))?.value).toBe('A')
      const [first, second] = await Promise.all([store.get('a'), store.get('a')])
      expect([first?.value, second?.value]).toEqual(['A', 'A'])
      await vi.waitFor(() => expect(watch.commands).toHaveLength(2))
      expect(watch.commands).toEqual([
        ['get', `${prefix}a`],
        ['mget', `${prefix}a`, `${prefix}a`],
      ])
    } finally {
      await watch.stop()
      await store.clear()
    }
  })

  it('bounds every batch in flight with one shared timer, and every caller gets a CacheTimeoutError naming its key', async () => {
    // A server that accepts connections and never answers.
    const sockets: Socket[] = []
    const silent: Server = createServer((socket) => sockets.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as { port: number }).port
    const mute = new Redis({ host: '127.0.0.1', port, enableReadyCheck: false, maxRetriesPerRequest: null })
    mute.on('error', () => {})
    const store = new RedisStore({ client: mute, prefix: 'mute:', operationTimeout: '100ms' })
    const timeouts = vi.spyOn(globalThis, 'setTimeout')
    const intervals = vi.spyOn(globalThis, 'setInterval')
    try {
      const reads = ['a', 'b', 'c'].map((key) => store.get(key).catch((error: unknown) => error))
      await new Promise((resolve) => setImmediate(resolve))
      // A second batch while the first is in flight shares the one timer.
      reads.push(store.get('d').catch((error: unknown) => error))
      const failures = await Promise.all(reads)
      // Core's DeadlineWatch: one timer ticking every quarter of the bound while reads are
      // pending, never a timer (of the bound) per batch or per read.
      expect(intervals).not.toHaveBeenCalled()
      expect(timeouts.mock.calls.filter(([, ms]) => ms === 100)).toHaveLength(0)
      const ticks = timeouts.mock.calls.filter(([, ms]) => ms === 25)
      expect(ticks.length).toBeGreaterThan(0)
      expect(ticks.length).toBeLessThanOrEqual(8) // ~125 ms of 25 ms ticks, whatever the number of batches
      for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) {
        expect(CacheTimeoutError.isInstance(failures[i])).toBe(true)
        expect(failures[i]).toMatchObject({ store: 'redis', operation: 'get', key, timeoutMs: 100 })
      }
    } finally {
      timeouts.mockRestore()
      intervals.mockRestore()
      mute.disconnect()
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })
})

describe('RedisStore batches concurrent reads on a cluster', () => {
  const client = clusterClient()
  afterAll(async () => {
    await client.quit()
  })

  it('splits a batch by hash slot and answers every caller in order', async () => {
    const store = new RedisStore({ client, prefix: `cluster-batch-${process.pid}:` })
    const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`)
    await store.setMany(keys.filter((_, i) => i % 3 !== 0).map((key) => [key, entry(key)]))
    try {
      const found = await Promise.all(keys.map((key) => store.get(key)))
      expect(found.map((e) => e?.value)).toEqual(keys.map((key, i) => (i % 3 === 0 ? undefined : key)))
    } finally {
      await store.clear()
    }
  })
})

import { CacheConfigError, type InvalidationMessage } from '@stratacache/core'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { RedisBus } from '../src/redis-bus'
import { clusterClient, standaloneClient } from './support/clients'
import { startRedisServer } from './support/redis-server'

/** Resolves once `predicate` holds, polling briefly; fails after two seconds. */
async function eventually(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

let channelSeq = 0
const channel = () => `bus-test-${process.pid}-${++channelSeq}`

describe('RedisBus', () => {
  const client = standaloneClient()
  const buses: RedisBus[] = []
  const open = async (options: ConstructorParameters<typeof RedisBus>[0]): Promise<RedisBus> => {
    const bus = new RedisBus(options)
    buses.push(bus)
    await bus.ready()
    return bus
  }

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()))
    await client.quit()
  })

  it('carries messages between buses (processes), never back to their origin', async () => {
    const name = channel()
    const a = await open({ client, channel: name, origin: 'a' })
    const b = await open({ client, channel: name, origin: 'b' })
    const seenByA: InvalidationMessage[] = []
    const seenByB: InvalidationMessage[] = []
    a.subscribe((message) => seenByA.push(message))
    b.subscribe((message) => seenByB.push(message))

    await a.publish({ kind: 'delete', keys: ['user:1'], namespace: 'app' })
    await b.publish({ kind: 'set', keys: ['user:2'], namespace: 'app' })

    await eventually(() => seenByA.length === 1 && seenByB.length === 1)
    expect(seenByB).toEqual([{ kind: 'delete', keys: ['user:1'], namespace: 'app', origin: 'a' }])
    expect(seenByA).toEqual([{ kind: 'set', keys: ['user:2'], namespace: 'app', origin: 'b' }])
  })

  it('lets two caches with their own origins share one bus', async () => {
    const bus = await open({ client, channel: channel() })
    const first: string[] = []
    const second: string[] = []
    bus.subscribe((m) => first.push(m.keys?.[0] ?? ''), { origin: 'chain-1' })
    bus.subscribe((m) => second.push(m.keys?.[0] ?? ''), { origin: 'chain-2' })

    await bus.publish({ kind: 'set', keys: ['from-1'], namespace: 'n', origin: 'chain-1' })
    await bus.publish({ kind: 'set', keys: ['from-2'], namespace: 'n', origin: 'chain-2' })

    await eventually(() => first.length === 1 && second.length === 1)
    expect(first).toEqual(['from-2'])
    expect(second).toEqual(['from-1'])
  })

  it('keeps channels apart', async () => {
    const a = await open({ client, channel: channel() })
    const b = await open({ client, channel: channel() })
    const handler = vi.fn()
    const control = vi.fn()
    b.subscribe(handler)
    a.subscribe(control, { origin: 'other' })
    await a.publish({ kind: 'clear', namespace: 'n' })
    await eventually(() => control.mock.calls.length === 1)
    expect(handler).not.toHaveBeenCalled()
  })

  it('reports a malformed message on the channel and keeps delivering', async () => {
    const name = channel()
    const onError = vi.fn()
    const bus = await open({ client, channel: name, onError })
    const handler = vi.fn()
    bus.subscribe(handler)
    await client.publish(name, 'not json')
    await client.publish(name, JSON.stringify({ kind: 'explode', namespace: 'n' }))
    await client.publish(name, JSON.stringify({ kind: 'delete', keys: ['k'], namespace: 'n', origin: 'x' }))
    await eventually(() => handler.mock.calls.length === 1)
    expect(onError).toHaveBeenCalledTimes(2)
    expect(handler).toHaveBeenCalledWith({ kind: 'delete', keys: ['k'], namespace: 'n', origin: 'x' })
  })

  it('unsubscribe stops delivery', async () => {
    const name = channel()
    const bus = await open({ client, channel: name })
    const handler = vi.fn()
    const control = vi.fn()
    const stop = bus.subscribe(handler, { origin: 'h' })
    bus.subscribe(control, { origin: 'c' })
    stop()
    await bus.publish({ kind: 'clear', namespace: 'n', origin: 'z' })
    await eventually(() => control.mock.calls.length === 1)
    expect(handler).not.toHaveBeenCalled()
  })

  it('close() leaves a client you passed open and closes its own subscriber', async () => {
    const bus = new RedisBus({ client, channel: channel() })
    await bus.ready()
    await bus.close()
    await bus.close()
    expect(client.status).toBe('ready')
    expect(await client.ping()).toBe('PONG')
    await expect(bus.publish({ kind: 'clear', namespace: 'n' })).resolves.toBeUndefined()
  })

  it('close() closes the connections it opened from a url', async () => {
    const server = await startRedisServer()
    const observer = new Redis({ host: '127.0.0.1', port: server.port })
    const connections = async () =>
      Number(/connected_clients:(\d+)/.exec(await observer.info('clients'))?.[1])
    try {
      const bus = new RedisBus({ url: `redis://127.0.0.1:${server.port}`, channel: 'own' })
      await bus.ready()
      const seen = vi.fn()
      bus.subscribe(seen, { origin: 'other' })
      await bus.publish({ kind: 'clear', namespace: 'n' })
      await eventually(() => seen.mock.calls.length === 1)
      expect(await connections()).toBe(3)
      await bus.close()
      await expect.poll(connections).toBe(1)
    } finally {
      await observer.quit()
      await server.stop()
    }
  })

  it('validates its options', () => {
    expect(() => new RedisBus({} as never)).toThrow(CacheConfigError)
    expect(() => new RedisBus({ client, channel: '' })).toThrow(/channel/)
    expect(() => new RedisBus({ client, origin: '' })).toThrow(/origin/)
    expect(() => new RedisBus({ client, operationTimeout: 0 })).toThrow(/operationTimeout/)
    expect(() => new RedisBus({ url: 'http://127.0.0.1' })).toThrow(/redis:\/\//)
  })
})

describe('RedisBus over a Redis Cluster', () => {
  it('carries messages between buses', async () => {
    const client = clusterClient()
    const name = channel()
    const a = new RedisBus({ client, channel: name })
    const b = new RedisBus({ client, channel: name })
    try {
      await Promise.all([a.ready(), b.ready()])
      const seen: InvalidationMessage[] = []
      b.subscribe((message) => seen.push(message))
      await a.publish({ kind: 'delete', keys: ['k'], namespace: 'n' })
      await eventually(() => seen.length === 1)
      expect(seen[0]).toMatchObject({ kind: 'delete', keys: ['k'], origin: a.origin })
    } finally {
      await Promise.all([a.close(), b.close()])
      await client.quit()
    }
  })
})

describe('RedisBus reconnect', () => {
  it('after the subscriber reconnects, tells local subscribers to clear everything, then delivers again', async () => {
    const server = await startRedisServer()
    const client = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1 })
    client.on('error', () => {})
    const bus = new RedisBus({ client, channel: 'reconnect' })
    try {
      await bus.ready()
      const seen: InvalidationMessage[] = []
      bus.subscribe((message) => seen.push(message), { origin: 'l1' })

      await server.restart()
      await eventually(() => seen.length === 1)
      expect(seen[0]).toMatchObject({ kind: 'clear', namespace: '*' })

      await eventually(() => client.status === 'ready')
      await bus.publish({ kind: 'delete', keys: ['after'], namespace: 'n' })
      await eventually(() => seen.length === 2)
      expect(seen[1]).toMatchObject({ kind: 'delete', keys: ['after'] })
    } finally {
      await bus.close()
      client.disconnect()
      await server.stop()
    }
  })
})

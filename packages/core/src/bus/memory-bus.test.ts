import { describe, expect, it, vi } from 'vitest'
import { CacheConfigError } from '../errors'
import type { InvalidationMessage } from './invalidation-bus'
import { MemoryBus } from './memory-bus'

describe('MemoryBus', () => {
  it('delivers to other origins and never back to the publisher', async () => {
    const bus = new MemoryBus()
    const a: InvalidationMessage[] = []
    const b: InvalidationMessage[] = []
    bus.subscribe((message) => a.push(message), { origin: 'a' })
    bus.subscribe((message) => b.push(message), { origin: 'b' })

    await bus.publish({ kind: 'delete', keys: ['k1'], namespace: 'app', origin: 'a' })

    expect(a).toEqual([])
    expect(b).toEqual([{ kind: 'delete', keys: ['k1'], namespace: 'app', origin: 'a' }])
  })

  it("stamps the bus's origin on messages without one, and subscribers default to it", async () => {
    const bus = new MemoryBus({ origin: 'me' })
    const own = vi.fn()
    const other = vi.fn()
    bus.subscribe(own)
    bus.subscribe(other, { origin: 'other' })

    await bus.publish({ kind: 'clear', namespace: 'app' })

    expect(own).not.toHaveBeenCalled()
    expect(other).toHaveBeenCalledWith({ kind: 'clear', namespace: 'app', origin: 'me' })
  })

  it('two chains sharing one bus invalidate each other', async () => {
    const bus = new MemoryBus()
    const seenByA: string[][] = []
    const seenByB: string[][] = []
    bus.subscribe((m) => seenByA.push(m.keys ?? []), { origin: 'chain-a' })
    bus.subscribe((m) => seenByB.push(m.keys ?? []), { origin: 'chain-b' })

    await bus.publish({ kind: 'set', keys: ['x'], namespace: 'n', origin: 'chain-a' })
    await bus.publish({ kind: 'set', keys: ['y'], namespace: 'n', origin: 'chain-b' })

    expect(seenByA).toEqual([['y']])
    expect(seenByB).toEqual([['x']])
  })

  it('unsubscribe stops delivery, including during a delivery in progress', async () => {
    const bus = new MemoryBus()
    const calls: string[] = []
    let stopSecond = (): void => {}
    bus.subscribe(
      () => {
        calls.push('first')
        stopSecond()
      },
      { origin: 'a' },
    )
    stopSecond = bus.subscribe(() => calls.push('second'), { origin: 'b' })

    await bus.publish({ kind: 'clear', namespace: 'n', origin: 'z' })
    await bus.publish({ kind: 'clear', namespace: 'n', origin: 'z' })

    expect(calls).toEqual(['first', 'second', 'first'])
  })

  it('a throwing handler is reported and does not stop the others', async () => {
    const onError = vi.fn()
    const bus = new MemoryBus({ onError })
    const boom = new Error('boom')
    const after = vi.fn()
    bus.subscribe(
      () => {
        throw boom
      },
      { origin: 'a' },
    )
    bus.subscribe(after, { origin: 'b' })

    await bus.publish({ kind: 'delete', keys: ['k'], namespace: 'n' })

    expect(onError).toHaveBeenCalledWith(boom)
    expect(after).toHaveBeenCalledOnce()
  })

  it('close() drops subscribers and later messages', async () => {
    const bus = new MemoryBus()
    const handler = vi.fn()
    bus.subscribe(handler, { origin: 'a' })
    await bus.close()
    await bus.publish({ kind: 'clear', namespace: 'n', origin: 'b' })
    expect(handler).not.toHaveBeenCalled()
  })

  it('rejects an empty origin, naming the option', () => {
    expect(() => new MemoryBus({ origin: '' })).toThrow(CacheConfigError)
    expect(() => new MemoryBus({ origin: '' })).toThrow(/origin/)
  })
})

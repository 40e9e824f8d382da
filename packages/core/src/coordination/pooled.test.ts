import { describe, expect, expectTypeOf, it } from 'vitest'
import { defaultsFor } from '../../test/coordination/support'
import { CacheConfigError, CachePoolFullError } from '../errors'
import { MemoryStore } from '../store/memory-store'
import { flushMicrotasks, ManualClock } from '../testing/manual-clock'
import { createPooled } from './pooled'

function setup() {
  const clock = new ManualClock()
  return { clock, pooled: createPooled(defaultsFor(new MemoryStore({ clock, maxEntries: 10_000 }), clock)) }
}

function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

describe('pooled', () => {
  it("defaults to onFull: 'throw' with CachePoolFullError naming the key and maxSize", async () => {
    const { pooled } = setup()
    const { opened, open } = gate()
    const call = pooled({ key: 'api:{0}', maxSize: 2 })(async (user: string) => {
      await opened
      return `profile of ${user}`
    })
    const running = [call('u1'), call('u1')]
    await flushMicrotasks()
    expect(await call.size('u1')).toBe(2)
    await expect(call('u1')).rejects.toThrow(
      new CachePoolFullError('api:u1 is full (maxSize=2)', { key: 'api:u1', maxSize: 2 }),
    )
    running.push(call('u2')) // another key has room
    await flushMicrotasks()
    expect(await call.size('u2')).toBe(1)
    open()
    await expect(Promise.all(running)).resolves.toEqual(['profile of u1', 'profile of u1', 'profile of u2'])
    expect(await call.size('u1')).toBe(0)
  })

  it('calls onFull with the same arguments and this when full, and returns its result', async () => {
    const { pooled } = setup()
    const { opened, open } = gate()
    const service = {
      label: 'svc',
      call: pooled({
        key: 'api',
        maxSize: 1,
        onFull(this: { label: string }, user: string) {
          return `${this.label} queued ${user}`
        },
      })(async function (this: { label: string }, user: string) {
        await opened
        return `${this.label} served ${user}`
      }),
    }
    const first = service.call('a')
    await expect(service.call('b')).resolves.toBe('svc queued b')
    open()
    await expect(first).resolves.toBe('svc served a')
  })

  it('with wait: true, waits up to timeout for a slot before falling back to onFull', async () => {
    const { pooled, clock } = setup()
    const { opened, open } = gate()
    const call = pooled({ key: 'api', maxSize: 1, wait: true, timeout: 1, onFull: () => 'fallback' })(
      async (n: number) => {
        await opened
        return n
      },
    )
    const first = call(1)
    await flushMicrotasks()
    const waiting = call(2)
    await clock.advance(1000)
    await expect(waiting).resolves.toBe('fallback')
    const served = call(3)
    await clock.advance(500)
    open() // the first call ends: the waiting third call gets its slot
    await expect(first).resolves.toBe(1)
    await expect(served).resolves.toBe(3)
  })

  it('frees the slot when the function throws', async () => {
    const { pooled } = setup()
    const call = pooled({ key: 'api', maxSize: 1 })(async () => {
      throw new Error('upstream failed')
    })
    await expect(call()).rejects.toThrow('upstream failed')
    expect(await call.size()).toBe(0)
    await expect(call()).rejects.toThrow('upstream failed') // not CachePoolFullError
  })

  it('validates onFull and the pool options', () => {
    const { pooled } = setup()
    expect(() => pooled({ key: 'k', maxSize: 1, onFull: 'queue' as never })).toThrow(CacheConfigError)
    expect(() => pooled({ key: 'k', maxSize: -1 })).toThrow(/maxSize/)
  })

  it('types the full-pool result by onFull', () => {
    const { pooled } = setup()
    const fn = async (id: string) => id.length
    expectTypeOf(pooled({ key: 'k', maxSize: 1 })(fn)).returns.resolves.toEqualTypeOf<number>()
    expectTypeOf(
      pooled({ key: 'k', maxSize: 1, onFull: (_id: string) => 'later' as const })(fn),
    ).returns.resolves.toEqualTypeOf<number | 'later'>()
  })
})

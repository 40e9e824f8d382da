import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import { defaultsFor } from '../../test/coordination/support'
import { CacheConfigError, CacheLockError } from '../errors'
import { MemoryStore } from '../store/memory-store'
import { ManualClock } from '../testing/manual-clock'
import { createOnce } from './once'

function setup() {
  const clock = new ManualClock()
  const store = new MemoryStore({ clock, maxEntries: 10_000 })
  return { clock, store, once: createOnce(defaultsFor(store, clock)) }
}

/** A function that runs until its gate opens, counting its calls. */
function gated<T>(value: T) {
  let open!: () => void
  const gate = new Promise<void>((resolve) => (open = resolve))
  const fn = vi.fn(async (_id: string) => {
    await gate
    return value
  })
  return { fn, open }
}

describe('once', () => {
  it('runs one call per key at a time; by default the others skip and resolve undefined', async () => {
    const { once } = setup()
    const { fn, open } = gated('done')
    const sync = once({ key: 'sync-order:{0}' })(fn)
    const first = sync('o1')
    await expect(sync('o1')).resolves.toBeUndefined()
    expect(await sync.isLocked('o1')).toBe(true)
    const other = sync('o2') // another key runs
    open()
    await expect(first).resolves.toBe('done')
    await expect(other).resolves.toBe('done')
    expect(fn).toHaveBeenCalledTimes(2)
    expect(await sync.isLocked('o1')).toBe(false)
    await expect(sync('o1')).resolves.toBe('done') // free again after the run
  })

  it("with onLocked: 'throw', rejects the overlapping call with CacheLockError", async () => {
    const { once } = setup()
    const { fn, open } = gated(1)
    const sync = once({ key: 'daily-report', onLocked: 'throw' })(fn)
    const first = sync('x')
    const error = await sync('x').catch((e: unknown) => e)
    expect(CacheLockError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ key: 'daily-report' })
    open()
    await expect(first).resolves.toBe(1)
  })

  it('with onLocked: { return }, resolves the given value', async () => {
    const { once } = setup()
    const { fn, open } = gated('fresh')
    const sync = once({ key: 'job', onLocked: { return: 'in progress' } })(fn)
    const first = sync('x')
    await expect(sync('x')).resolves.toBe('in progress')
    open()
    await first
  })

  it('releases when the function throws, and never caches its failure', async () => {
    const { once } = setup()
    let calls = 0
    const flaky = once({ key: 'job' })(async () => {
      calls++
      if (calls === 1) throw new Error('first fails')
      return 'ok'
    })
    await expect(flaky()).rejects.toThrow('first fails')
    await expect(flaky()).resolves.toBe('ok')
  })

  it('a crashed run (never settling) frees the key after ttl', async () => {
    const { once, clock } = setup()
    const stuck = once({ key: 'job', ttl: 5 })(() => new Promise<never>(() => {}))
    void stuck()
    await clock.advance(4999)
    expect(await stuck.isLocked()).toBe(true)
    await clock.advance(1)
    expect(await stuck.isLocked()).toBe(false)
  })

  it('shares the lock key space with lock(), and wraps sync functions as async', async () => {
    const { once } = setup()
    const add = once({ key: (a: number, b: number) => `add:${a}+${b}` })((a: number, b: number) => a + b)
    await expect(add(1, 2)).resolves.toBe(3)
    expect(add.key(1, 2)).toBe('add:1+2')
  })

  it('validates its options', () => {
    const { once } = setup()
    expect(() => once({ key: 'k', onLocked: 'wait' as never })).toThrow(CacheConfigError)
    expect(() => once({ key: '' })).toThrow(CacheConfigError)
    expect(() => once(undefined as never)).toThrow(CacheConfigError)
    expect(() => once({ key: 'k', ttl: -5 })).toThrow(/ttl/)
  })

  it('types the skipped result by onLocked', () => {
    const { once } = setup()
    const fn = async (id: string) => id.length
    expectTypeOf(once({ key: 'k' })(fn)).returns.resolves.toEqualTypeOf<number | undefined>()
    expectTypeOf(once({ key: 'k', onLocked: 'throw' })(fn)).returns.resolves.toEqualTypeOf<number>()
    expectTypeOf(once({ key: 'k', onLocked: { return: 'busy' } })(fn)).returns.resolves.toEqualTypeOf<
      number | 'busy'
    >()
    expectTypeOf(once({ key: 'k' })(fn)).parameters.toEqualTypeOf<[string]>()
  })
})

describe('once as a method decorator', () => {
  it('guards a TC39-decorated method, resolving named placeholders and keeping `this`', async () => {
    const { once } = setup()
    const { fn, open } = gated('synced')
    class Orders {
      readonly label = 'orders'
      @once({ key: 'sync-order:{orderId}', onLocked: { return: 'busy' } })
      async sync(orderId: string) {
        return `${this.label} ${await fn(orderId)}`
      }
    }
    const orders = new Orders()
    const first = orders.sync('o1')
    await expect(orders.sync('o1')).resolves.toBe('busy')
    open()
    await expect(first).resolves.toBe('orders synced')
    expectTypeOf(orders.sync).returns.resolves.toEqualTypeOf<string>()
  })

  it('guards a legacy (experimentalDecorators) method through its descriptor', async () => {
    const { once } = setup()
    const { fn, open } = gated('done')
    const descriptor: PropertyDescriptor = {
      value: (id: string) => fn(id),
      writable: true,
      configurable: true,
    }
    const result = (once({ key: 'job:{id}' }) as (t: object, k: string, d: PropertyDescriptor) => unknown)(
      {},
      'run',
      descriptor,
    )
    expect(result).toBe(descriptor)
    const run = descriptor.value as (id: string) => Promise<string | undefined>
    const first = run('a')
    await expect(run('a')).resolves.toBeUndefined()
    open()
    await expect(first).resolves.toBe('done')
  })

  it('refuses to decorate anything but a function or method', () => {
    const { once } = setup()
    expect(() => (once({ key: 'k' }) as (x: unknown) => unknown)('not a function')).toThrow(CacheConfigError)
  })
})

import { describe, expect, it } from 'vitest'
import { CacheTimeoutError } from '../errors'
import { flushMicrotasks, ManualClock } from '../testing'
import { DeadlineWatch } from './deadline-watch'

const context = { store: 'test', operation: 'get', key: 'k' }

describe('DeadlineWatch', () => {
  it('rejects a hanging call between the bound and 1.25 × the bound, with one timer for many calls', async () => {
    const clock = new ManualClock()
    const watch = new DeadlineWatch(400, clock)
    const outcomes: string[] = []
    const hang = () =>
      watch.bound(new Promise<never>(() => {}), context).catch((error: unknown) => {
        outcomes.push(CacheTimeoutError.isInstance(error) ? `timeout at ${clock.now() - start}` : 'other')
      })
    const start = clock.now()
    void hang()
    await clock.advance(100)
    void hang()
    expect(clock.pendingTimers).toBe(1)
    await clock.advance(300)
    await flushMicrotasks()
    expect(outcomes).toEqual(['timeout at 400'])
    await clock.advance(100)
    await flushMicrotasks()
    expect(outcomes).toEqual(['timeout at 400', 'timeout at 500'])
  })

  it('passes a settled call through and stops ticking once nothing is pending', async () => {
    const clock = new ManualClock()
    const watch = new DeadlineWatch(400, clock)
    expect(await watch.bound(Promise.resolve(7), context)).toBe(7)
    await expect(watch.bound(Promise.reject(new Error('boom')), context)).rejects.toThrow('boom')
    await clock.advance(100)
    expect(clock.pendingTimers).toBe(0)
    void watch.bound(new Promise(() => {}), context)
    watch.stop()
    expect(clock.pendingTimers).toBe(0)
  })

  it('watch/settle: expires only the calls still pending, wherever they sit in the list', async () => {
    const clock = new ManualClock()
    const watch = new DeadlineWatch(400, clock)
    const expired: string[] = []
    const calls = ['a', 'b', 'c', 'd', 'e'].map((key) => ({
      key,
      watched: watch.watch({ ...context, key }, (error) => expired.push(`${error.key} ${error.timeoutMs}`)),
    }))
    // Settle the first, a middle one and the last: the list must stay whole around them.
    for (const i of [0, 2, 4]) expect(watch.settle(calls[i]!.watched!)).toBe(true)
    await clock.advance(400)
    expect(expired).toEqual(['b 400', 'd 400'])
    expect(watch.settle(calls[1]!.watched!)).toBe(false) // too late: its caller was told
    expect(watch.settle(calls[1]!.watched!)).toBe(false)
    await clock.advance(100)
    expect(clock.pendingTimers).toBe(0)
    // A call watched after the list emptied is watched again, with a new timer.
    const late = watch.watch(context, (error) => expired.push(`late ${error.key}`))!
    await clock.advance(500)
    expect(expired).toEqual(['b 400', 'd 400', 'late k'])
    expect(watch.settle(late)).toBe(false)
  })

  it('watch returns nothing to settle when the bound is Infinity; stop forgets pending calls', async () => {
    const clock = new ManualClock()
    expect(new DeadlineWatch(Number.POSITIVE_INFINITY, clock).watch(context, () => {})).toBeUndefined()
    const watch = new DeadlineWatch(400, clock)
    const expired: unknown[] = []
    const pending = watch.watch(context, (error) => expired.push(error))!
    watch.stop()
    await clock.advance(1000)
    expect(expired).toEqual([])
    expect(watch.settle(pending)).toBe(true) // no longer bounded: its outcome counts
  })
})

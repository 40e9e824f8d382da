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
})

import { describe, expect, it } from 'vitest'
import { CacheTimeoutError } from '../errors'
import { ManualClock } from '../testing/manual-clock'
import { withTimeout } from './with-timeout'

const context = { store: 'slow', operation: 'get', key: 'k' }

describe('withTimeout', () => {
  it('passes the result through and leaves no timer behind', async () => {
    const clock = new ManualClock()
    await expect(withTimeout(Promise.resolve(7), 100, clock, context)).resolves.toBe(7)
    expect(clock.pendingTimers).toBe(0)
    await expect(withTimeout(Promise.reject(new Error('boom')), 100, clock, context)).rejects.toThrow('boom')
    expect(clock.pendingTimers).toBe(0)
  })

  it('rejects with CacheTimeoutError naming the store, operation and key when too slow', async () => {
    const clock = new ManualClock()
    let fail!: (error: Error) => void
    const hanging = new Promise<never>((_resolve, reject) => {
      fail = reject
    })
    const result = withTimeout(hanging, 100, clock, context)
    const settled = result.then(
      () => undefined,
      (error: unknown) => error,
    )
    await clock.advance(99)
    expect(clock.pendingTimers).toBe(1)
    await clock.advance(1)
    const error = await settled
    expect(CacheTimeoutError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ store: 'slow', operation: 'get', key: 'k', timeoutMs: 100 })
    expect(String((error as Error).message)).toMatch(/slow get of key "k" took longer than 100 ms/)
    // The abandoned operation failing later is absorbed, never an unhandled rejection.
    fail(new Error('late'))
    await clock.advance(1)
  })

  it('returns the operation itself for an infinite bound', () => {
    const operation = Promise.resolve(1)
    expect(withTimeout(operation, Number.POSITIVE_INFINITY, new ManualClock(), context)).toBe(operation)
  })
})

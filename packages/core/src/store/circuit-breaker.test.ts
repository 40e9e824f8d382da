import { describe, expect, it } from 'vitest'
import { CacheConfigError } from '../errors'
import { ManualClock } from '../testing/manual-clock'
import { CircuitBreaker } from './circuit-breaker'

function failTimes(breaker: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i++) {
    expect(breaker.tryAcquire()).toBe(true)
    breaker.recordFailure()
  }
}

describe('CircuitBreaker', () => {
  it('defaults to 5 failures and 30 seconds', () => {
    const breaker = new CircuitBreaker()
    expect([breaker.failureThreshold, breaker.resetTimeoutMs, breaker.state]).toEqual([5, 30_000, 'closed'])
  })

  it('opens at exactly the threshold of consecutive failures', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, clock: new ManualClock() })
    failTimes(breaker, 2)
    expect([breaker.state, breaker.failures]).toEqual(['closed', 2])
    failTimes(breaker, 1)
    expect(breaker.state).toBe('open')
    expect(breaker.tryAcquire()).toBe(false)
  })

  it('a success in between resets the count', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, clock: new ManualClock() })
    failTimes(breaker, 2)
    breaker.recordSuccess()
    failTimes(breaker, 2)
    expect([breaker.state, breaker.failures]).toEqual(['closed', 2])
  })

  it('turns half-open exactly resetTimeout after opening, and admits one trial at a time', async () => {
    const clock = new ManualClock()
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: '10s', clock })
    failTimes(breaker, 1)
    await clock.advance(9_999)
    expect(breaker.state).toBe('open')
    expect(breaker.tryAcquire()).toBe(false)
    await clock.advance(1)
    expect(breaker.state).toBe('half-open')
    expect(breaker.tryAcquire()).toBe(true)
    expect(breaker.tryAcquire()).toBe(false)
    breaker.recordSuccess()
    expect([breaker.state, breaker.failures]).toEqual(['closed', 0])
    expect(breaker.tryAcquire()).toBe(true)
  })

  it('a failed trial opens it again for another full resetTimeout', async () => {
    const clock = new ManualClock()
    const breaker = new CircuitBreaker({ failureThreshold: 2, resetTimeout: 10, clock })
    failTimes(breaker, 2)
    await clock.advance(10_000)
    expect(breaker.tryAcquire()).toBe(true)
    await clock.advance(500)
    breaker.recordFailure()
    expect(breaker.state).toBe('open')
    await clock.advance(9_999)
    expect(breaker.state).toBe('open')
    await clock.advance(1)
    expect(breaker.state).toBe('half-open')
  })

  it('a late failure of a call started before it opened does not push the reopening back', async () => {
    const clock = new ManualClock()
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 10, clock })
    expect(breaker.tryAcquire()).toBe(true)
    expect(breaker.tryAcquire()).toBe(true)
    breaker.recordFailure()
    await clock.advance(5_000)
    breaker.recordFailure()
    await clock.advance(5_000)
    expect(breaker.state).toBe('half-open')
  })

  it('release() frees the trial without changing the state', async () => {
    const clock = new ManualClock()
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 1, clock })
    failTimes(breaker, 1)
    await clock.advance(1_000)
    expect(breaker.tryAcquire()).toBe(true)
    breaker.release()
    expect(breaker.state).toBe('half-open')
    expect(breaker.tryAcquire()).toBe(true)
  })

  it('rejects invalid options, naming them', () => {
    for (const failureThreshold of [0, -1, 1.5, Number.NaN, '5' as never]) {
      expect(() => new CircuitBreaker({ failureThreshold })).toThrow(CacheConfigError)
      expect(() => new CircuitBreaker({ failureThreshold })).toThrow(/failureThreshold/)
    }
    expect(() => new CircuitBreaker({ resetTimeout: -1 })).toThrow(/resetTimeout/)
    expect(() => new CircuitBreaker({ clock: {} as never })).toThrow(/clock/)
  })
})

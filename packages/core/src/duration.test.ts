import { describe, expect, it } from 'vitest'
import { clampTimerDelay, MAX_TIMER_DELAY_MS } from './clock'
import { durationToMs, MAX_DURATION_MS, optionalDurationToMs } from './duration'
import { CacheConfigError } from './errors'

describe('durationToMs', () => {
  it.each([
    [60, 60_000],
    [0.25, 250],
    [0, 0],
    [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
  ] as const)('%s → %s ms', (input, expected) => {
    expect(durationToMs(input, 'ttl')).toBe(expected)
  })

  it.each([-1, Number.NaN, Number.NEGATIVE_INFINITY, '', '5', '5 minutes', '-5s', 'abc', '1w', '1e3s'])(
    'rejects %s naming the option',
    (input) => {
      expect(() => durationToMs(input as never, 'stale')).toThrowError(CacheConfigError)
      expect(() => durationToMs(input as never, 'stale')).toThrowError(/"stale"/)
    },
  )

  it('rejects non-string, non-number values', () => {
    for (const input of [null, {}, [], true]) {
      expect(() => durationToMs(input as never, 'interval')).toThrowError(/Invalid duration for "interval"/)
    }
  })

  it('reports the option on the error', () => {
    try {
      durationToMs(-3, 'lockTimeout')
      expect.unreachable()
    } catch (error) {
      expect(CacheConfigError.isInstance(error) && error.option).toBe('lockTimeout')
    }
  })

  it('optional durations fall back only when undefined', () => {
    expect(optionalDurationToMs(undefined, 'stale', 7)).toBe(7)
    expect(optionalDurationToMs(0, 'stale', 7)).toBe(0)
    expect(() => optionalDurationToMs(-1, 'stale', 7)).toThrowError(CacheConfigError)
  })
})

describe('durations beyond the platform range', () => {
  it('rejects a finite duration longer than MAX_DURATION_MS, naming the option and Infinity', () => {
    expect(() => durationToMs(1e18, 'ttl')).toThrowError(CacheConfigError)
    expect(() => durationToMs(1e18, 'ttl')).toThrowError(/"ttl".*10,000 years.*Infinity/)
    expect(() => durationToMs('4000000d', 'stale')).toThrowError(/"stale"/)
  })

  it('accepts the maximum itself and Infinity', () => {
    expect(durationToMs(MAX_DURATION_MS / 1000, 'ttl')).toBe(MAX_DURATION_MS)
    expect(durationToMs(Number.POSITIVE_INFINITY, 'ttl')).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('clampTimerDelay', () => {
  it('keeps every delay within what a 32-bit platform timer honours', () => {
    expect(clampTimerDelay(30 * 86_400_000)).toBe(MAX_TIMER_DELAY_MS)
    expect(clampTimerDelay(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_DELAY_MS)
    expect(clampTimerDelay(Number.NaN)).toBe(0)
    expect(clampTimerDelay(-5)).toBe(0)
    expect(clampTimerDelay(250)).toBe(250)
  })
})

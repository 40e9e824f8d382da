import { describe, expect, it } from 'vitest'
import { durationToMs, optionalDurationToMs } from './duration'
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

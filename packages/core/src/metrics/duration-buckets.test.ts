import { describe, expect, it } from 'vitest'
import { CacheConfigError } from '../errors'
import { DEFAULT_DURATION_BUCKETS, durationBucketsOption } from './duration-buckets'

describe('durationBucketsOption', () => {
  it('defaults to 10 µs … 10 s and returns a copy', () => {
    const buckets = durationBucketsOption(undefined, 'X')
    expect(buckets).toEqual(DEFAULT_DURATION_BUCKETS)
    expect(buckets[0]).toBe(0.00001)
    expect(buckets.at(-1)).toBe(10)
    expect(buckets).not.toBe(DEFAULT_DURATION_BUCKETS)
    expect(Object.isFrozen(DEFAULT_DURATION_BUCKETS)).toBe(true)
  })

  it.each([[[]], [[0.1, 0.1]], [[1, 0.5]], [[-1, 1]], [[0, Number.NaN]], [[0, Number.POSITIVE_INFINITY]]])(
    'rejects %j naming the option and the collector',
    (buckets) => {
      expect(() => durationBucketsOption(buckets, 'PrometheusMetrics')).toThrowError(CacheConfigError)
      expect(() => durationBucketsOption(buckets, 'PrometheusMetrics')).toThrowError(
        /^PrometheusMetrics: invalid "durationBuckets"/,
      )
    },
  )
})

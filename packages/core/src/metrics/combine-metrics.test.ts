import { describe, expect, it } from 'vitest'
import { type MetricsCollector, NULL_METRICS } from './collector'
import { combineMetrics } from './combine-metrics'
import { InMemoryMetrics } from './in-memory-metrics'

/** A collector that writes down every call. */
function recorder(log: unknown[][]): MetricsCollector {
  return new Proxy({} as MetricsCollector, {
    get:
      (_target, method) =>
      (...args: unknown[]) =>
        log.push([method, ...args]),
  })
}

describe('combineMetrics', () => {
  it('forwards every record to each collector, in order', () => {
    const first: unknown[][] = []
    const second: unknown[][] = []
    const metrics = combineMetrics(recorder(first), recorder(second))
    metrics.recordHit('users', 'user:1')
    metrics.recordMiss('users', 'user:2')
    metrics.recordSet('users', 'user:2', 120)
    metrics.recordDelete('users', 'user:2')
    metrics.recordStale('users', 'user:1')
    metrics.recordLatency('users', 'get', 0.001)
    metrics.recordError('users', 'load', 'TypeError')
    metrics.recordMemory('L1', 4096, 3)
    metrics.recordBackgroundRefresh('flags', false, 0.5)
    const expected = [
      ['recordHit', 'users', 'user:1'],
      ['recordMiss', 'users', 'user:2'],
      ['recordSet', 'users', 'user:2', 120],
      ['recordDelete', 'users', 'user:2'],
      ['recordStale', 'users', 'user:1'],
      ['recordLatency', 'users', 'get', 0.001],
      ['recordError', 'users', 'load', 'TypeError'],
      ['recordMemory', 'L1', 4096, 3],
      ['recordBackgroundRefresh', 'flags', false, 0.5],
    ]
    expect(first).toEqual(expected)
    expect(second).toEqual(expected)
  })

  it('feeds an InMemoryMetrics as if it were used alone', () => {
    const alone = new InMemoryMetrics()
    const combined = new InMemoryMetrics()
    const metrics = combineMetrics(combined, NULL_METRICS)
    for (const collector of [alone, metrics]) {
      collector.recordHit('users')
      collector.recordMiss('users')
    }
    expect(combined.getStats().caches).toEqual(alone.getStats().caches)
  })

  it('returns NULL_METRICS for nothing to combine and the collector itself for one', () => {
    const only = new InMemoryMetrics()
    expect(combineMetrics()).toBe(NULL_METRICS)
    expect(combineMetrics(NULL_METRICS, undefined)).toBe(NULL_METRICS)
    expect(combineMetrics(undefined, only, NULL_METRICS)).toBe(only)
  })
})

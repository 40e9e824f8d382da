import { describe, expect, it } from 'vitest'
import { formatStats } from './format-stats'
import { InMemoryMetrics } from './in-memory-metrics'

describe('formatStats', () => {
  it('renders one aligned row per cache with the get latency', () => {
    const metrics = new InMemoryMetrics()
    for (let i = 0; i < 87; i++) metrics.recordHit('L1:memory')
    for (let i = 0; i < 5; i++) {
      metrics.recordMiss('L1:memory')
      metrics.recordSet('L1:memory')
    }
    metrics.recordLatency('L1:memory', 'get', 0.000002)
    metrics.recordLatency('L1:memory', 'get', 0.00001)
    metrics.recordHit('L2:redis')
    metrics.recordMiss('L2:redis')
    metrics.recordMiss('L2:redis')
    metrics.recordLatency('L2:redis', 'get', 0.0012346)
    metrics.recordLatency('L2:redis', 'set', 1)
    metrics.recordSet('users')
    expect(formatStats(metrics.getStats())).toBe(
      [
        'Layer      hits  misses  sets  hit rate      p50      p99',
        '---------  ----  ------  ----  --------  -------  -------',
        'L1:memory    87       5     5    94.57%  0.002ms  0.010ms',
        'L2:redis      1       2     0    33.33%  1.235ms  1.235ms',
        'users         0       0     1     0.00%        -        -',
      ].join('\n'),
    )
  })

  it('takes the latency of another operation when told', () => {
    const metrics = new InMemoryMetrics()
    metrics.recordMiss('getUser')
    metrics.recordLatency('getUser', 'load', 0.25)
    expect(formatStats(metrics.getStats(), { operation: 'load' })).toBe(
      [
        'Layer    hits  misses  sets  hit rate        p50        p99',
        '-------  ----  ------  ----  --------  ---------  ---------',
        'getUser     0       1     0     0.00%  250.000ms  250.000ms',
      ].join('\n'),
    )
    expect(formatStats(metrics.getStats())).toContain('getUser     0       1     0     0.00%    -    -')
  })

  it('renders the header alone when nothing was recorded', () => {
    expect(formatStats(new InMemoryMetrics().getStats())).toBe(
      ['Layer  hits  misses  sets  hit rate  p50  p99', '-----  ----  ------  ----  --------  ---  ---'].join(
        '\n',
      ),
    )
  })
})

import { describe, expect, it } from 'vitest'
import { CacheTallies } from './cache-tallies'

describe('CacheTallies', () => {
  it('keeps one running tally per cache, whatever the key', () => {
    const tallies = new CacheTallies()
    tallies.of('users', 'user:1').hits++
    tallies.of('users', 'user:2').hits++
    tallies.of('orders').misses++
    tallies.of('users').stale++
    expect([...tallies.all()]).toEqual([
      { cache: 'users', key: undefined, hits: 2, misses: 0, sets: 0, deletes: 0, stale: 1 },
      { cache: 'orders', key: undefined, hits: 0, misses: 1, sets: 0, deletes: 0, stale: 0 },
    ])
    expect(tallies.of('users')).toBe(tallies.of('users', 'user:9'))
  })

  it('keeps one tally per cache and key with byKey, and per cache for calls without a key', () => {
    const tallies = new CacheTallies({ byKey: true })
    tallies.of('users', 'user:1').hits++
    tallies.of('users', 'user:1').sets++
    tallies.of('users', 'user:2').misses++
    tallies.of('users').deletes++
    expect([...tallies.all()]).toEqual([
      { cache: 'users', key: undefined, hits: 0, misses: 0, sets: 0, deletes: 1, stale: 0 },
      { cache: 'users', key: 'user:1', hits: 1, misses: 0, sets: 1, deletes: 0, stale: 0 },
      { cache: 'users', key: 'user:2', hits: 0, misses: 1, sets: 0, deletes: 0, stale: 0 },
    ])
  })
})

import { describe, expectTypeOf, it } from 'vitest'
import { type CacheScopeStats, withCacheMode, withCacheStats } from './index'

describe('scope types', () => {
  it('withCacheMode returns what the function returns, sync or async', () => {
    expectTypeOf(withCacheMode('bypass', () => 1)).toEqualTypeOf<number>()
    expectTypeOf(withCacheMode('read-only', async () => 'x')).toEqualTypeOf<Promise<string>>()
    // @ts-expect-error an unknown mode
    withCacheMode('sometimes', () => 1)
  })

  it('withCacheStats resolves the awaited value and the counts', () => {
    expectTypeOf(withCacheStats(async () => 1)).toEqualTypeOf<
      Promise<{ value: number; stats: CacheScopeStats }>
    >()
    expectTypeOf(withCacheStats(() => 'x'))
      .resolves.toHaveProperty('value')
      .toEqualTypeOf<string>()
  })
})

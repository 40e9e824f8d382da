import { readFile } from 'node:fs/promises'
import { describe, expect, it, vi } from 'vitest'
import { createCache } from '../create-cache'
import { CacheConfigError, CacheMissError } from '../errors'
import { InMemoryMetrics } from '../metrics/in-memory-metrics'
import { ManualClock } from '../testing/manual-clock'
import { withCacheMode, withCacheStats } from './index'

function setup() {
  const clock = new ManualClock()
  const instance = createCache({ clock, ttl: 60 })
  let calls = 0
  const load = vi.fn(async (id: number) => `${id}:${++calls}`)
  const get = instance.cache({ key: 'user:{0}' })(load)
  return { clock, instance, load, get }
}

/** Lets other async work interleave with the current one. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('withCacheMode', () => {
  it('bypass: no read and no write; write-only: compute and store, never read', async () => {
    const { get, load } = setup()
    expect(await get(1)).toBe('1:1')
    expect(await withCacheMode('bypass', () => get(1))).toBe('1:2')
    expect(await get(1)).toBe('1:1') // the bypassed value was not stored
    expect(await withCacheMode('write-only', () => get(1))).toBe('1:3')
    expect(await get(1)).toBe('1:3')
    expect(load).toHaveBeenCalledTimes(3)
  })

  it('read-only: serves hits and throws CacheMissError on a miss without calling', async () => {
    const { get, load, instance } = setup()
    await get(1)
    expect(await withCacheMode('read-only', () => get(1))).toBe('1:1')
    const miss = await withCacheMode('read-only', () => get(2)).catch((error: unknown) => error)
    expect(CacheMissError.isInstance(miss)).toBe(true)
    expect((miss as CacheMissError).key).toBe('user:2')
    await expect(withCacheMode('read-only', () => instance.getOrSet('k', async () => 1))).rejects.toThrow(
      CacheMissError,
    )
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('applies to synchronous wrappers synchronously', () => {
    const { instance } = setup()
    const square = instance.cache({ key: 'sq:{0}' })((n: number) => n * n)
    expect(withCacheMode('bypass', () => square(3))).toBe(9)
    expect(() => withCacheMode('read-only', () => square(3))).toThrow(CacheMissError)
    expect(withCacheMode('write-only', () => square(3))).toBe(9)
    expect(withCacheMode('read-only', () => square(3))).toBe(9)
  })

  it('follows the async call tree: interleaved requests never see each other’s mode', async () => {
    const { get, load } = setup()
    await get(1)
    const seen: string[] = []
    const request = async (label: string) => {
      for (let i = 0; i < 3; i++) {
        await tick()
        seen.push(`${label}:${await get(1)}`)
      }
    }
    await Promise.all([withCacheMode('bypass', () => request('b')), request('n')])
    expect(seen.filter((s) => s.startsWith('n:'))).toEqual(['n:1:1', 'n:1:1', 'n:1:1'])
    expect(seen.filter((s) => s.startsWith('b:'))).toHaveLength(3)
    expect(load).toHaveBeenCalledTimes(4)
  })

  it('the innermost scope wins, also over the cache’s own mode option; an unknown mode names the option', async () => {
    const { instance } = setup()
    const off = instance.cache({ key: 'x', mode: 'bypass' })(async () => Math.random())
    const a = await withCacheMode('normal', () => off())
    expect(await withCacheMode('normal', () => off())).toBe(a)
    expect(await off()).not.toBe(a)
    expect(() => withCacheMode('sometimes' as never, () => 1)).toThrow(CacheConfigError)
    expect(() => instance.cache({ key: 'y', mode: 'never' as never })).toThrow(/"mode"/)
  })

  it('ends with the function, also when it throws or rejects; nothing stays counted as running', async () => {
    const { get, load } = setup()
    const { scopeHook } = await import('../cached/cache-mode')
    await get(1)
    expect(() =>
      withCacheMode('bypass', () => {
        throw new Error('sync')
      }),
    ).toThrow('sync')
    await expect(withCacheMode('bypass', async () => Promise.reject(new Error('async')))).rejects.toThrow(
      'async',
    )
    await expect(withCacheStats(async () => Promise.reject(new Error('stats')))).rejects.toThrow('stats')
    expect(scopeHook.active).toBe(0)
    expect(await get(1)).toBe('1:1')
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('createCache({ mode }) sets the default of wrappers and key-value calls', async () => {
    const c = createCache({ clock: new ManualClock(), ttl: 60, mode: 'read-only' })
    await expect(c.getOrSet('k', async () => 1)).rejects.toThrow(CacheMissError)
    const cached = c.cache({ key: 'f' })(async () => 1)
    await expect(cached()).rejects.toThrow(CacheMissError)
  })
})

describe('withCacheStats', () => {
  it('counts hits, misses, stale, loads and errors of the calls inside, per concurrent request', async () => {
    const { get, instance } = setup()
    const failing = instance.cache({ key: 'f' })(async () => {
      throw new Error('boom')
    })
    const [first, second] = await Promise.all([
      withCacheStats(async () => {
        await get(1)
        await tick()
        await get(1)
        await tick()
        await get(2)
        return 'first'
      }),
      withCacheStats(async () => {
        await tick()
        await failing().catch(() => undefined)
        return 'second'
      }),
    ])
    expect(first).toEqual({ value: 'first', stats: { hits: 1, misses: 2, stale: 0, loads: 2, errors: 0 } })
    expect(second).toEqual({ value: 'second', stats: { hits: 0, misses: 1, stale: 0, loads: 1, errors: 1 } })
  })

  it('nested scopes count in every enclosing scope; a stale hit counts as a hit and as stale', async () => {
    const clock = new ManualClock()
    const { cache } = createCache({ clock })
    const value = cache({ key: 'v', ttl: 1, stale: 10 })(async () => 1)
    await value()
    await clock.advance(1_000)
    const outer = await withCacheStats(async () => {
      const inner = await withCacheStats(() => value())
      await value()
      return inner.stats
    })
    expect(outer.value).toEqual({ hits: 1, misses: 0, stale: 1, loads: 1, errors: 0 })
    // The second call finds the refreshed entry: a fresh hit.
    expect(outer.stats).toEqual({ hits: 2, misses: 0, stale: 1, loads: 1, errors: 0 })
  })
})

describe('function errors on a miss', () => {
  it('are recorded as metrics errors of operation load', async () => {
    const metrics = new InMemoryMetrics()
    const { cache } = createCache({ clock: new ManualClock(), metrics })
    const broken = cache({ ttl: 60, key: 'b', name: 'broken' })(async () => {
      throw new RangeError('nope')
    })
    await expect(broken()).rejects.toThrow('nope')
    expect(metrics.getStats().errors).toEqual({ 'broken.load': { RangeError: 1 } })
  })
})

describe('the main entry', () => {
  it('imports no node: module (the scope subpath does)', async () => {
    const files = ['../index.ts', '../cached/cache-mode.ts', '../cached/cache-engine.ts']
    for (const file of files) {
      const source = await readFile(new URL(file, import.meta.url), 'utf8')
      expect(source).not.toMatch(/from 'node:/)
    }
  })
})

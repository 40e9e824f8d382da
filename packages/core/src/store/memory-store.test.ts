import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Clock } from '../clock'
import { CacheConfigError, CacheStoreError } from '../errors'
import { ManualClock } from '../testing/manual-clock'
import { describeStoreConformance } from '../testing/store-conformance'
import { createEntry } from './entry'
import { MemoryStore } from './memory-store'
import { type CacheEntry, NOT_FRESH } from './store'

describeStoreConformance({
  name: 'MemoryStore',
  createStore: ({ clock }) => new MemoryStore({ clock, maxEntries: 100_000 }),
  capabilities: { expiry: 'clock', sync: true },
})

const entryAt = (clock: ManualClock, value: unknown, ttlMs = 1000, staleMs = 0) =>
  createEntry(value, { now: clock.now(), ttlMs, staleMs })

/** The keys present, without touching LRU order (has() is not a use). */
async function present(store: MemoryStore, keys: string[]): Promise<string[]> {
  const found: string[] = []
  for (const key of keys) if (await store.has(key)) found.push(key)
  return found
}

describe('MemoryStore', () => {
  let clock: ManualClock
  beforeEach(() => {
    clock = new ManualClock()
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  describe('getFreshSync', () => {
    it('hands the value of a live entry without a stale window, and NOT_FRESH otherwise', async () => {
      const store = new MemoryStore({ clock, maxEntries: 10 })
      const value = { id: 1 }
      store.setSync('plain', entryAt(clock, value))
      store.setSync('forever', createEntry('f', { now: clock.now(), ttlMs: Number.POSITIVE_INFINITY }))
      store.setSync('stale-window', entryAt(clock, 's', 1000, 5000))
      store.setSync('tagged', { ...entryAt(clock, 't'), tags: ['org:7'] })
      expect(store.getFreshSync('plain')).toBe(value)
      expect(store.getFreshSync('forever')).toBe('f')
      expect(store.getFreshSync('absent')).toBe(NOT_FRESH)
      expect(store.getFreshSync('stale-window')).toBe(NOT_FRESH)
      expect(store.getSync('stale-window')?.value).toBe('s')
      expect(store.getFreshSync('tagged')).toBe(NOT_FRESH)
      expect(store.getSync('tagged')?.tags).toEqual(['org:7'])
      await clock.advance(1000)
      expect(store.getFreshSync('plain')).toBe(NOT_FRESH)
      expect(store.size).toBe(3) // the dead entry was removed
    })

    it('hands a tagged entry when the tag check given passes, with its tags and createdAt', () => {
      const store = new MemoryStore({ clock, maxEntries: 10 })
      const entry = { ...entryAt(clock, 't'), tags: ['org:7'] }
      store.setSync('tagged', entry)
      store.setSync('tagged-stale-window', { ...entryAt(clock, 's', 1000, 5000), tags: ['org:7'] })
      const seen: unknown[] = []
      const check = (pass: boolean) => (tags: readonly string[], createdAt: number) => {
        seen.push([tags, createdAt])
        return pass
      }
      expect(store.getFreshSync('tagged', check(true))).toBe('t')
      expect(seen).toEqual([[['org:7'], entry.createdAt]])
      expect(store.getFreshSync('tagged', check(false))).toBe(NOT_FRESH)
      expect(store.getFreshSync('tagged-stale-window', check(true))).toBe(NOT_FRESH)
      expect(seen).toHaveLength(2)
    })

    it('counts as a use for LRU', () => {
      const store = new MemoryStore({ clock, maxEntries: 2 })
      store.setSync('a', entryAt(clock, 'a'))
      store.setSync('b', entryAt(clock, 'b'))
      expect(store.getFreshSync('a')).toBe('a')
      store.setSync('c', entryAt(clock, 'c'))
      expect(store.getFreshSync('b')).toBe(NOT_FRESH)
      expect(store.getFreshSync('a')).toBe('a')
    })
  })

  describe('LRU by maxEntries', () => {
    it('evicts the least recently used entry, in exact order', async () => {
      const store = new MemoryStore({ clock, maxEntries: 3 })
      const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g']
      for (const key of ['a', 'b', 'c']) store.setSync(key, entryAt(clock, key))
      store.getSync('a') // order: b c a
      store.setSync('d', entryAt(clock, 'd')) // evicts b: c a d
      expect(await present(store, all)).toEqual(['a', 'c', 'd'])
      await store.has('c') // not a use
      store.setSync('e', entryAt(clock, 'e')) // evicts c: a d e
      expect(await present(store, all)).toEqual(['a', 'd', 'e'])
      store.setSync('a', entryAt(clock, 'a2')) // overwrite is a use: d e a
      store.setSync('f', entryAt(clock, 'f')) // evicts d: e a f
      expect(await present(store, all)).toEqual(['a', 'e', 'f'])
      expect(await store.setIfAbsent('e', entryAt(clock, 'e2'))).toBe(false) // refused: not a use
      await store.getMany(['f', 'a']) // order: e f a
      store.setSync('g', entryAt(clock, 'g')) // evicts e
      expect(await present(store, all)).toEqual(['a', 'f', 'g'])
      expect(store.size).toBe(3)
    })

    it('keeps exactly the most recent maxEntries through growth and slot reuse', async () => {
      const store = new MemoryStore({ clock, maxEntries: 100 })
      for (let i = 0; i < 1000; i++) store.setSync(`k${i}`, entryAt(clock, i))
      expect(store.size).toBe(100)
      for (let i = 0; i < 1000; i++) expect(store.getSync(`k${i}`)?.value).toBe(i >= 900 ? i : undefined)
      for (let i = 900; i < 950; i++) store.deleteSync(`k${i}`)
      for (let i = 0; i < 50; i++) store.setSync(`n${i}`, entryAt(clock, i))
      expect(store.size).toBe(100)
      expect(store.getSync('k950')?.value).toBe(950)
      expect(store.getSync('n49')?.value).toBe(49)
    })

    it('grows without limit when unbounded on purpose', () => {
      const store = new MemoryStore({ clock, maxEntries: Number.POSITIVE_INFINITY })
      for (let i = 0; i < 5000; i++) store.setSync(`k${i}`, entryAt(clock, i))
      expect(store.size).toBe(5000)
      expect(store.getSync('k0')?.value).toBe(0)
      expect(store.getSync('k4999')?.value).toBe(4999)
    })
  })

  describe('LRU by maxBytes', () => {
    const byLength = (value: unknown) => (value as string).length

    it('evicts least recently used entries until the bytes fit', async () => {
      const store = new MemoryStore({ clock, maxBytes: 10, sizeOf: byLength })
      store.setSync('a', entryAt(clock, 'aaaa'))
      store.setSync('b', entryAt(clock, 'bbbb'))
      expect(store.bytes).toBe(8)
      store.getSync('a') // order: b a
      store.setSync('c', entryAt(clock, 'ccc')) // 11 > 10: evicts b
      expect(await present(store, ['a', 'b', 'c'])).toEqual(['a', 'c'])
      expect(store.bytes).toBe(7)
      store.setSync('d', entryAt(clock, 'dddddddddd')) // 17: evicts a then c
      expect(await present(store, ['a', 'b', 'c', 'd'])).toEqual(['d'])
      expect(store.bytes).toBe(10)
    })

    it('accounts overwrites, deletes and clear', async () => {
      const store = new MemoryStore({ clock, maxBytes: 100, sizeOf: byLength })
      store.setSync('a', entryAt(clock, 'aaaa'))
      store.setSync('a', entryAt(clock, 'aa'))
      expect(store.bytes).toBe(2)
      store.setSync('b', entryAt(clock, 'bbb'))
      store.deleteSync('a')
      expect(store.bytes).toBe(3)
      await store.clear()
      expect(store.bytes).toBe(0)
      expect(store.size).toBe(0)
    })

    it('does not store an entry larger than maxBytes, and drops the previous one', () => {
      const store = new MemoryStore({ clock, maxBytes: 10, sizeOf: byLength })
      store.setSync('big', entryAt(clock, 'small'))
      store.setSync('other', entryAt(clock, 'ok'))
      store.setSync('big', entryAt(clock, 'x'.repeat(11)))
      expect(store.getSync('big')).toBeUndefined()
      expect(store.getSync('other')?.value).toBe('ok')
      expect(store.bytes).toBe(2)
    })

    it('passes value and key to sizeOf', () => {
      const sizeOf = vi.fn(() => 1)
      const store = new MemoryStore({ clock, maxBytes: 10, sizeOf })
      const value = { id: 1 }
      store.setSync('user:1', entryAt(clock, value))
      expect(sizeOf).toHaveBeenCalledWith(value, 'user:1')
    })

    it('rejects a sizeOf that throws or returns a bad size, storing nothing', () => {
      for (const sizeOf of [
        () => {
          throw new Error('boom')
        },
        () => Number.NaN,
        () => -1,
        () => Number.POSITIVE_INFINITY,
        () => '3' as unknown as number,
      ]) {
        const store = new MemoryStore({ clock, maxBytes: 10, sizeOf })
        expect(() => store.setSync('k', entryAt(clock, 'v'))).toThrow(CacheStoreError)
        expect(store.size).toBe(0)
      }
    })

    it('measures with estimateSize by default', () => {
      const store = new MemoryStore({ clock, maxBytes: 1000 })
      store.setSync('k', entryAt(clock, { id: 1, name: 'Ada' }))
      expect(store.bytes).toBe(16 + 2 + 78)
      for (let i = 0; i < 100; i++) store.setSync(`k${i}`, entryAt(clock, { id: i, name: 'Ada' }))
      expect(store.bytes).toBeLessThanOrEqual(1000)
      expect(store.size).toBe(Math.floor(1000 / (16 + 2 * 3 + 78)))
    })

    it('applies both limits', () => {
      const store = new MemoryStore({ clock, maxEntries: 2, maxBytes: 100, sizeOf: () => 1 })
      for (const key of ['a', 'b', 'c']) store.setSync(key, entryAt(clock, key))
      expect(store.size).toBe(2)
      expect(store.bytes).toBe(2)
    })
  })

  describe('values, entries and sync twins', () => {
    it('returns the stored value itself (same identity) on every kind of read', async () => {
      const store = new MemoryStore({ clock, maxEntries: 10 })
      const value = { nested: { list: [1, 2] } }
      await store.set('k', entryAt(clock, value))
      expect(store.getSync('k')?.value).toBe(value)
      expect((await store.get('k'))?.value).toBe(value)
      expect((await store.getMany(['k']))[0]?.value).toBe(value)
    })

    it('returns a new entry object per read, so a caller mutating it cannot corrupt the store', () => {
      const store = new MemoryStore({ clock, maxEntries: 10 })
      store.setSync('k', entryAt(clock, 'v', 1000))
      const first = store.getSync('k') as CacheEntry
      first.staleUntil = 0
      expect(store.getSync('k')?.staleUntil).toBe(clock.now() + 1000)
    })

    it('rejects a key that is not a string and malformed entries', () => {
      const store = new MemoryStore({ clock, maxEntries: 10 })
      const good = entryAt(clock, 'v')
      expect(() => store.setSync(1 as unknown as string, good)).toThrow(CacheStoreError)
      expect(() => store.setSync('k', null as unknown as CacheEntry)).toThrow(/entry needs numeric/)
      expect(() => store.setSync('k', { ...good, freshUntil: Number.NaN })).toThrow(CacheStoreError)
      expect(() => store.setSync('k', { ...good, staleUntil: good.freshUntil - 1 })).toThrow(CacheStoreError)
      expect(() => store.setSync('k', { value: 1 } as CacheEntry)).toThrow(CacheStoreError)
      expect(store.size).toBe(0)
    })
  })

  describe('expiry without timers', () => {
    it('creates no timer, whatever the TTLs', () => {
      const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
      const store = new MemoryStore({ clock, maxEntries: 10_000 })
      for (let i = 0; i < 1000; i++) store.setSync(`k${i}`, entryAt(clock, i, i * 86_400_000))
      for (let i = 0; i < 1000; i++) store.getSync(`k${i}`)
      expect(clock.pendingTimers).toBe(0)
      expect(setTimeoutSpy).not.toHaveBeenCalled()
    })

    it('reclaims dead entries as new keys are written, without reading them', async () => {
      const store = new MemoryStore({ clock, maxEntries: Number.POSITIVE_INFINITY })
      for (let i = 0; i < 100; i++) store.setSync(`old${i}`, entryAt(clock, i, 10))
      await clock.advance(10)
      expect(store.size).toBe(100)
      for (let i = 0; i < 50; i++) store.setSync(`new${i}`, entryAt(clock, i, 60_000))
      expect(store.size).toBe(50)
    })

    it('prune() removes every dead entry at once', async () => {
      const store = new MemoryStore({ clock, maxEntries: 100 })
      for (let i = 0; i < 10; i++) store.setSync(`short${i}`, entryAt(clock, i, 10))
      for (let i = 0; i < 5; i++) store.setSync(`long${i}`, entryAt(clock, i, 1000))
      store.setSync('forever', {
        value: 1,
        createdAt: clock.now(),
        freshUntil: Infinity,
        staleUntil: Infinity,
      })
      expect(store.prune()).toBe(0)
      await clock.advance(10)
      expect(store.prune()).toBe(10)
      expect(store.size).toBe(6)
    })

    it('on the system clock, creates no timer per key (one shared clock-resolution timer at most)', () => {
      const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
      const store = new MemoryStore({ maxEntries: 10_000 })
      for (let i = 0; i < 3000; i++)
        store.setSync(`k${i}`, createEntry(i, { now: Date.now(), ttlMs: 60_000 }))
      for (let i = 0; i < 3000; i++) store.getSync(`k${i}`)
      expect(setTimeoutSpy.mock.calls.length).toBeLessThanOrEqual(1)
    })

    it('on the system clock, expires within a few milliseconds of staleUntil', async () => {
      const store = new MemoryStore({ maxEntries: 10 })
      store.setSync('k', createEntry('v', { now: Date.now(), ttlMs: 5 }))
      expect(store.getSync('k')?.value).toBe('v')
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(store.getSync('k')).toBeUndefined()
    })
  })

  describe('size, bytes, clear and close', () => {
    it('estimates bytes by sampling when sizes are not tracked', () => {
      const store = new MemoryStore({ clock, maxEntries: 10_000 })
      expect(store.bytes).toBe(0)
      for (let i = 0; i < 5000; i++) store.setSync(`k${String(i).padStart(4, '0')}`, entryAt(clock, 'abcd'))
      expect(store.size).toBe(5000)
      expect(store.bytes).toBe(5000 * (16 + 2 * 5 + 24))
    })

    it('clear empties the store, which stays usable; close keeps it working', async () => {
      const store = new MemoryStore({ clock, maxEntries: 10 })
      store.setSync('a', entryAt(clock, 1))
      await store.clear()
      expect(store.size).toBe(0)
      expect(store.getSync('a')).toBeUndefined()
      await store.close()
      store.setSync('b', entryAt(clock, 2))
      expect(store.getSync('b')?.value).toBe(2)
    })

    it('is named memory unless told otherwise', () => {
      expect(new MemoryStore({ clock, maxEntries: 1 }).name).toBe('memory')
      expect(new MemoryStore({ clock, maxEntries: 1, name: 'l1' }).name).toBe('l1')
    })
  })

  describe('options', () => {
    it.each([
      ['maxEntries', { maxEntries: 0 }],
      ['maxEntries', { maxEntries: -1 }],
      ['maxEntries', { maxEntries: 1.5 }],
      ['maxEntries', { maxEntries: Number.NaN }],
      ['maxEntries', { maxEntries: '10' as unknown as number }],
      ['maxBytes', { maxBytes: 0 }],
      ['maxBytes', { maxBytes: Number.NEGATIVE_INFINITY }],
      ['sizeOf', { maxBytes: 10, sizeOf: 'length' as unknown as () => number }],
      ['clock', { clock: {} as Clock }],
      ['name', { name: '' }],
    ])('rejects a bad %s with a CacheConfigError naming it', (option, options) => {
      let caught: unknown
      try {
        new MemoryStore({ maxEntries: 10, ...options })
      } catch (error) {
        caught = error
      }
      expect(CacheConfigError.isInstance(caught)).toBe(true)
      expect((caught as CacheConfigError).option).toBe(option)
      expect((caught as Error).message).toContain(option)
    })

    it('warns once per process when created unbounded, and not when a limit or Infinity is given', async () => {
      vi.resetModules()
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      const fresh = await import('./memory-store')
      new fresh.MemoryStore({ maxEntries: 10 })
      new fresh.MemoryStore({ maxBytes: 1000 })
      new fresh.MemoryStore({ maxEntries: Number.POSITIVE_INFINITY })
      expect(warn).not.toHaveBeenCalled()
      new fresh.MemoryStore()
      new fresh.MemoryStore({})
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0]?.[0])).toContain('without maxEntries or maxBytes')
    })
  })
})

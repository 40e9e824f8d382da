import { describe, expect, it } from 'vitest'
import { entryState } from '../../store/entry'
import type { CacheEntry } from '../../store/store'
import type { Harness } from './harness'

/** Round trips of single entries: values, times, tags, overwrites, dead entries, delete. */
export function entriesGroup(h: Harness): void {
  describe('entries', () => {
    it('misses a key that was never set', async () => {
      const store = await h.open()
      expect(await store.get('missing')).toBeUndefined()
      expect(await store.has('missing')).toBe(false)
    })

    it('round-trips value, times and tags', async () => {
      const store = await h.open()
      const written = h.entry({ id: 1, name: 'Ada', roles: ['admin'] }, { tags: ['user', 'user:1'] })
      await store.set('user:1', written)
      const read = await store.get('user:1')
      expect(read).toEqual(written)
      expect(await store.has('user:1')).toBe(true)
    })

    it('round-trips fractional times and tags with any characters', async () => {
      const store = await h.open()
      const now = h.timing.now()
      const written: CacheEntry = {
        value: 'v',
        createdAt: now + 0.25,
        freshUntil: now + 1500.5,
        staleUntil: now + 3000.75,
        tags: ['ü', 'a:b/c', '🔑', 'with space', 'x'.repeat(300)],
      }
      await store.set('k', written)
      expect(await store.get('k')).toEqual(written)
    })

    it('round-trips every JSON value kind', async () => {
      const store = await h.open()
      const samples: [string, unknown][] = [
        ['string', 'hello'],
        ['empty string', ''],
        ['unicode string', 'héllo 🌍 日本'],
        ['zero', 0],
        ['negative float', -12.5],
        ['large integer', Number.MAX_SAFE_INTEGER],
        ['true', true],
        ['false', false],
        ['null', null],
        ['empty object', {}],
        ['empty array', []],
        ['nested', { a: [1, { b: [null, 'c'] }], d: { e: { f: 'g' } } }],
      ]
      for (const [key, value] of samples) await store.set(key, h.entry(value))
      for (const [key, value] of samples) {
        const read = await store.get(key)
        expect(read, key).toBeDefined()
        expect(read?.value, key).toEqual(value)
      }
    })

    it('stores an entry without tags as one without tags', async () => {
      const store = await h.open()
      await store.set('k', h.entry('v'))
      expect((await store.get('k'))?.tags ?? []).toEqual([])
    })

    it('round-trips entries that never go stale (Infinity)', async () => {
      const store = await h.open()
      const now = h.timing.now()
      const forever: CacheEntry = { value: 'v', createdAt: now, freshUntil: Infinity, staleUntil: Infinity }
      await store.set('forever', forever)
      expect(await store.get('forever')).toEqual(forever)
      const staleForever: CacheEntry = {
        value: 'w',
        createdAt: now,
        freshUntil: now + 5,
        staleUntil: Infinity,
      }
      await store.set('stale-forever', staleForever)
      expect(await store.get('stale-forever')).toEqual(staleForever)
    })

    it('serves a stale entry as it was stored', async () => {
      const store = await h.open()
      const now = h.timing.now()
      const stale: CacheEntry = {
        value: 's',
        createdAt: now - 10_000,
        freshUntil: now - 5000,
        staleUntil: now + 60_000,
      }
      await store.set('stale', stale)
      const read = await store.get('stale')
      expect(read).toEqual(stale)
      expect(entryState(read as CacheEntry, h.timing.now())).toBe('stale')
      expect(await store.has('stale')).toBe(true)
    })

    it('treats an entry that is already dead when set as a miss, replacing a live one', async () => {
      const store = await h.open()
      const now = h.timing.now()
      await store.set('k', h.entry('live'))
      await store.set('k', {
        value: 'dead',
        createdAt: now - 2000,
        freshUntil: now - 1000,
        staleUntil: now - 1,
      })
      expect(await store.get('k')).toBeUndefined()
      expect(await store.has('k')).toBe(false)
      expect(await store.delete('k')).toBe(false)
    })

    it('overwrites value, times and tags', async () => {
      const store = await h.open()
      await store.set('k', h.entry('first', { tags: ['a'] }))
      const second = h.entry({ second: true }, { freshMs: h.timing.freshMs * 2 })
      await store.set('k', second)
      const read = await store.get('k')
      expect(read).toEqual(second)
      expect(read?.tags ?? []).toEqual([])
    })

    it('keeps keys that differ only in case or whitespace apart', async () => {
      const store = await h.open()
      await store.setMany([
        ['k', h.entry(1)],
        ['K', h.entry(2)],
        ['k ', h.entry(3)],
        [' k', h.entry(4)],
      ])
      expect(await h.values(store, ['k', 'K', 'k ', ' k'])).toEqual([1, 2, 3, 4])
    })

    it('delete is true only for a live entry', async () => {
      const store = await h.open()
      await store.set('k', h.entry('v'))
      expect(await store.delete('k')).toBe(true)
      expect(await store.get('k')).toBeUndefined()
      expect(await store.has('k')).toBe(false)
      expect(await store.delete('k')).toBe(false)
      expect(await store.delete('never-set')).toBe(false)
    })
  })
}

/** `getMany`, `setMany` and `deleteMany`: order, duplicates, counts. */
export function batchesGroup(h: Harness): void {
  describe('batches', () => {
    it('getMany answers in order, with duplicates and misses', async () => {
      const store = await h.open()
      await store.set('a', h.entry('A'))
      await store.set('b', h.entry('B'))
      const read = await store.getMany(['b', 'missing', 'a', 'b', 'missing'])
      expect(read.map((found) => found?.value)).toEqual(['B', undefined, 'A', 'B', undefined])
      expect(read).toHaveLength(5)
      expect(await store.getMany([])).toEqual([])
    })

    it('setMany stores every pair; the last of duplicate keys wins', async () => {
      const store = await h.open()
      const items: [string, CacheEntry][] = Array.from({ length: 20 }, (_, i) => [`k${i}`, h.entry(i)])
      await store.setMany([...items, ['k0', h.entry('again')]])
      await store.setMany([])
      const read = await store.getMany(items.map(([key]) => key))
      expect(read.map((found) => found?.value)).toEqual(['again', ...items.slice(1).map(([, e]) => e.value)])
      expect(read[5]).toEqual(items[5]?.[1])
    })

    it('deleteMany counts the live entries it removed, each key once', async () => {
      const store = await h.open()
      await store.setMany([
        ['a', h.entry(1)],
        ['b', h.entry(2)],
        ['c', h.entry(3)],
      ])
      expect(await store.deleteMany(['a', 'missing', 'b', 'a'])).toBe(2)
      expect(await h.values(store, ['a', 'b', 'c'])).toEqual([undefined, undefined, 3])
      expect(await store.deleteMany(['a', 'b'])).toBe(0)
      expect(await store.deleteMany([])).toBe(0)
    })
  })
}

/** 1,500 keys in batches and 200 concurrent mixed operations. */
export function volumeGroup(h: Harness): void {
  describe('volume', () => {
    const count = 1500
    const bulkKeys = Array.from({ length: count }, (_, i) => `bulk:${i}`)

    it('setMany, getMany, deleteMatching and deleteMany over 1,500 keys', async () => {
      const store = await h.open()
      await store.setMany(bulkKeys.map((key, i) => [key, h.entry(i)]))
      expect(await h.values(store, bulkKeys)).toEqual(bulkKeys.map((_, i) => i))
      expect(await store.deleteMany(bulkKeys.slice(0, 500))).toBe(500)
      expect(await store.deleteMatching('bulk:1*')).toBe(
        bulkKeys.slice(500).filter((key) => key.startsWith('bulk:1')).length,
      )
      expect(await store.deleteMatching('bulk:*')).toBe(
        bulkKeys.slice(500).filter((key) => !key.startsWith('bulk:1')).length,
      )
      expect(await h.values(store, bulkKeys)).toEqual(bulkKeys.map(() => undefined))
    })

    it('serves 200 concurrent mixed operations on distinct keys', async () => {
      const store = await h.open()
      const keys = bulkKeys.slice(0, 200)
      await Promise.all(keys.map((key, i) => store.set(key, h.entry(i))))
      const [read, present, removed] = await Promise.all([
        Promise.all(keys.map((key) => store.get(key))),
        Promise.all(keys.map((key) => store.has(key))),
        Promise.all(keys.slice(100).map((key) => store.delete(`${key}:other`))),
      ])
      expect(read.map((found) => found?.value)).toEqual(keys.map((_, i) => i))
      expect(present.every(Boolean)).toBe(true)
      expect(removed.some(Boolean)).toBe(false)
    })
  })
}

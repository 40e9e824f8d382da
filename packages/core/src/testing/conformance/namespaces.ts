import { describe, expect, it } from 'vitest'
import type { Harness } from './harness'

/** Sibling namespaces on one backend never see, delete or clear each other's keys. */
export function namespacesGroup(h: Harness): void {
  describe('namespaces', () => {
    it('keeps the same key apart in sibling namespaces', async () => {
      const store = await h.open()
      const sibling = await h.open(true)
      await store.set('k', h.entry('mine'))
      await sibling.set('k', h.entry('theirs'))
      expect((await store.get('k'))?.value).toBe('mine')
      expect((await sibling.get('k'))?.value).toBe('theirs')
      expect(await store.delete('k')).toBe(true)
      expect((await sibling.get('k'))?.value).toBe('theirs')
    })

    it('clear empties its namespace only, and the store stays usable', async () => {
      const store = await h.open()
      const sibling = await h.open(true)
      const keys = ['a', 'b:c', 'd/e', '🔑']
      await store.setMany(keys.map((key) => [key, h.entry(`mine ${key}`)]))
      await sibling.setMany(keys.map((key) => [key, h.entry(`theirs ${key}`)]))
      await sibling.set('only-sibling', h.entry('s'))
      await store.clear()
      expect(await h.values(store, keys)).toEqual(keys.map(() => undefined))
      expect(await h.values(sibling, [...keys, 'only-sibling'])).toEqual([
        ...keys.map((key) => `theirs ${key}`),
        's',
      ])
      await store.set('a', h.entry('again'))
      expect((await store.get('a'))?.value).toBe('again')
    })

    it('deleteMatching("*") leaves the sibling namespace alone', async () => {
      const store = await h.open()
      const sibling = await h.open(true)
      await store.setMany([
        ['a', h.entry(1)],
        ['b', h.entry(2)],
      ])
      await sibling.setMany([
        ['a', h.entry(3)],
        ['c', h.entry(4)],
      ])
      expect(await store.deleteMatching('*')).toBe(2)
      expect(await h.values(sibling, ['a', 'c'])).toEqual([3, 4])
      expect(await sibling.deleteMany(['a', 'b', 'c'])).toBe(2)
    })

    it('setIfAbsent in one namespace ignores the sibling', async () => {
      const store = await h.open()
      const sibling = await h.open(true)
      expect(await sibling.setIfAbsent('k', h.entry('theirs'))).toBe(true)
      expect(await store.setIfAbsent('k', h.entry('mine'))).toBe(true)
      expect(await store.has('k')).toBe(true)
    })
  })
}

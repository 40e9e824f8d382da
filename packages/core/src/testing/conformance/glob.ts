import { describe, expect, it } from 'vitest'
import { escapeGlob } from '../../store/glob'
import type { CacheStore } from '../../store/store'
import { type Harness, noiseString } from './harness'

/** `deleteMatching`: the glob dialect, literal characters through `escapeGlob`, odd and long keys. */
export function globGroup(h: Harness): void {
  describe('deleteMatching (glob)', () => {
    const keys = ['user:1', 'user:2', 'user:10', 'user:1:profile', 'users:1', 'xuser:1', 'post:1', 'user/1']

    async function seeded(): Promise<CacheStore> {
      const store = await h.open()
      await store.setMany(keys.map((key) => [key, h.entry(key)]))
      return store
    }

    async function survivors(store: CacheStore): Promise<string[]> {
      const found = await store.getMany(keys)
      return keys.filter((_, i) => found[i] !== undefined)
    }

    it.each([
      ['user:*', ['user:1', 'user:2', 'user:10', 'user:1:profile']],
      ['user:?', ['user:1', 'user:2']],
      ['user:??', ['user:10']],
      ['*:1', ['user:1', 'users:1', 'xuser:1', 'post:1']],
      ['user*1', ['user:1', 'users:1', 'user/1']],
      ['*user*', ['user:1', 'user:2', 'user:10', 'user:1:profile', 'users:1', 'xuser:1', 'user/1']],
      ['?user:?', ['xuser:1']],
      ['user:1', ['user:1']],
      ['user:1*', ['user:1', 'user:10', 'user:1:profile']],
      ['user/*', ['user/1']],
      ['nothing*', []],
      ['user', []],
    ])('%s deletes exactly its matches and counts them', async (pattern, matched) => {
      const store = await seeded()
      expect(await store.deleteMatching(pattern)).toBe(matched.length)
      expect(await survivors(store)).toEqual(keys.filter((key) => !matched.includes(key)))
    })

    it('* deletes every key of the namespace', async () => {
      const store = await seeded()
      expect(await store.deleteMatching('*')).toBe(keys.length)
      expect(await survivors(store)).toEqual([])
    })

    it('matches literal *, ?, [, ] and \\ in keys through escapeGlob', async () => {
      const store = await h.open()
      const literalKeys = ['a*b', 'a?b', 'axb', 'a1b', 'a[1]b', 'a\\b', 'a**b']
      const reseed = () => store.setMany(literalKeys.map((key) => [key, h.entry(key)]))
      const left = async () => {
        const found = await store.getMany(literalKeys)
        return literalKeys.filter((_, i) => found[i] !== undefined)
      }
      await reseed()
      expect(await store.deleteMatching(escapeGlob('a*b'))).toBe(1)
      expect(await left()).toEqual(literalKeys.filter((key) => key !== 'a*b'))
      await reseed()
      expect(await store.deleteMatching(escapeGlob('a?b'))).toBe(1)
      expect(await left()).toEqual(literalKeys.filter((key) => key !== 'a?b'))
      await reseed()
      expect(await store.deleteMatching(escapeGlob('a[1]b'))).toBe(1)
      expect(await left()).toEqual(literalKeys.filter((key) => key !== 'a[1]b'))
      await reseed()
      expect(await store.deleteMatching(escapeGlob('a\\b'))).toBe(1)
      expect(await left()).toEqual(literalKeys.filter((key) => key !== 'a\\b'))
      await reseed()
      expect(await store.deleteMatching(`${escapeGlob('a*')}*`)).toBe(2)
      expect(await left()).toEqual(['a?b', 'axb', 'a1b', 'a[1]b', 'a\\b'])
      await reseed()
      // `?` is one character: a*b a?b axb a1b a\b, but neither a[1]b nor a**b.
      expect(await store.deleteMatching('a?b')).toBe(5)
      expect(await left()).toEqual(['a[1]b', 'a**b'])
      await reseed()
      // `[` and `]` are literal in the glob dialect: no character classes.
      expect(await store.deleteMatching('a[1]*')).toBe(1)
      expect(await left()).toEqual(literalKeys.filter((key) => key !== 'a[1]b'))
    })

    it('matches keys with :, /, .. and emoji by prefix', async () => {
      const store = await h.open()
      const odd = ['t/1:🔑/../a', 't/1:🔑/../b', 't/1:🔑x', 't/2:🔑/../a']
      await store.setMany(odd.map((key) => [key, h.entry(key)]))
      expect(await store.deleteMatching(`${escapeGlob('t/1:🔑/../')}*`)).toBe(2)
      expect(await h.values(store, odd)).toEqual([undefined, undefined, 't/1:🔑x', 't/2:🔑/../a'])
      expect(await store.deleteMatching('t/?:🔑*')).toBe(2)
    })

    it('matches 1 KiB and 10 KiB keys', async () => {
      const store = await h.open()
      const kib = `long:${noiseString(1024, 3)}`
      const tenKib = `long:${noiseString(10 * 1024, 4)}`
      await store.setMany([
        [kib, h.entry(1)],
        [tenKib, h.entry(2)],
        ['other', h.entry(3)],
      ])
      expect(await store.deleteMatching(`long:${noiseString(1024, 3).slice(0, 10)}*`)).toBe(1)
      expect(await store.deleteMatching('long:*')).toBe(1)
      expect(await h.values(store, [kib, tenKib, 'other'])).toEqual([undefined, undefined, 3])
    })
  })
}

import { describe, expect, it } from 'vitest'
import { CacheKeyError } from '../../errors'
import { escapeGlob } from '../../store/glob'
import { type Harness, ODD_KEYS } from './harness'

/** Keys that differ only in a lone UTF-16 surrogate (or in U+FFFD, what UTF-8 turns one into). */
const ILL_FORMED_KEYS: readonly string[] = ['q:\uD800', 'q:\uDC00', 'q:\uDBFF', 'q:\uD83D!', 'q:\uFFFD']

/** Settles `promise` as `{ value }`, or `{ error }` when it rejects. */
async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )
}

/**
 * Odd keys (separators, `..`, NUL, emoji, 10 KiB) stay distinct and intact; keys that differ only
 * in a lone surrogate never share an entry (a store keeps them apart or refuses them with
 * `CacheKeyError`).
 */
export function keysGroup(h: Harness): void {
  describe('odd keys', () => {
    it('keeps every odd key distinct and intact', async () => {
      const store = await h.open()
      await store.setMany(ODD_KEYS.map((key, i) => [key, h.entry(i)]))
      expect(await h.values(store, [...ODD_KEYS])).toEqual(ODD_KEYS.map((_, i) => i))
      for (const [i, key] of ODD_KEYS.entries()) {
        expect(await store.has(key), key).toBe(true)
        expect((await store.get(key))?.value, key).toBe(i)
      }
    })

    it('deletes each odd key alone, by delete and by an escaped pattern', async () => {
      const store = await h.open()
      await store.setMany(ODD_KEYS.map((key, i) => [key, h.entry(i)]))
      for (const [i, key] of ODD_KEYS.entries()) {
        if (i % 2 === 0) expect(await store.delete(key), key).toBe(true)
        else expect(await store.deleteMatching(escapeGlob(key)), key).toBe(1)
        const rest = ODD_KEYS.slice(i + 1)
        expect(await h.values(store, [...rest]), key).toEqual(rest.map((_, j) => i + 1 + j))
      }
    })
  })

  describe('ill-formed keys', () => {
    it('never lets keys differing only in a lone surrogate share an entry', async () => {
      const store = await h.open()
      const written: boolean[] = []
      for (const [i, key] of ILL_FORMED_KEYS.entries()) {
        const { error } = await settle(store.set(key, h.entry(i)))
        if (error !== undefined) expect(CacheKeyError.isInstance(error), String(error)).toBe(true)
        written.push(error === undefined)
      }
      expect(written.at(-1)).toBe(true) // 'q:\uFFFD' is well-formed: always stored
      for (const [i, key] of ILL_FORMED_KEYS.entries()) {
        const { value, error } = await settle(store.get(key))
        if (error !== undefined) expect(CacheKeyError.isInstance(error), String(error)).toBe(true)
        else expect(value?.value, JSON.stringify(key)).toBe(written[i] ? i : undefined)
      }
      for (const key of ILL_FORMED_KEYS.slice(0, -1)) {
        const { value, error } = await settle(store.delete(key))
        if (error !== undefined) expect(CacheKeyError.isInstance(error), String(error)).toBe(true)
        else expect(value).toBe(true)
      }
      expect((await store.get('q:\uFFFD'))?.value).toBe(ILL_FORMED_KEYS.length - 1)
    })
  })
}

import { describe, expect, it } from 'vitest'
import { describeWhen, type Harness } from './harness'

/** `setIfAbsent`: absent, live, stale, after delete; one winner among concurrent callers (unless `setIfAbsentConcurrency: false`). */
export function setIfAbsentGroup(h: Harness): void {
  describe('setIfAbsent', () => {
    it('writes when absent and refuses over a live entry', async () => {
      const store = await h.open()
      const first = h.entry('first')
      expect(await store.setIfAbsent('k', first)).toBe(true)
      expect(await store.get('k')).toEqual(first)
      expect(await store.setIfAbsent('k', h.entry('second'))).toBe(false)
      expect((await store.get('k'))?.value).toBe('first')
    })

    it('refuses over a stale (still live) entry', async () => {
      const store = await h.open()
      const now = h.timing.now()
      await store.set('k', {
        value: 'stale',
        createdAt: now - 100,
        freshUntil: now - 50,
        staleUntil: now + 60_000,
      })
      expect(await store.setIfAbsent('k', h.entry('new'))).toBe(false)
      expect((await store.get('k'))?.value).toBe('stale')
    })

    it('writes again after a delete', async () => {
      const store = await h.open()
      await store.set('k', h.entry('old'))
      await store.delete('k')
      expect(await store.setIfAbsent('k', h.entry('new'))).toBe(true)
      expect((await store.get('k'))?.value).toBe('new')
    })
  })

  describeWhen(h.capabilities.setIfAbsentConcurrency !== false, 'setIfAbsent under concurrency', () => {
    it('lets exactly one of 50 concurrent callers write', async () => {
      const store = await h.open()
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.setIfAbsent('contended', h.entry(`caller-${i}`))),
      )
      const winners = results.flatMap((won, i) => (won ? [i] : []))
      expect(winners).toHaveLength(1)
      expect((await store.get('contended'))?.value).toBe(`caller-${winners[0]}`)
    })

    it('picks one winner per key when 50 callers race on 5 keys', async () => {
      const store = await h.open()
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.setIfAbsent(`race:${i % 5}`, h.entry(i))),
      )
      for (let key = 0; key < 5; key++) {
        const winners = results.flatMap((won, i) => (won && i % 5 === key ? [i] : []))
        expect(winners, `race:${key}`).toHaveLength(1)
        expect((await store.get(`race:${key}`))?.value).toBe(winners[0])
      }
    })
  })
}

import { describe, expect, it } from 'vitest'
import { isSyncStore } from '../../store/store'
import { describeWhen, type Harness, itWhen } from './harness'

/** The synchronous twins agree with the asynchronous methods (with `sync: true`). */
export function syncGroup(h: Harness): void {
  describeWhen(h.capabilities.sync === true, 'synchronous twins', () => {
    it('getSync, setSync and deleteSync agree with the asynchronous methods', async () => {
      const store = await h.open()
      if (!isSyncStore(store))
        throw new Error(`${h.name} declares sync: true but lacks getSync/setSync/deleteSync`)
      const written = h.entry('v', { tags: ['t'] })
      store.setSync('k', written)
      expect(await store.get('k')).toEqual(written)
      await store.set('j', h.entry('w'))
      expect(store.getSync('j')?.value).toBe('w')
      expect(store.getSync('missing')).toBeUndefined()
      expect(store.deleteSync('k')).toBe(true)
      expect(store.deleteSync('k')).toBe(false)
      expect(await store.has('k')).toBe(false)
    })

    itWhen(h.capabilities.expiry === 'clock', 'getSync misses a dead entry', async () => {
      const store = await h.open()
      if (!isSyncStore(store))
        throw new Error(`${h.name} declares sync: true but lacks getSync/setSync/deleteSync`)
      const written = h.entry('v')
      store.setSync('k', written)
      await h.timing.until(written.staleUntil - 1)
      expect(store.getSync('k')).toEqual(written)
      await h.timing.until(written.staleUntil)
      expect(store.getSync('k')).toBeUndefined()
      expect(store.deleteSync('k')).toBe(false)
    })
  })
}

/** `close()` resolves, twice. */
export function closeGroup(h: Harness): void {
  describe('close', () => {
    it('resolves, and a second close resolves too', async () => {
      const store = await h.open()
      await store.set('k', h.entry('v'))
      await h.closeInTest(store)
      await expect(store.close()).resolves.toBeUndefined()
    })
  })
}

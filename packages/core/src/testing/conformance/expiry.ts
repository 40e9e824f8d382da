import { expect, it } from 'vitest'
import { entryState } from '../../store/entry'
import type { CacheEntry, CacheStore } from '../../store/store'
import { BACKEND_EXPIRY_GRACE_MS, BACKEND_SHORT_LIFETIME, describeWhen, type Harness, sleep } from './harness'

/** Freshness boundaries: exact on the injected clock (`expiry: 'clock'`) or short real lifetimes (`expiry: 'backend'`). */
export function expiryGroup(h: Harness): void {
  describeWhen(h.capabilities.expiry === 'clock', 'expiry on the injected clock', () => {
    it('is fresh until freshUntil, stale until staleUntil, then dead', async () => {
      const store = await h.open()
      const written = h.entry('v')
      await store.set('k', written)

      await h.timing.until(written.freshUntil - 1)
      const fresh = await store.get('k')
      expect(fresh).toEqual(written)
      expect(entryState(fresh as CacheEntry, h.timing.now())).toBe('fresh')

      await h.timing.until(written.freshUntil)
      const stale = await store.get('k')
      expect(stale).toEqual(written)
      expect(entryState(stale as CacheEntry, h.timing.now())).toBe('stale')
      expect(await store.has('k')).toBe(true)

      await h.timing.until(written.staleUntil - 1)
      expect(await store.get('k')).toEqual(written)

      await h.timing.until(written.staleUntil)
      expect(await store.get('k')).toBeUndefined()
      expect(await store.has('k')).toBe(false)
      expect(await store.delete('k')).toBe(false)
    })

    it('is dead at freshUntil when there is no stale window', async () => {
      const store = await h.open()
      const written = h.entry('v', { staleMs: 0 })
      await store.set('k', written)
      await h.timing.until(written.freshUntil - 1)
      expect(await store.has('k')).toBe(true)
      await h.timing.until(written.freshUntil)
      expect(await store.has('k')).toBe(false)
      expect(await store.get('k')).toBeUndefined()
    })

    it('has() is false for a dead entry that was never read', async () => {
      const store = await h.open()
      const written = h.entry('v')
      await store.set('k', written)
      await h.timing.until(written.staleUntil)
      expect(await store.has('k')).toBe(false)
    })

    it('getMany misses dead entries in place', async () => {
      const store = await h.open()
      const short = h.entry('short', { freshMs: 10, staleMs: 10 })
      await store.set('short', short)
      await store.set('long', h.entry('long'))
      await h.timing.until(short.staleUntil)
      expect(await h.values(store, ['short', 'long', 'short'])).toEqual([undefined, 'long', undefined])
    })

    it('setIfAbsent succeeds over a dead entry', async () => {
      const store = await h.open()
      const old = h.entry('old')
      await store.set('k', old)
      await h.timing.until(old.staleUntil)
      const replacement = h.entry('new')
      expect(await store.setIfAbsent('k', replacement)).toBe(true)
      expect(await store.get('k')).toEqual(replacement)
    })

    it('deleteMany and deleteMatching do not count dead entries', async () => {
      const store = await h.open()
      const short = h.entry('short', { freshMs: 10, staleMs: 0 })
      await store.setMany([
        ['x:dead', short],
        ['x:live', h.entry('live')],
      ])
      await h.timing.until(short.staleUntil)
      expect(await store.deleteMatching('x:*')).toBe(1)
      await store.setMany([
        ['y:dead', h.entry('short', { freshMs: 10, staleMs: 0 })],
        ['y:live', h.entry('live')],
      ])
      await h.timing.until(h.timing.now() + 10)
      expect(await store.deleteMany(['y:dead', 'y:live'])).toBe(1)
    })

    it('keeps an entry with a very long TTL (beyond a 32-bit timer) and never-expiring ones', async () => {
      const store = await h.open()
      const fortyDays = 40 * 24 * 3600 * 1000
      const long = h.entry('long', { freshMs: fortyDays, staleMs: fortyDays })
      const now = h.timing.now()
      await store.set('long', long)
      await store.set('forever', { value: 'f', createdAt: now, freshUntil: Infinity, staleUntil: Infinity })
      await h.timing.until(now + 25 * 24 * 3600 * 1000)
      expect(await store.get('long')).toEqual(long)
      await h.timing.until(long.staleUntil - 1)
      expect((await store.get('long'))?.value).toBe('long')
      await h.timing.until(long.staleUntil)
      expect(await store.get('long')).toBeUndefined()
      await h.timing.until(now + 10 * 365 * 24 * 3600 * 1000)
      expect((await store.get('forever'))?.value).toBe('f')
    })
  })

  describeWhen(h.capabilities.expiry === 'backend', 'expiry by the backend', () => {
    /** Polls `get` until it misses, failing if the backend keeps the entry past the grace period. */
    async function expectGone(store: CacheStore, key: string, staleUntil: number): Promise<void> {
      await h.timing.until(staleUntil)
      const deadline = staleUntil + BACKEND_EXPIRY_GRACE_MS
      while ((await store.get(key)) !== undefined) {
        if (Date.now() > deadline) {
          throw new Error(`"${key}" was still served ${Date.now() - staleUntil} ms after staleUntil`)
        }
        await sleep(10)
      }
      expect(await store.has(key)).toBe(false)
    }

    it('serves a stale entry after freshUntil, then misses it after staleUntil', async () => {
      const store = await h.open()
      const written = h.entry('v', BACKEND_SHORT_LIFETIME)
      await store.set('k', written)
      expect(await store.get('k')).toEqual(written)
      await h.timing.until(written.freshUntil + 10)
      expect(await store.get('k')).toEqual(written)
      await expectGone(store, 'k', written.staleUntil)
      expect(await store.delete('k')).toBe(false)
    })

    it('setIfAbsent succeeds once the old entry is dead', async () => {
      const store = await h.open()
      const old = h.entry('old', BACKEND_SHORT_LIFETIME)
      await store.set('k', old)
      await expectGone(store, 'k', old.staleUntil)
      expect(await store.setIfAbsent('k', h.entry('new'))).toBe(true)
      expect((await store.get('k'))?.value).toBe('new')
    })
  })
}

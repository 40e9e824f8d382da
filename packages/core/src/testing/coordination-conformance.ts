import { afterEach, describe, expect, it } from 'vitest'
import { type CoordinationStore, isCoordinationStore } from '../coordination/coordination-store'
import { fallbackCoordination } from '../coordination/fallback-coordination'
import { createLock } from '../coordination/lock'
import { createPool } from '../coordination/pool'
import { NULL_METRICS } from '../metrics/collector'
import type { CacheStore } from '../store/store'
import { ManualClock } from './manual-clock'
import type { StoreConformanceContext } from './store-conformance'

/** Options of {@link describeCoordinationConformance}. */
export interface CoordinationConformanceOptions {
  /** Shown in the test names, e.g. `'RedisStore'`. */
  name: string
  /**
   * Opens a store for one test, in `context.namespace` (the suite clears and closes it after the
   * test). With `expiry: 'clock'` the store must read time from `context.clock`.
   */
  createStore: (context: StoreConformanceContext) => CacheStore | Promise<CacheStore>
  /**
   * Who expires locks and slots: `'clock'` (the suite moves `context.clock` and checks the exact
   * boundary) or `'backend'` (real time: the suite uses 150 ms lifetimes and waits at most 400 ms).
   */
  expiry: 'clock' | 'backend'
  /**
   * Whether the store must implement {@link CoordinationStore} itself (checked by the suite). When
   * `false`, the suite tests the `setIfAbsent` fallback over it, as `lock`/`pool` would use it.
   * @defaultValue false
   */
  native?: boolean
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const CONCURRENT_CALLERS = 30
const BACKEND_LIFETIME_MS = 150
const BACKEND_GRACE_MS = 250

/**
 * Checks a store's coordination primitives — the native ones of a {@link CoordinationStore}
 * (`native: true`), or the `setIfAbsent` fallback over any store — and `lock`/`pool` end to end
 * over it: exclusive lock acquisition among concurrent callers, compare-and-delete release,
 * owner lookup, extension, expiry, the pool bound among concurrent callers, slot release and
 * counting, slot expiry, and keys kept apart.
 *
 * @example
 * ```ts
 * describeCoordinationConformance({
 *   name: 'RedisStore',
 *   createStore: ({ namespace }) => new RedisStore({ url, prefix: namespace }),
 *   expiry: 'backend',
 *   native: true,
 * })
 * ```
 */
export function describeCoordinationConformance(options: CoordinationConformanceOptions): void {
  const { name, createStore, expiry, native = false } = options
  const runId = Math.random().toString(36).slice(2, 8)
  let sequence = 0
  let opened: CacheStore[] = []

  async function open() {
    const clock = new ManualClock()
    const store = await createStore({ clock, namespace: `coordination-${runId}-${++sequence}` })
    opened.push(store)
    const primitives: CoordinationStore = isCoordinationStore(store)
      ? store
      : fallbackCoordination(store, clock)
    const lifetimeMs = expiry === 'clock' ? 1000 : BACKEND_LIFETIME_MS
    /** Lets `lifetimeMs` pass, then waits (backend mode) until `isFree` holds or the grace ends. */
    const outlive = async (isFree: () => Promise<boolean>) => {
      if (expiry === 'clock') return clock.advance(lifetimeMs)
      await sleep(lifetimeMs)
      const deadline = Date.now() + BACKEND_GRACE_MS
      while (!(await isFree()) && Date.now() < deadline) await sleep(10)
    }
    const defaults = {
      store: () => store,
      hasExplicitStore: true,
      prefix: '',
      ttl: undefined,
      metrics: NULL_METRICS,
      onError: () => {},
      clock,
    }
    return { store, primitives, clock, lifetimeMs, outlive, defaults }
  }

  afterEach(async () => {
    const stores = opened
    opened = []
    for (const store of stores) {
      await store.clear()
      await store.close()
    }
  })

  describe(`${name}: coordination conformance`, () => {
    it(
      native ? 'implements CoordinationStore natively' : 'works through the setIfAbsent fallback',
      async () => {
        const { store } = await open()
        expect(isCoordinationStore(store)).toBe(native)
      },
    )

    describe('locks', () => {
      it(`admits exactly one of ${CONCURRENT_CALLERS} concurrent acquirers`, async () => {
        const { primitives } = await open()
        const tokens = Array.from({ length: CONCURRENT_CALLERS }, (_, i) => `token-${i}`)
        const results = await Promise.all(tokens.map((token) => primitives.acquireLock('job', token, 60_000)))
        expect(results.filter(Boolean)).toHaveLength(1)
        expect(await primitives.lockOwner('job')).toBe(tokens[results.indexOf(true)])
      })

      it('is not reentrant, and keeps distinct keys apart', async () => {
        const { primitives } = await open()
        expect(await primitives.acquireLock('a', 't1', 60_000)).toBe(true)
        expect(await primitives.acquireLock('a', 't1', 60_000)).toBe(false)
        expect(await primitives.acquireLock('b', 't2', 60_000)).toBe(true)
        expect(await primitives.lockOwner('a')).toBe('t1')
        expect(await primitives.lockOwner('b')).toBe('t2')
        expect(await primitives.lockOwner('c')).toBeUndefined()
      })

      it('releases only for the owner token (compare-and-delete)', async () => {
        const { primitives } = await open()
        await primitives.acquireLock('job', 'owner', 60_000)
        expect(await primitives.releaseLock('job', 'intruder')).toBe(false)
        expect(await primitives.lockOwner('job')).toBe('owner')
        expect(await primitives.releaseLock('job', 'owner')).toBe(true)
        expect(await primitives.lockOwner('job')).toBeUndefined()
        expect(await primitives.releaseLock('job', 'owner')).toBe(false)
        expect(await primitives.acquireLock('job', 'next', 60_000)).toBe(true)
      })

      it('expires after its ttl, and the expired holder can no longer release', async () => {
        const { primitives, lifetimeMs, outlive } = await open()
        await primitives.acquireLock('job', 'first', lifetimeMs)
        expect(await primitives.acquireLock('job', 'second', lifetimeMs)).toBe(false)
        await outlive(async () => (await primitives.lockOwner('job')) === undefined)
        expect(await primitives.lockOwner('job')).toBeUndefined()
        expect(await primitives.acquireLock('job', 'second', 60_000)).toBe(true)
        expect(await primitives.releaseLock('job', 'first')).toBe(false)
        expect(await primitives.lockOwner('job')).toBe('second')
      })

      it('never expires with ttl Infinity', async () => {
        const { primitives, outlive } = await open()
        expect(await primitives.acquireLock('job', 'forever', Number.POSITIVE_INFINITY)).toBe(true)
        await outlive(async () => false)
        expect(await primitives.lockOwner('job')).toBe('forever')
        expect(await primitives.releaseLock('job', 'forever')).toBe(true)
      })

      it('extends only for the owner token (when supported)', async () => {
        const { primitives, lifetimeMs, outlive } = await open()
        if (!primitives.extendLock) return
        await primitives.acquireLock('job', 'owner', lifetimeMs)
        expect(await primitives.extendLock('job', 'intruder', 60_000)).toBe(false)
        expect(await primitives.extendLock('job', 'owner', 60_000)).toBe(true)
        await outlive(async () => false)
        expect(await primitives.lockOwner('job')).toBe('owner')
        expect(await primitives.extendLock('missing', 'owner', 60_000)).toBe(false)
      })

      it('serves lock(): exclusive handles, release, isLocked', async () => {
        const { defaults } = await open()
        const l = createLock(defaults)('report:{0}')
        const held = await l.acquire(1)
        await expect(l.acquire(1)).rejects.toThrow(/report:1/)
        expect(await l.isLocked(1)).toBe(true)
        expect(await held.release()).toBe(true)
        expect(await l.isLocked(1)).toBe(false)
      })
    })

    describe('pools', () => {
      it(`admits exactly maxSize of ${CONCURRENT_CALLERS} concurrent acquirers`, async () => {
        const { primitives } = await open()
        const results = await Promise.all(
          Array.from({ length: CONCURRENT_CALLERS }, (_, i) =>
            primitives.acquireSlot('api', 5, `t${i}`, 60_000),
          ),
        )
        expect(results.filter(Boolean)).toHaveLength(5)
        expect(await primitives.countSlots('api', 5)).toBe(5)
      })

      it('releases a slot only for its token, once, and counts live slots per key', async () => {
        const { primitives } = await open()
        expect(await primitives.acquireSlot('api', 2, 'a', 60_000)).toBe(true)
        expect(await primitives.acquireSlot('api', 2, 'b', 60_000)).toBe(true)
        expect(await primitives.acquireSlot('api', 2, 'c', 60_000)).toBe(false)
        expect(await primitives.acquireSlot('other', 2, 'c', 60_000)).toBe(true)
        expect(await primitives.releaseSlot('api', 'nobody', 2)).toBe(false)
        expect(await primitives.releaseSlot('api', 'a', 2)).toBe(true)
        expect(await primitives.releaseSlot('api', 'a', 2)).toBe(false)
        expect(await primitives.countSlots('api', 2)).toBe(1)
        expect(await primitives.countSlots('other', 2)).toBe(1)
        expect(await primitives.countSlots('empty', 2)).toBe(0)
        expect(await primitives.acquireSlot('api', 2, 'c', 60_000)).toBe(true)
      })

      it('expires slots after their ttl, freeing room', async () => {
        const { primitives, lifetimeMs, outlive } = await open()
        await primitives.acquireSlot('api', 2, 'a', lifetimeMs)
        await primitives.acquireSlot('api', 2, 'b', lifetimeMs)
        await outlive(async () => (await primitives.countSlots('api', 2)) === 0)
        expect(await primitives.countSlots('api', 2)).toBe(0)
        expect(await primitives.releaseSlot('api', 'a', 2)).toBe(false)
        expect(await primitives.acquireSlot('api', 2, 'c', 60_000)).toBe(true)
        expect(await primitives.countSlots('api', 2)).toBe(1)
      })

      it('serves pool(): the bound, size and release', async () => {
        const { defaults } = await open()
        const p = createPool(defaults)({ key: 'api:{0}', maxSize: 2 })
        const slots = [await p.acquire('u'), await p.acquire('u')]
        await expect(p.acquire('u')).rejects.toThrow('api:u is full (maxSize=2)')
        expect(await p.size('u')).toBe(2)
        for (const slot of slots) expect(await slot.release()).toBe(true)
        expect(await p.size('u')).toBe(0)
      })
    })
  })
}

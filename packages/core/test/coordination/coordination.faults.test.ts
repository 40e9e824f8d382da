/**
 * Fault matrix of the coordination primitives (issue 20): a backend that freezes while an acquire
 * is in flight, and runs the abandoned command when it resumes. A failed acquire must leave
 * nothing held. The same cases run against a real, SIGSTOPped redis-server in
 * `packages/redis/test/redis.faults.test.ts`.
 */
import { describe, expect, it } from 'vitest'
import { LEASE_SUFFIX } from '../../src/cached/cluster-flight'
import { createLock } from '../../src/coordination/lock'
import { createPool } from '../../src/coordination/pool'
import { createCache } from '../../src/create-cache'
import { CacheTimeoutError } from '../../src/errors'
import { MemoryStore } from '../../src/store/memory-store'
import { ManualClock } from '../../src/testing/manual-clock'
import { FreezableStore } from './freezable-store'
import { defaultsFor } from './support'

const TIMEOUT_MS = 1000
const isTimeout = (error: unknown) => CacheTimeoutError.isInstance(error)

function setup() {
  const clock = new ManualClock()
  const inner = new MemoryStore({ clock })
  const store = new FreezableStore(inner, clock, TIMEOUT_MS)
  const errors: unknown[] = []
  const defaults = defaultsFor(store, clock, { onError: (error) => errors.push(error) })
  return { clock, inner, store, errors, defaults }
}

describe('a failed acquire leaves nothing held', () => {
  it('lock: an acquire that timed out during a freeze does not hold the lock once the backend resumes', async () => {
    const { clock, store, defaults } = setup()
    const report = createLock(defaults)('report', { ttl: 30 })
    store.freeze()
    const failed = expect(report.acquire()).rejects.toSatisfy(isTimeout)
    await clock.advance(TIMEOUT_MS)
    await failed
    await store.thaw() // the abandoned SET NX runs now, then the release by token
    await clock.advance(100)
    expect(await report.isLocked()).toBe(false)
    await using held = await report.acquire()
    expect(held.released).toBe(false)
  })

  it('lock: the release is retried while the backend stays down, and lands once it answers', async () => {
    const { clock, store, defaults } = setup()
    const job = createLock(defaults)('job', { ttl: 600 })
    store.freeze()
    const failed = expect(job.acquire()).rejects.toSatisfy(isTimeout)
    await clock.advance(TIMEOUT_MS)
    await failed
    // Still frozen for 10 s: the first release attempts time out too, and are retried.
    await clock.advance(10_000)
    await store.thaw()
    await clock.advance(5_000)
    expect(await job.isLocked()).toBe(false)
  })

  it('pool: three acquires that timed out during a freeze leave no slot held', async () => {
    const { clock, store, defaults } = setup()
    const api = createPool(defaults)({ key: 'api', maxSize: 3, slotTtl: 600 })
    store.freeze()
    const attempts = [api.acquire(), api.acquire(), api.acquire()].map((acquiring) =>
      expect(acquiring).rejects.toSatisfy(isTimeout),
    )
    await clock.advance(TIMEOUT_MS)
    await Promise.all(attempts)
    await store.thaw()
    await clock.advance(100)
    expect(await api.size()).toBe(0)
    const slots = await Promise.all([api.acquire(), api.acquire(), api.acquire()])
    expect(slots).toHaveLength(3)
  })

  it("singleFlight 'cluster': a lease whose write timed out is dropped once the backend resumes", async () => {
    const { clock, store, inner } = setup()
    const instance = createCache({ clock, store, onError: () => {} })
    const load = instance.cache({ ttl: 60, key: 'k', singleFlight: 'cluster', lockTimeout: 300 })(
      async () => 'value',
    )
    store.freeze()
    const calling = load()
    // The read times out, then the lease write, then the value's write: the caller still gets its value.
    await clock.advance(TIMEOUT_MS)
    await clock.advance(TIMEOUT_MS)
    await clock.advance(TIMEOUT_MS)
    expect(await calling).toBe('value')
    await store.thaw()
    await clock.advance(100)
    expect(await inner.has(`k${LEASE_SUFFIX}`)).toBe(false)
  })
})

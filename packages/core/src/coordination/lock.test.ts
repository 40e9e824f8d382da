import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import { defaultsFor } from '../../test/coordination/support'
import { CacheConfigError, CacheKeyError, CacheLockError, CacheStoreError } from '../errors'
import { MemoryStore } from '../store/memory-store'
import { ManualClock } from '../testing/manual-clock'
import { asyncDispose } from './held-handle'
import { createLock } from './lock'

function setup(overrides: Parameters<typeof defaultsFor>[2] = {}) {
  const clock = new ManualClock()
  const store = new MemoryStore({ clock, maxEntries: 10_000 })
  const onError = vi.fn()
  const lock = createLock(defaultsFor(store, clock, { onError, ...overrides }))
  return { clock, store, onError, lock }
}

/** Advances `clock` in steps until `done` settles (or gives up after `maxSteps`). */
async function driveUntil<T>(
  clock: ManualClock,
  done: Promise<T>,
  stepMs = 100,
  maxSteps = 10_000,
): Promise<T> {
  let settled = false
  void done.then(
    () => (settled = true),
    () => (settled = true),
  )
  for (let step = 0; step < maxSteps && !settled; step++) await clock.advance(stepMs)
  return done
}

describe('lock: acquire and release', () => {
  it('holds the key until released, then frees it', async () => {
    const { lock } = setup()
    const reportLock = lock('report:{0}')
    const held = await reportLock.acquire(2026)
    expect(held.key).toBe('report:2026')
    expect(await reportLock.isLocked(2026)).toBe(true)
    expect(await reportLock.isLocked(2027)).toBe(false)
    expect(await held.isHeld()).toBe(true)

    expect(await held.release()).toBe(true)
    expect(held.released).toBe(true)
    expect(await reportLock.isLocked(2026)).toBe(false)
    expect(await held.release()).toBe(false) // a second release is a no-op
    await (await reportLock.acquire(2026)).release()
  })

  it('fails at once with CacheLockError naming the key when held and wait is false', async () => {
    const { lock } = setup()
    const reportLock = lock('report:{0}')
    await reportLock.acquire(2026)
    const error = await reportLock.acquire(2026).catch((e: unknown) => e)
    expect(CacheLockError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ key: 'report:2026', waitedMs: 0, code: 'E_CACHE_LOCK' })
    expect((error as Error).message).toContain('report:2026')
    expect(await reportLock.tryAcquire(2026)).toBeUndefined()
  })

  it('types acquire() by the key function’s parameters', () => {
    const { lock } = setup()
    const byYear = lock((year: number) => `report:${year}`)
    expectTypeOf(byYear.acquire).parameters.toEqualTypeOf<[year: number]>()
    expectTypeOf(lock('report:{0}').acquire).parameters.toEqualTypeOf<[unknown]>()
  })

  it('is not reentrant: the same caller cannot take its own lock twice', async () => {
    const { lock } = setup()
    const l = lock('job')
    const held = await l.acquire()
    await expect(l.acquire()).rejects.toThrow(CacheLockError)
    await held.release()
  })

  it('keeps locks of different instances (prefixes) on one store apart', async () => {
    const clock = new ManualClock()
    const store = new MemoryStore({ clock, maxEntries: 10_000 })
    const a = createLock(defaultsFor(store, clock, { prefix: 'a' }))('job')
    const b = createLock(defaultsFor(store, clock, { prefix: 'b' }))('job')
    await a.acquire()
    await expect(b.acquire()).resolves.toBeDefined()
    expect(await store.has('a:lock:job')).toBe(true)
    expect(await store.has('b:lock:job')).toBe(true)
  })

  it('releases through Symbol.asyncDispose and `await using`', async () => {
    const { lock } = setup()
    const l = lock('job')
    {
      await using held = await l.acquire()
      expect(held.released).toBe(false)
      expect(await l.isLocked()).toBe(true)
    }
    expect(await l.isLocked()).toBe(false)

    const held = await l.acquire()
    await held[asyncDispose]()
    expect(await l.isLocked()).toBe(false)
    expect(asyncDispose).toBe(Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose'))
  })
})

describe('lock: mutual exclusion', () => {
  it('lets exactly one of many concurrent waiters in at a time (read-modify-write stays exact)', async () => {
    const { lock, clock } = setup()
    const l = lock('counter', { wait: true, timeout: 60 })
    let counter = 0
    let inside = 0
    let maxInside = 0
    const worker = async () => {
      await using _held = await l.acquire()
      inside++
      maxInside = Math.max(maxInside, inside)
      const read = counter
      await Promise.resolve()
      await new Promise((resolve) => setImmediate(resolve))
      counter = read + 1
      inside--
    }
    await driveUntil(clock, Promise.all(Array.from({ length: 20 }, worker)))
    expect(counter).toBe(20)
    expect(maxInside).toBe(1)
  })

  it('wakes a waiter in this process as soon as the holder releases (no poll delay)', async () => {
    const { lock, clock } = setup()
    const l = lock('job', { wait: true, timeout: 10, pollInterval: 5 })
    const held = await l.acquire()
    const started = clock.now()
    const waiting = l.acquire()
    await clock.advance(1000)
    await held.release()
    const next = await waiting
    expect(clock.now() - started).toBe(1000)
    await next.release()
  })
})

describe('lock: expiry and ownership', () => {
  it('expires after ttl (default 30 s) so another caller can reclaim it', async () => {
    const { lock, clock } = setup()
    const l = lock('job')
    const first = await l.acquire()
    await clock.advance(29_999)
    expect(await l.isLocked()).toBe(true)
    await clock.advance(1)
    expect(await l.isLocked()).toBe(false)
    const second = await l.acquire()
    expect(await second.isHeld()).toBe(true)
    expect(await first.isHeld()).toBe(false)
    await second.release()
  })

  it('a release by a holder that lost the lock frees nothing, resolves false and reports it', async () => {
    const { lock, clock, onError } = setup()
    const l = lock('job', { ttl: 1 })
    const first = await l.acquire()
    await clock.advance(1000)
    const second = await l.acquire()

    expect(await first.release()).toBe(false)
    expect(await l.isLocked()).toBe(true)
    expect(await second.isHeld()).toBe(true)
    expect(onError).toHaveBeenCalledTimes(1)
    const reported = onError.mock.calls[0]?.[0]
    expect(CacheLockError.isInstance(reported)).toBe(true)
    expect((reported as Error).message).toMatch(/job.*no longer held/)
    expect(await second.release()).toBe(true)
  })

  it('forceRelease frees a lock whoever holds it; the holder then learns it lost it', async () => {
    const { lock, onError } = setup()
    const l = lock('report:{0}')
    const held = await l.acquire(1)
    expect(await l.forceRelease(1)).toBe(true)
    expect(await l.forceRelease(1)).toBe(false)
    expect(await l.isLocked(1)).toBe(false)
    expect(await held.release()).toBe(false)
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('extend() pushes the expiry out while held, and refuses once lost', async () => {
    const { lock, clock } = setup()
    const l = lock('job', { ttl: 10 })
    const held = await l.acquire()
    await clock.advance(8000)
    expect(await held.extend()).toBe(true) // 10 s from now
    await clock.advance(8000)
    expect(await held.isHeld()).toBe(true)
    expect(await held.extend('1s')).toBe(true)
    await clock.advance(1000)
    expect(await held.isHeld()).toBe(false)
    expect(await held.extend()).toBe(false)
    await held.release()
    expect(await held.extend()).toBe(false)
  })
})

describe('lock: waiting', () => {
  it('with wait: true, fails after timeout with CacheLockError naming the key and the time waited', async () => {
    const { lock, clock } = setup()
    const l = lock('report:{0}', { wait: true, timeout: 2, pollInterval: 0.1 })
    await l.acquire(7)
    const outcome = l.acquire(7).catch((e: unknown) => e)
    await clock.advance(1999)
    await clock.advance(1)
    const error = await outcome
    expect(CacheLockError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ key: 'report:7', waitedMs: 2000 })
    expect((error as Error).message).toContain('report:7')
    expect((error as Error).message).toContain('2000ms')
  })

  it('with wait: true, takes the lock once the holder’s lock expires (polling)', async () => {
    const { lock, clock } = setup()
    const holder = lock('job', { ttl: 0.5 })
    const waiter = lock('job', { wait: true, timeout: 2, pollInterval: 0.1 })
    await holder.acquire()
    const started = clock.now()
    const acquired = waiter.acquire()
    const held = await driveUntil(clock, acquired, 100)
    expect(clock.now() - started).toBe(500)
    expect(await held.isHeld()).toBe(true)
  })

  it('timeout 0 with wait makes a single attempt', async () => {
    const { lock } = setup()
    const l = lock('job', { wait: true, timeout: 0 })
    await l.acquire()
    await expect(l.acquire()).rejects.toMatchObject({ waitedMs: 0 })
  })
})

describe('lock: wrapper form', () => {
  it('runs fn under the lock and releases it on return and on throw', async () => {
    const { lock } = setup()
    const calls: string[] = []
    const settle = lock({ key: 'invoice:{0}' })(async (id: string, fail = false) => {
      calls.push(id)
      expect(await settle.isLocked(id)).toBe(true)
      if (fail) throw new Error('boom')
      return `settled ${id}`
    })
    await expect(settle('a')).resolves.toBe('settled a')
    expect(await settle.isLocked('a')).toBe(false)
    await expect(settle('a', true)).rejects.toThrow('boom')
    expect(await settle.isLocked('a')).toBe(false)
    expect(settle.key('a')).toBe('invoice:a')
    expect(calls).toEqual(['a', 'a'])
  })

  it('rejects a concurrent call with the same key, runs other keys, and forwards `this`', async () => {
    const { lock } = setup()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const service = {
      name: 'svc',
      run: lock({ key: (id: number) => `job:${id}` })(async function (this: { name: string }, id: number) {
        await gate
        return `${this.name}:${id}`
      }),
    }
    const first = service.run(1)
    await expect(service.run(1)).rejects.toThrow(CacheLockError)
    const other = service.run(2)
    expect(await service.run.forceRelease(2)).toBe(true)
    release()
    await expect(first).resolves.toBe('svc:1')
    await expect(other).resolves.toBe('svc:2')
  })
})

describe('lock: key templates (shared with cache())', () => {
  it('resolves named placeholders and paths from the wrapped function’s parameters', async () => {
    const { lock } = setup()
    const save = lock({ key: 'user:{user.id}:{field}' })(
      async (user: { id: number }, field: string) => `${user.id}:${field}`,
    )
    expect(save.key({ id: 7 }, 'email')).toBe('user:7:email')
    await expect(save({ id: 7 }, 'email')).resolves.toBe('7:email')
  })

  it('refuses named placeholders without a function, at construction, with CacheKeyError', () => {
    const { lock } = setup()
    expect(() => lock('user:{id}')).toThrow(CacheKeyError)
    expect(() => lock({ key: 'user:{nope}' })(async (id: number) => id)).toThrow(/nope/)
  })
})

describe('lock: configuration and failures', () => {
  it('validates options at construction, naming the option', () => {
    const { lock } = setup()
    const optionOf = (build: () => unknown) => {
      try {
        build()
      } catch (error) {
        expect(CacheConfigError.isInstance(error)).toBe(true)
        return (error as CacheConfigError).option
      }
      return 'no error'
    }
    expect(optionOf(() => lock('k', { ttl: -1 }))).toBe('ttl')
    expect(optionOf(() => lock('k', { ttl: 0 }))).toBe('ttl')
    expect(optionOf(() => lock('k', { timeout: 'soon' as never }))).toBe('timeout')
    expect(optionOf(() => lock('k', { pollInterval: 0 }))).toBe('pollInterval')
    expect(optionOf(() => lock('k', { wait: 'yes' as never }))).toBe('wait')
    expect(optionOf(() => lock(''))).toBe('key')
    expect(optionOf(() => lock({ key: 42 as never }))).toBe('key')
    expect(optionOf(() => lock('k', { store: {} as never }))).toBe('store')
    expect(() => lock({ key: 'k' })('not a function' as never)).toThrow(CacheConfigError)
  })

  it('a failing store rejects acquire with its error at once and never wedges release', async () => {
    const clock = new ManualClock()
    const store = new MemoryStore({ clock, maxEntries: 10_000 })
    const onError = vi.fn()
    const l = createLock(defaultsFor(store, clock, { onError }))('job', { wait: true, timeout: 10 })
    const held = await l.acquire()
    const failure = new CacheStoreError('down', { store: 'map', operation: 'get' })
    vi.spyOn(store, 'get').mockRejectedValue(failure)
    vi.spyOn(store, 'setIfAbsent').mockRejectedValue(failure)
    vi.spyOn(store, 'getSync').mockImplementation(() => {
      throw failure
    })

    await expect(l.acquire()).rejects.toBe(failure)
    await expect(l.isLocked()).rejects.toBe(failure)
    expect(await held.release()).toBe(false)
    expect(onError).toHaveBeenCalledWith(failure)
  })

  it('uses the store option (or its factory, called once) instead of the instance store', async () => {
    const { lock, clock, store } = setup()
    const own = new MemoryStore({ clock, maxEntries: 10_000 })
    const factory = vi.fn(() => own)
    const l = lock('job', { store: factory })
    await l.acquire()
    expect(await l.isLocked()).toBe(true)
    expect(factory).toHaveBeenCalledTimes(1)
    expect(await own.has('app:lock:job')).toBe(true)
    expect(await store.has('app:lock:job')).toBe(false)
  })
})

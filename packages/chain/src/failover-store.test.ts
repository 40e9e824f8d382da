import {
  CacheConfigError,
  type CacheEntry,
  CacheSerializationError,
  CacheStoreError,
  MemoryStore,
} from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { describe, expect, it, vi } from 'vitest'
import { FaultyStore } from '../test/support/faulty-store'
import { FailoverStore } from './failover-store'

function setup(options: { mirrorWrites?: boolean } = {}) {
  const clock = new ManualClock()
  const primary = new FaultyStore(clock, 'primary')
  const fallback = new MemoryStore({ clock, maxEntries: 100 })
  const onError = vi.fn()
  const store = new FailoverStore({
    primary,
    fallback,
    clock,
    onError,
    breaker: { failureThreshold: 3, resetTimeout: '10s' },
    ...options,
  })
  const entry = (value: string): CacheEntry => ({
    value,
    createdAt: clock.now(),
    freshUntil: clock.now() + 60_000,
    staleUntil: clock.now() + 60_000,
  })
  return { clock, primary, fallback, onError, store, entry }
}

describe('FailoverStore', () => {
  it('serves from the primary and mirrors accepted writes to the fallback', async () => {
    const { primary, fallback, store, entry, onError } = setup()
    await store.set('k', entry('v'))
    await store.setMany([['m', entry('m')]])
    expect(await store.setIfAbsent('n', entry('n'))).toBe(true)
    for (const key of ['k', 'm', 'n']) {
      expect(primary.inner.getSync(key)).toBeDefined()
      expect(fallback.getSync(key)).toEqual(primary.inner.getSync(key))
    }
    await primary.inner.set('only-primary', entry('p'))
    expect((await store.get('only-primary'))?.value).toBe('p')
    expect(onError).not.toHaveBeenCalled()
    expect(store.state).toBe('closed')
  })

  it('reads the fallback on a primary miss (DESIGN 2.9: on its error or miss)', async () => {
    const { primary, fallback, store, entry, onError } = setup()
    await fallback.set('only-fallback', entry('f'))
    await primary.inner.set('both', entry('primary'))
    await fallback.set('both', entry('fallback'))
    expect((await store.get('only-fallback'))?.value).toBe('f')
    expect(await store.has('only-fallback')).toBe(true)
    expect((await store.get('both'))?.value).toBe('primary')
    expect(await store.get('nowhere')).toBeUndefined()
    expect(await store.has('nowhere')).toBe(false)
    // getMany asks the fallback once, for the primary's misses only.
    const fallbackGetMany = vi.spyOn(fallback, 'getMany')
    const found = await store.getMany(['both', 'nowhere', 'only-fallback'])
    expect(found.map((hit) => hit?.value)).toEqual(['primary', undefined, 'f'])
    expect(fallbackGetMany).toHaveBeenCalledExactlyOnceWith(['nowhere', 'only-fallback'])
    expect(await store.getMany(['both'])).toHaveLength(1)
    expect(fallbackGetMany).toHaveBeenCalledOnce()
    expect(onError).not.toHaveBeenCalled()
    expect(primary.calls.get('get')).toBe(3)
  })

  it('a fallback failure after a primary miss is reported and is a miss', async () => {
    const clock = new ManualClock()
    const primary = new MemoryStore({ clock, maxEntries: 10 })
    const fallback = new FaultyStore(clock, 'fallback')
    fallback.down(true)
    const onError = vi.fn()
    const store = new FailoverStore({ primary, fallback, clock, onError })
    expect(await store.get('k')).toBeUndefined()
    expect(await store.has('k')).toBe(false)
    expect(await store.getMany(['k', 'j'])).toEqual([undefined, undefined])
    expect(onError).toHaveBeenCalledTimes(3)
    expect((onError.mock.calls[0]?.[0] as Error | undefined)?.message).toMatch(
      /fallback store "fallback" failed on get after a primary miss/,
    )
    expect(store.state).toBe('closed')
  })

  it('with mirrorWrites: false, a write drops the fallback copy instead', async () => {
    const { fallback, store, entry } = setup({ mirrorWrites: false })
    await fallback.set('k', entry('old'))
    await fallback.set('m', entry('old'))
    await store.set('k', entry('new'))
    await store.setMany([['m', entry('new')]])
    expect([fallback.getSync('k'), fallback.getSync('m')]).toEqual([undefined, undefined])
  })

  it('deletes and clears reach both stores', async () => {
    const { primary, fallback, store, entry } = setup()
    await store.setMany(['a', 'b', 'c', 'user:1', 'z'].map((key): [string, CacheEntry] => [key, entry(key)]))
    expect(await store.delete('a')).toBe(true)
    expect(await store.deleteMany(['b', 'c'])).toBe(2)
    expect(await store.deleteMatching('user:*')).toBe(1)
    for (const key of ['a', 'b', 'c', 'user:1']) expect(fallback.getSync(key)).toBeUndefined()
    await store.clear()
    expect([primary.inner.size, fallback.size]).toEqual([0, 0])
  })

  it('serves an operation the primary failed from the fallback, and reports the failure', async () => {
    const { primary, fallback, store, entry, onError } = setup()
    await store.set('k', entry('v'))
    primary.failing.add('get')
    expect((await store.get('k'))?.value).toBe('v')
    expect(onError).toHaveBeenCalledOnce()
    const [error] = onError.mock.calls[0] ?? []
    expect(error).toBeInstanceOf(CacheStoreError)
    expect(error).toMatchObject({ store: 'failover', operation: 'get', key: 'k' })
    expect((error as Error).message).toMatch(/primary store "primary" failed on get; served by the fallback/)
    expect((error as Error).cause).toEqual(new Error('primary get exploded'))

    primary.failing.add('set')
    await store.set('j', entry('w'))
    expect(fallback.getSync('j')?.value).toBe('w')
    primary.failing.add('setIfAbsent')
    expect(await store.setIfAbsent('j', entry('x'))).toBe(false)
  })

  it('opens the circuit after failureThreshold consecutive failures and skips the primary while open', async () => {
    const { clock, primary, store, entry } = setup()
    await store.set('k', entry('v'))
    primary.down(true)
    for (let i = 0; i < 3; i++) expect((await store.get('k'))?.value).toBe('v')
    expect(store.state).toBe('open')
    const callsWhenOpened = primary.calls.get('get')
    for (let i = 0; i < 5; i++) expect((await store.get('k'))?.value).toBe('v')
    expect(primary.calls.get('get')).toBe(callsWhenOpened)

    // Exactly resetTimeout later, one trial reaches the primary; its failure reopens the circuit.
    await clock.advance(9_999)
    expect(store.state).toBe('open')
    await clock.advance(1)
    expect(store.state).toBe('half-open')
    await store.get('k')
    expect(primary.calls.get('get')).toBe((callsWhenOpened ?? 0) + 1)
    expect(store.state).toBe('open')

    // Back up: the next trial succeeds and closes the circuit.
    primary.down(false)
    await clock.advance(10_000)
    const before = primary.calls.get('get') ?? 0
    expect((await store.get('k'))?.value).toBe('v')
    expect(primary.calls.get('get')).toBe(before + 1)
    expect(store.state).toBe('closed')
  })

  it('rejects with the fallback error when both stores fail', async () => {
    const clock = new ManualClock()
    const primary = new FaultyStore(clock, 'primary')
    const fallback = new FaultyStore(clock, 'fallback')
    primary.down(true)
    fallback.down(true)
    const onError = vi.fn()
    const store = new FailoverStore({ primary, fallback, clock, onError })
    await expect(store.get('k')).rejects.toThrow('fallback get exploded')
    expect(onError).toHaveBeenCalledOnce()
  })

  it('a value that cannot be serialized rejects without failing over or counting a failure', async () => {
    const clock = new ManualClock()
    const serializationError = new CacheSerializationError('cannot encode', { key: 'k' })
    const primary = new FaultyStore(clock, 'primary')
    vi.spyOn(primary, 'set').mockRejectedValue(serializationError)
    const fallback = new MemoryStore({ clock, maxEntries: 10 })
    const store = new FailoverStore({ primary, fallback, clock, breaker: { failureThreshold: 1 } })
    await expect(store.set('k', { value: 1, createdAt: 0, freshUntil: 1, staleUntil: 1 })).rejects.toBe(
      serializationError,
    )
    expect(fallback.size).toBe(0)
    expect(store.state).toBe('closed')
  })

  it('a fallback failure after a primary success is reported, not thrown', async () => {
    const clock = new ManualClock()
    const primary = new MemoryStore({ clock, maxEntries: 10 })
    const fallback = new FaultyStore(clock, 'fallback')
    fallback.down(true)
    const onError = vi.fn()
    const store = new FailoverStore({ primary, fallback, clock, onError })
    await store.set('k', { value: 1, createdAt: clock.now(), freshUntil: Infinity, staleUntil: Infinity })
    expect(onError).toHaveBeenCalledOnce()
    expect((onError.mock.calls[0]?.[0] as Error | undefined)?.message).toMatch(
      /fallback store "fallback" failed on set/,
    )
  })

  it('closes both stores unless closeStores: false', async () => {
    const clock = new ManualClock()
    const primary = new FaultyStore(clock, 'primary')
    const fallback = new FaultyStore(clock, 'fallback')
    await new FailoverStore({ primary, fallback, closeStores: false }).close()
    expect([primary.calls.get('close'), fallback.calls.get('close')]).toEqual([undefined, undefined])
    const store = new FailoverStore({ primary, fallback })
    await store.close()
    await store.close()
    expect([primary.calls.get('close'), fallback.calls.get('close')]).toEqual([1, 1])
  })

  it('rejects invalid options, naming them', () => {
    const primary = new MemoryStore({ maxEntries: 10 })
    const fallback = new MemoryStore({ maxEntries: 10 })
    expect(() => new FailoverStore(undefined as never)).toThrow(CacheConfigError)
    expect(() => new FailoverStore({ primary: {} as never, fallback })).toThrow(/`primary`/)
    expect(() => new FailoverStore({ primary, fallback: undefined as never })).toThrow(/`fallback`/)
    expect(() => new FailoverStore({ primary, fallback: primary })).toThrow(/`fallback`/)
    expect(() => new FailoverStore({ primary, fallback, breaker: { failureThreshold: 0 } })).toThrow(
      /failureThreshold/,
    )
    expect(
      () => new FailoverStore({ primary, fallback, breaker: { resetTimeout: 'soon' as never } }),
    ).toThrow(/resetTimeout/)
    expect(() => new FailoverStore({ primary, fallback, mirrorWrites: 1 as never })).toThrow(/mirrorWrites/)
    expect(() => new FailoverStore({ primary, fallback, name: '' })).toThrow(/`name`/)
    expect(() => new FailoverStore({ primary, fallback, onError: 1 as never })).toThrow(/`onError`/)
  })
})

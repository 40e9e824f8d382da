import { describe, expect, it, vi } from 'vitest'
import { createCache } from '../create-cache'
import { CacheConfigError } from '../errors'
import { MemoryStore } from '../store/memory-store'
import type { CacheEntry } from '../store/store'
import { ManualClock } from '../testing/manual-clock'
import { deferred, FaultyStore } from './store-doubles.fixture'
import { TAG_LIFE_MS } from './tag-index'

/** A FaultyStore that also counts getMany calls (the round trips of a tagged read). */
class CountingStore extends FaultyStore {
  readonly reads: string[][] = []
  override getMany(keys: string[]): Promise<(CacheEntry | undefined)[]> {
    this.reads.push(keys)
    return super.getMany(keys)
  }
}

function setup(async = false) {
  const clock = new ManualClock()
  const store = async ? new CountingStore(clock) : new MemoryStore({ clock, maxEntries: 1000 })
  const errors: unknown[] = []
  const c = createCache({ clock, store, prefix: 'app', ttl: 60, onError: (error) => errors.push(error) })
  return { clock, store, c, errors }
}

describe.each([
  ['a synchronous store', false],
  ['an async store', true],
])('invalidateTags over %s', (_, async) => {
  it('misses every entry carrying the tag; other and untagged entries stay; a later write hits again (same millisecond)', async () => {
    const { c } = setup(async)
    await c.set('u1', 'one', { tags: ['users', 'org:7'] })
    await c.set('u2', 'two', { tags: ['users'] })
    await c.set('o8', 'eight', { tags: ['org:8'] })
    await c.set('plain', 'plain')
    await c.invalidateTags(['org:7'])
    expect(await c.getMany(['u1', 'u2', 'o8', 'plain'])).toEqual([undefined, 'two', 'eight', 'plain'])
    expect(await c.has('u1')).toBe(false)
    await c.set('u1', 'one again', { tags: ['users', 'org:7'] })
    expect(await c.get('u1')).toBe('one again')
    await c.invalidateTags(['users'])
    expect(await c.getMany(['u1', 'u2', 'o8'])).toEqual([undefined, undefined, 'eight'])
  })

  it('getOrSet recomputes an invalidated entry, and a wrapper’s entries share the instance’s tags', async () => {
    const { c } = setup(async)
    let version = 0
    const factory = vi.fn(async () => ++version)
    expect(await c.getOrSet('k', factory, { tags: ['t'] })).toBe(1)
    expect(await c.getOrSet('k', factory, { tags: ['t'] })).toBe(1)
    const byId = c.cache({ key: 'user:{0}', tags: (id: number) => [`user:${id}`, 't'] })(
      async (id: number) => ({
        id,
        version: ++version,
      }),
    )
    const first = await byId(1)
    expect(await byId(1)).toBe(first)
    await c.invalidateTags(['t'])
    expect(await c.getOrSet('k', factory, { tags: ['t'] })).toBe(3)
    expect(await byId(1)).not.toBe(first)
    const second = await byId(1)
    await byId.invalidateTags(['user:1'])
    expect(await byId(1)).not.toBe(second)
  })

  it('a call whose tags differ from the stored entry’s checks the entry’s own tags', async () => {
    const { c } = setup(async)
    const factory = vi.fn(async () => 'computed')
    const options = { tags: ['users'] }
    await c.set('k', 'stored', { tags: ['users', 'org:7'] })
    expect(await c.getOrSet('k', factory, options)).toBe('stored')
    await c.invalidateTags(['org:7'])
    expect(await c.getOrSet('k', factory, options)).toBe('computed')
    expect(factory).toHaveBeenCalledTimes(1)
    await c.set('plain', 'untagged')
    expect(await c.getOrSet('plain', factory, options)).toBe('untagged')
  })

  it('a value whose computation started before the invalidation is not served after it', async () => {
    const { c } = setup(async)
    const gate = deferred<string>()
    const factory = vi.fn(() => gate.promise)
    const pending = c.getOrSet('k', factory, { tags: ['t'] })
    await vi.waitFor(() => expect(factory).toHaveBeenCalled())
    await c.invalidateTags(['t'])
    gate.resolve('built from old data')
    expect(await pending).toBe('built from old data') // its caller gets it…
    await vi.waitFor(async () =>
      expect(await c.getOrSet('k', async () => 'fresh', { tags: ['t'] })).toBe('fresh'),
    )
  })
})

describe('tagged hits over a MemoryStore (checked as the store reads)', () => {
  it('an options object reused after its tags array changed checks the tags the entry carries', async () => {
    const { c } = setup()
    let version = 0
    const factory = vi.fn(async () => ++version)
    const tags = ['a']
    const options = { tags }
    expect(await c.getOrSet('k', factory, options)).toBe(1)
    expect(await c.getOrSet('k', factory, options)).toBe(1)
    tags[0] = 'b' // not supported (the policy is resolved once), but never serves an invalidated value
    await c.invalidateTags(['a'])
    expect(await c.getOrSet('k', factory, options)).toBe(2)
    expect(await c.getOrSet('k', factory, options)).toBe(2)
  })

  it('the same options object over two instances with different prefixes checks each instance’s records', async () => {
    const clock = new ManualClock()
    const store = new MemoryStore({ clock, maxEntries: 100 })
    const one = createCache({ clock, store, prefix: 'one', ttl: 60 })
    const two = createCache({ clock, store, prefix: 'two', ttl: 60 })
    const options = { tags: ['t'] }
    expect(await one.getOrSet('k', async () => 1, options)).toBe(1)
    expect(await two.getOrSet('k', async () => 2, options)).toBe(2)
    await two.invalidateTags(['t'])
    expect(await one.getOrSet('k', async () => 3, options)).toBe(1)
    expect(await two.getOrSet('k', async () => 4, options)).toBe(4)
    await one.invalidateTags(['t'])
    expect(await one.getOrSet('k', async () => 5, options)).toBe(5)
    expect(await two.getOrSet('k', async () => 6, options)).toBe(4)
  })

  it('a record read that throws is reported, and a later record read works again', async () => {
    const clock = new ManualClock()
    let failRecords = false
    class RecordFailingStore extends MemoryStore {
      override getSync(key: string): CacheEntry | undefined {
        if (failRecords && key.includes('__tag:')) throw new Error('record read exploded')
        return super.getSync(key)
      }
    }
    const errors: unknown[] = []
    const c = createCache({
      clock,
      store: new RecordFailingStore({ clock, maxEntries: 100 }),
      ttl: 60,
      onError: (error) => errors.push(error),
    })
    const options = { tags: ['t'] }
    let version = 0
    const factory = vi.fn(async () => ++version)
    expect(await c.getOrSet('k', factory, options)).toBe(1)
    failRecords = true
    expect(await c.getOrSet('k', factory, options)).toBe(1) // a failed read is no record (as before)
    expect(errors.length).toBeGreaterThan(0)
    expect(String(errors[0])).toMatch(/record read exploded/)
    failRecords = false
    await c.invalidateTags(['t'])
    expect(await c.getOrSet('k', factory, options)).toBe(2)
  })

  it('a cache() wrapper with a list of tags (sync and async functions) hits, misses after an invalidation, hits again', async () => {
    const { c } = setup()
    let version = 0
    const sync = c.cache({ key: 's:{0}', tags: ['users'] })((id: number) => `${id}:${++version}`)
    const async = c.cache({ key: 'a:{0}', tags: ['users', 'org:7'] })(
      async (id: number) => `${id}:${++version}`,
    )
    const first = sync(1)
    expect(sync(1)).toBe(first)
    const firstAsync = await async(1)
    expect(await async(1)).toBe(firstAsync)
    await c.invalidateTags(['org:7'])
    expect(sync(1)).toBe(first)
    const second = await async(1)
    expect(second).not.toBe(firstAsync)
    expect(await async(1)).toBe(second)
    await c.invalidateTags(['users'])
    const third = sync(1)
    expect(third).not.toBe(first)
    expect(sync(1)).toBe(third)
    expect(await async(1)).not.toBe(second)
  })

  it('checks records as they come and go (none, written, rewritten, deleted)', async () => {
    const { c, store } = setup()
    const memory = store as MemoryStore
    let version = 0
    const factory = vi.fn(async () => ++version)
    const options = { tags: ['a', 'b'] }
    expect(await c.getOrSet('k', factory, options)).toBe(1)
    expect(await c.getOrSet('k', factory, options)).toBe(1)
    await c.invalidateTags(['b'])
    expect(await c.getOrSet('k', factory, options)).toBe(2)
    expect(await c.getOrSet('k', factory, options)).toBe(2)
    await c.invalidateTags(['b'])
    expect(await c.getOrSet('k', factory, options)).toBe(3)
    memory.deleteSync('app:__tag:b')
    expect(await c.getOrSet('k', factory, options)).toBe(3)
    await c.invalidateTags(['a'])
    expect(await c.getOrSet('k', factory, options)).toBe(4)
    expect(await c.getOrSet('k', factory, options)).toBe(4)
    expect(factory).toHaveBeenCalledTimes(4)
  })

  it('one decorator with a list of tags over two functions, each with a store of its own, checks each store’s records', async () => {
    const clock = new ManualClock()
    const c = createCache({ clock, ttl: 60 })
    const decorate = c.cache({ tags: ['t'], store: () => new MemoryStore({ clock, maxEntries: 10 }) })
    let version = 0
    const one = decorate(function one(id: number) {
      return `one:${id}:${++version}`
    })
    const two = decorate(function two(id: number) {
      return `two:${id}:${++version}`
    })
    const first = one(1)
    expect(one(1)).toBe(first)
    const second = two(1)
    expect(two(1)).toBe(second)
    await two.invalidateTags(['t'])
    expect(one(1)).toBe(first)
    const third = two(1)
    expect(third).not.toBe(second)
    expect(two(1)).toBe(third)
    await one.invalidateTags(['t'])
    expect(one(1)).not.toBe(first)
    expect(two(1)).toBe(third)
  })

  it('a tagged entry in its stale window is served stale and refreshed, then invalidated', async () => {
    const { c, clock } = setup()
    let version = 0
    const factory = vi.fn(async () => ++version)
    const options = { tags: ['t'], ttl: 10, stale: 60 }
    expect(await c.getOrSet('k', factory, options)).toBe(1)
    await clock.advance(11_000)
    expect(await c.getOrSet('k', factory, options)).toBe(1)
    await vi.waitFor(async () => expect(await c.getOrSet('k', factory, options)).toBe(2))
    await c.invalidateTags(['t'])
    expect(await c.getOrSet('k', factory, options)).toBe(3)
  })
})

describe('tag records', () => {
  it('live in the store under the prefix and expire on their own after a week', async () => {
    const { c, clock, store } = setup()
    const memory = store as MemoryStore
    await c.set('k', 1, { tags: ['t'], ttl: 60 })
    await c.invalidateTags(['t'])
    expect(memory.getSync('app:__tag:t')).toBeDefined()
    await clock.advance(TAG_LIFE_MS - 1)
    expect(memory.getSync('app:__tag:t')).toBeDefined()
    await clock.advance(1)
    expect(memory.getSync('app:__tag:t')).toBeUndefined()
  })

  it('a tagged entry lives at most as long as a record, so no invalidation is forgotten while it lives', async () => {
    const { c, clock } = setup()
    await c.set('forever', 1, { tags: ['t'], ttl: Number.POSITIVE_INFINITY })
    await c.set('untagged', 1, { ttl: Number.POSITIVE_INFINITY })
    await clock.advance(TAG_LIFE_MS - 1)
    expect(await c.get('forever')).toBe(1)
    await clock.advance(1)
    expect(await c.get('forever')).toBeUndefined()
    expect(await c.get('untagged')).toBe(1)
  })

  it('a tagged hit whose tags the call names costs one round trip; an untagged hit reads no record', async () => {
    const { c, store } = setup(true)
    const counting = store as CountingStore
    await c.getOrSet('k', async () => 1, { tags: ['a', 'b'] })
    await vi.waitFor(() => expect(counting.inner.getSync('app:k')).toBeDefined())
    counting.reads.length = 0
    const gets = counting.calls.get
    expect(await c.getOrSet('k', async () => 2, { tags: ['a', 'b'] })).toBe(1)
    expect(counting.reads).toEqual([['app:k', 'app:__tag:a', 'app:__tag:b']])
    expect(counting.calls.get).toBe(gets)
    await c.set('plain', 1)
    counting.reads.length = 0
    expect(await c.get('plain')).toBe(1)
    expect(counting.reads).toEqual([])
  })

  it('a wrapper whose tags are a function of the arguments reads entry and records in one round trip', async () => {
    const { c, store } = setup(true)
    const counting = store as CountingStore
    const byId = c.cache({ key: 'user:{0}', tags: (id: number) => [`user:${id}`] })(async (id: number) => ({
      id,
    }))
    await byId(7)
    await vi.waitFor(() => expect(counting.inner.getSync('app:user:7')).toBeDefined())
    counting.reads.length = 0
    const gets = counting.calls.get
    await byId(7)
    expect(counting.reads).toEqual([['app:user:7', 'app:__tag:user:7']])
    expect(counting.calls.get).toBe(gets)
  })

  it('getMany reads the records of every tag involved in one more round trip', async () => {
    const { c, store } = setup(true)
    const counting = store as CountingStore
    await c.setMany(
      [
        ['a', 1],
        ['b', 2],
      ],
      { tags: ['t', 'u'] },
    )
    await c.set('c', 3, { tags: ['u'] })
    await c.invalidateTags(['t'])
    await c.set('d', 4, { tags: ['t'] })
    counting.reads.length = 0
    expect(await c.getMany(['a', 'b', 'c', 'd', 'e'])).toEqual([undefined, undefined, 3, 4, undefined])
    expect(counting.reads).toEqual([
      ['app:a', 'app:b', 'app:c', 'app:d', 'app:e'],
      ['app:__tag:t', 'app:__tag:u'],
    ])
  })

  it('invalidateTags rejects when the store fails, and validates its argument', async () => {
    const clock = new ManualClock()
    const store = new FaultyStore(clock)
    store.inner.setMany = async () => {
      throw new Error('down')
    }
    const c = createCache({ clock, store, ttl: 60, onError: () => {} })
    await expect(c.invalidateTags(['t'])).rejects.toThrow(/down/)
    await expect(c.invalidateTags('t' as never)).rejects.toThrow(CacheConfigError)
  })

  it('a failing read of the records makes a tagged entry a miss', async () => {
    const { c, store } = setup(true)
    const counting = store as CountingStore
    await c.set('k', 1, { tags: ['t'] })
    counting.inner.getMany = async () => {
      throw new Error('down')
    }
    expect(await c.get('k')).toBeUndefined()
  })
})

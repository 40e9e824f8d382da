import { describe, expect, it, vi } from 'vitest'
import { createCache } from '../create-cache'
import { CacheConfigError } from '../errors'
import { MemoryStore } from '../store/memory-store'
import { ManualClock } from '../testing/manual-clock'
import { FaultyStore } from './store-doubles.fixture'

function setup(prefix?: string) {
  const clock = new ManualClock()
  const store = new MemoryStore({ clock, maxEntries: 100 })
  const errors: unknown[] = []
  const instance = createCache({
    clock,
    store,
    onError: (e) => errors.push(e),
    ...(prefix ? { prefix } : {}),
  })
  return { clock, store, errors, ...instance }
}

describe('cache.put', () => {
  it('always runs and stores the result under the key, for readers to find', async () => {
    const { cache } = setup()
    const read = vi.fn(async (id: number) => `db:${id}`)
    const getName = cache({ ttl: 60, key: 'name:{0}' })(read)
    const setName = cache.put({ ttl: 60, key: 'name:{0}' })(
      async (id: number, name: string) => `${id}=${name}`,
    )
    expect(await setName(1, 'a')).toBe('1=a')
    expect(await setName(1, 'b')).toBe('1=b')
    expect(await getName(1)).toBe('1=b')
    expect(read).not.toHaveBeenCalled()
  })

  it('stays synchronous over a synchronous store', () => {
    const { cache, store } = setup()
    const put = cache.put({ ttl: 60, key: 'k:{0}' })((x: number) => x + 1)
    expect(put(1)).toBe(2)
    expect(store.getSync('k:1')?.value).toBe(2)
  })

  it('needs the store its readers use', () => {
    const { cache } = createCache({ clock: new ManualClock() })
    expect(() => cache.put({ ttl: 60, key: 'k' })(async () => 1)).toThrow(CacheConfigError)
    const store = new MemoryStore({ maxEntries: 1 })
    expect(() => cache.put({ ttl: 60, key: 'k', store })(async () => 1)).not.toThrow()
  })

  it('does not store when the function throws', async () => {
    const { cache, store } = setup()
    const put = cache.put({ ttl: 60, key: 'k' })(async () => {
      throw new Error('nope')
    })
    await expect(put()).rejects.toThrow('nope')
    expect(await store.has('k')).toBe(false)
  })
})

describe('cache.evict', () => {
  it('deletes the keys after the function succeeds, and nothing when it throws', async () => {
    const { cache, store } = setup()
    const get = cache({ ttl: 60, key: 'user:{0}' })(async (id: number) => ({ id }))
    const list = cache({ ttl: 60, key: 'users' })(async () => [1, 2])
    await get(1)
    await list()
    const update = cache.evict({ key: ['user:{0}', 'users'] })(async (id: number, fail: boolean) => {
      if (fail) throw new Error('rejected')
      return id
    })
    await expect(update(1, true)).rejects.toThrow('rejected')
    expect(await store.has('user:1')).toBe(true)
    expect(await update(1, false)).toBe(1)
    expect(await store.has('user:1')).toBe(false)
    expect(await store.has('users')).toBe(false)
  })

  it('evicts synchronously for a synchronous function over a synchronous store', () => {
    const { cache, store } = setup()
    const get = cache({ ttl: 60, key: 'n:{0}' })((x: number) => x)
    get(1)
    const touch = cache.evict({ key: 'n:{0}' })((x: number) => x * 10)
    expect(touch(1)).toBe(10)
    expect(store.getSync('n:1')).toBeUndefined()
    expect(() =>
      cache.evict({ key: 'n:{0}' })((_x: number) => {
        throw new Error('sync failure')
      })(1),
    ).toThrow('sync failure')
  })

  it('clears every entry with allEntries, only within the instance prefix', async () => {
    const { cache, store } = setup('app')
    await store.set('other:1', {
      value: 1,
      createdAt: 0,
      freshUntil: Number.POSITIVE_INFINITY,
      staleUntil: Number.POSITIVE_INFINITY,
    })
    const get = cache({ ttl: 60, key: 'k:{0}' })(async (x: number) => x)
    await get(1)
    await get(2)
    expect(await store.has('app:k:1')).toBe(true)
    const reset = cache.evict({ allEntries: true })(async () => 'done')
    expect(await reset()).toBe('done')
    expect(await store.has('app:k:1')).toBe(false)
    expect(await store.has('app:k:2')).toBe(false)
    expect(await store.has('other:1')).toBe(true)
  })

  it('reports a failing delete without failing the call', async () => {
    const clock = new ManualClock()
    const store = new FaultyStore(clock)
    store.failing.add('delete')
    const errors: unknown[] = []
    const { cache } = createCache({ clock, store, onError: (e) => errors.push(e) })
    const update = cache.evict({ key: 'k' })(async () => 'updated')
    expect(await update()).toBe('updated')
    expect(errors).toHaveLength(1)
  })

  it('needs a key or allEntries', () => {
    const { cache } = setup()
    expect(() => cache.evict({})).toThrow(CacheConfigError)
    expect(() => cache.evict({ allEntries: 'yes' as never })).toThrow(CacheConfigError)
  })
})

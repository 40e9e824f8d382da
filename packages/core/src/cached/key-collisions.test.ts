import { describe, expect, it } from 'vitest'
import { createCache } from '../create-cache'
import { CacheKeyError } from '../errors'
import { MemoryStore } from '../store/memory-store'

// Keys that would silently collide (every call rendering `user:`) are errors, in every API that
// takes a key template: at decoration for an index beyond the declared parameters, at call time
// for a path through a primitive or (for bare lock/pool templates) a missing argument.

function setup() {
  const store = new MemoryStore({ maxEntries: 100 })
  return { store, ...createCache({ store, ttl: 60 }) }
}

const byId = async (id: number) => ({ id })
const byUser = async (user: unknown) => user

describe('an index beyond the declared parameters is a CacheKeyError at decoration', () => {
  it('in cache()', () => {
    const { cache } = setup()
    expect(() => cache({ key: 'user:{1}' })(byId)).toThrow(CacheKeyError)
    expect(() => cache({ key: 'user:{1}' })(byId)).toThrow(/\{1\} reads argument 1.*declares 1 parameter/)
    expect(() => cache({ key: '{}:{}' })(byId)).toThrow(CacheKeyError)
  })

  it('in cache.put and cache.evict', () => {
    const { cache } = setup()
    expect(() => cache.put({ key: 'user:{1}' })(byId)).toThrow(CacheKeyError)
    expect(() => cache.evict({ key: 'user:{2}' })(byId)).toThrow(CacheKeyError)
  })

  it('in lock({ key }), once and pooled', () => {
    const { lock, once, pooled } = setup()
    expect(() => lock({ key: 'job:{1}' })(byId)).toThrow(CacheKeyError)
    expect(() => once({ key: 'job:{1}' })(byId)).toThrow(CacheKeyError)
    expect(() => pooled({ key: 'api:{1}', maxSize: 1 })(byId)).toThrow(CacheKeyError)
  })

  it('accepts any index when the function has a rest parameter, and declared optional ones', async () => {
    const { cache } = setup()
    const spread = cache({ key: 'sum:{0}:{2}' })(async (...n: number[]) => n.length)
    expect(spread.key(1, 2, 3)).toBe('sum:1:3')
    const optional = cache({ key: 'page:{0}:{1}' })(async (q: string, page?: number) => `${q}${page}`)
    expect(optional.key('a')).toBe('page:a:')
  })

  it('in a TC39 method decorator too', () => {
    const { cache } = setup()
    expect(() => {
      class Users {
        @cache({ key: 'user:{1}' })
        async byId(id: number) {
          return id
        }
      }
      return Users
    }).toThrow(CacheKeyError)
  })
})

describe('a path that meets a primitive is a CacheKeyError at call time', () => {
  it('in cache(): the call rejects, nothing is stored or computed', async () => {
    const { cache, store } = setup()
    let calls = 0
    const get = cache({ key: 'org:{0.id}' })(async (user: unknown) => ++calls && user)
    await expect(get(7)).rejects.toThrow(CacheKeyError)
    await expect(get('abc')).rejects.toThrow(/\{0\.id\} cannot read "id" because the argument is a string/)
    expect(calls).toBe(0)
    expect(await get({ id: 3 })).toEqual({ id: 3 })
    expect(await get(null)).toBeNull()
    expect(await store.has('org:3')).toBe(true)
  })

  it('names the part of a deeper path that is a primitive', async () => {
    const { cache } = setup()
    const get = cache({ key: 'org:{0.org.id}' })(byUser)
    await expect(get({ org: 5 })).rejects.toThrow(/"org" is a number \(5\)/)
    expect(get.key({ org: { id: 1 } })).toBe('org:1')
    expect(get.key({})).toBe('org:')
  })

  it('in cache.put, cache.evict, once and pooled', async () => {
    const { cache, once, pooled } = setup()
    await expect(cache.put({ key: 'u:{0.id}' })(byUser)(1)).rejects.toThrow(CacheKeyError)
    await expect(cache.evict({ key: 'u:{0.id}' })(byUser)(1)).rejects.toThrow(CacheKeyError)
    await expect(once({ key: 'u:{0.id}' })(byUser)(1)).rejects.toThrow(CacheKeyError)
    await expect(pooled({ key: 'u:{0.id}', maxSize: 1 })(byUser)(1)).rejects.toThrow(CacheKeyError)
  })
})

describe('a bare lock or pool template needs every argument it reads', () => {
  it("lock('report:{0}').acquire() without an argument throws instead of locking `report:`", async () => {
    const { lock, store } = setup()
    const reports = lock('report:{0}')
    // @ts-expect-error the template reads argument 0 (also a type error)
    await expect(reports.acquire()).rejects.toThrow(CacheKeyError)
    // @ts-expect-error as above
    await expect(reports.acquire()).rejects.toThrow(/needs argument 0, got no arguments/)
    await expect(reports.tryAcquire(undefined)).rejects.toThrow(/undefined at position 0/)
    // @ts-expect-error as above
    expect(() => reports.key()).toThrow(CacheKeyError)
    expect(await store.has('report:')).toBe(false)
    const held = await reports.acquire(2026)
    expect(reports.key(2026)).toBe('report:2026')
    await held.release()
  })

  it('pool({ key }) alike, and a template without placeholders needs nothing', async () => {
    const { pool, lock } = setup()
    // @ts-expect-error the template reads argument 0
    await expect(pool({ key: 'api:{0}', maxSize: 1 }).acquire()).rejects.toThrow(CacheKeyError)
    const held = await lock('nightly').acquire()
    await held.release()
  })

  it('refuses a named placeholder, which has no parameter list to resolve against', () => {
    const { lock } = setup()
    expect(() => lock('report:{year}')).toThrow(/use \{0\}-style indexes/)
  })
})

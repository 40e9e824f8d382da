import { describe, expectTypeOf, it } from 'vitest'
import { cache, createCache } from '../create-cache'
import { MemoryStore } from '../store/memory-store'
import type { CacheStore } from '../store/store'
import type { AsyncCachedFunction, CachedFunction } from './cached-function'

interface User {
  id: number
  name: string
}
declare const asyncStore: CacheStore
declare function loadUser(id: number, full?: boolean): Promise<User>

describe('cache() types', () => {
  it('keeps the parameters and the return type of an async function', () => {
    const getUser = cache({ ttl: 60, key: 'user:{0}' })(loadUser)
    expectTypeOf(getUser).parameters.toEqualTypeOf<[id: number, full?: boolean]>()
    expectTypeOf(getUser).returns.toEqualTypeOf<Promise<User>>()
    // @ts-expect-error the parameters are kept
    getUser('42')
  })

  it('gives the controls the same parameters', () => {
    const getUser = cache({ ttl: 60, key: 'user:{0}' })(loadUser)
    expectTypeOf(getUser.invalidate).parameters.toEqualTypeOf<[id: number, full?: boolean]>()
    expectTypeOf(getUser.invalidate).returns.toEqualTypeOf<Promise<boolean>>()
    expectTypeOf(getUser.key).parameters.toEqualTypeOf<[id: number, full?: boolean]>()
    expectTypeOf(getUser.key).returns.toEqualTypeOf<string>()
    expectTypeOf(getUser.peek).returns.toEqualTypeOf<Promise<User | undefined>>()
    expectTypeOf(getUser.refresh).returns.toEqualTypeOf<Promise<User>>()
    expectTypeOf(getUser.store).toEqualTypeOf<CacheStore>()
    // @ts-expect-error invalidate takes the function's parameters
    getUser.invalidate('42')
  })

  it('keeps a synchronous function synchronous over a synchronous store', () => {
    const square = cache({ ttl: 60, key: 'sq:{0}' })((x: number) => x * x)
    expectTypeOf(square).returns.toEqualTypeOf<number>()
    expectTypeOf(square.peek).returns.toEqualTypeOf<number | undefined>()
    const overMemory = cache({ ttl: 60, store: new MemoryStore({ maxEntries: 10 }) })((x: number) => `${x}`)
    expectTypeOf(overMemory).returns.toEqualTypeOf<string>()
  })

  it('returns Promise<R> for a synchronous function over an async store', () => {
    const square = cache({ ttl: 60, key: 'sq:{0}', store: asyncStore })((x: number) => x * x)
    expectTypeOf(square).returns.toEqualTypeOf<Promise<number>>()
    expectTypeOf(square.peek).returns.toEqualTypeOf<Promise<number | undefined>>()
    const factory = cache({ ttl: 60, store: () => asyncStore })((x: number) => x)
    expectTypeOf(factory).returns.toEqualTypeOf<Promise<number>>()
  })

  it("returns Promise<R> with singleFlight: 'cluster'", () => {
    const square = cache({ ttl: 60, singleFlight: 'cluster' })((x: number) => x * x)
    expectTypeOf(square).returns.toEqualTypeOf<Promise<number>>()
  })

  it("follows the instance's store", () => {
    const remote = createCache({ store: asyncStore, prefix: 'app', ttl: 60 })
    expectTypeOf(remote.cache({ key: 'k' })((x: number) => x)).returns.toEqualTypeOf<Promise<number>>()
    const local = createCache({ ttl: 60 })
    expectTypeOf(local.cache({ key: 'k' })((x: number) => x)).returns.toEqualTypeOf<number>()
    const memory = createCache({ store: new MemoryStore({ maxEntries: 10 }) })
    expectTypeOf(memory.cache({ ttl: 1 })((x: number) => x)).returns.toEqualTypeOf<number>()
  })

  it('types the write-side decorators like the function', () => {
    const save = cache.put({ ttl: 60, key: 'user:{0.id}', store: asyncStore })(async (user: User) => user)
    expectTypeOf(save).parameters.toEqualTypeOf<[user: User]>()
    expectTypeOf(save).returns.toEqualTypeOf<Promise<User>>()
    const remove = cache.evict({ key: 'user:{0}', store: asyncStore })((id: number) => id > 0)
    expectTypeOf(remove).returns.toEqualTypeOf<Promise<boolean>>()
  })

  it('checks decorated methods', () => {
    class Users {
      @cache({ ttl: 60, key: 'user:{id}' })
      async byId(id: number): Promise<User> {
        return { id, name: 'n' }
      }

      @cache({ ttl: 60, key: 'sq:{0}' })
      square(x: number): number {
        return x * x
      }

      // @ts-expect-error a synchronous method cannot become async through a decorator
      @cache({ ttl: 60, key: 'sq:{0}', store: asyncStore })
      remoteSquare(x: number): number {
        return x * x
      }
    }
    expectTypeOf(new Users().byId).returns.toEqualTypeOf<Promise<User>>()
  })
})

describe('cached function types read as what they are (hover)', () => {
  it('is CachedFunction<F> over a synchronous store and AsyncCachedFunction<F> over an async one', () => {
    const square = (x: number) => x * x
    expectTypeOf(cache({ ttl: 60, key: 'sq:{0}' })(square)).toEqualTypeOf<CachedFunction<typeof square>>()
    expectTypeOf(cache({ ttl: 60, key: 'sq:{0}', store: asyncStore })(square)).toEqualTypeOf<
      AsyncCachedFunction<typeof square>
    >()
  })
})

describe('storeFromUrl types', () => {
  it('types a memory:// literal as a MemoryStore, other URLs as CacheStore', async () => {
    const { storeFromUrl } = await import('../store-from-url')
    expectTypeOf(storeFromUrl('memory://?maxEntries=10')).toEqualTypeOf<Promise<MemoryStore>>()
    expectTypeOf(storeFromUrl('redis://127.0.0.1:6379')).toEqualTypeOf<Promise<CacheStore>>()
  })
})

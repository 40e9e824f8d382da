import { describe, expectTypeOf, it } from 'vitest'
import { cache, createCache } from '../create-cache'

interface User {
  id: number
  name: string
}
declare function loadUser(id: number, full?: boolean): Promise<User>

describe('key-value types', () => {
  const c = createCache({ ttl: 60 })

  it('getOrSet infers T from the factory, sync or async', () => {
    expectTypeOf(c.getOrSet('user:1', () => loadUser(1))).toEqualTypeOf<Promise<User>>()
    expectTypeOf(c.getOrSet('n', () => 42)).toEqualTypeOf<Promise<number>>()
    // the options' functions receive the value
    c.getOrSet('token', async () => ({ expiresIn: 60 }), {
      ttl: (token) => token.expiresIn,
      cacheIf: (token) => token.expiresIn > 0,
    })
    // @ts-expect-error the value has no such property
    c.getOrSet('token', async () => ({ expiresIn: 60 }), { ttl: (token) => token.nope })
  })

  it('get, getMany and set are typed by their parameter', () => {
    expectTypeOf(c.get<User>('user:1')).toEqualTypeOf<Promise<User | undefined>>()
    expectTypeOf(c.get('user:1')).toEqualTypeOf<Promise<unknown>>()
    expectTypeOf(c.getMany<User>(['a', 'b'])).toEqualTypeOf<Promise<(User | undefined)[]>>()
    c.set('user:1', { id: 1, name: 'a' }, { ttl: (user) => (user.id > 0 ? 60 : 1), tags: ['users'] })
    // @ts-expect-error tags are a list
    c.set('user:1', 1, { tags: 'users' })
    expectTypeOf(c.invalidateTags).parameters.toEqualTypeOf<[tags: readonly string[]]>()
  })
})

describe('wrapper option functions are typed from the wrapped function', () => {
  it('rejects key, tags, cacheIf and ttl functions that do not fit', () => {
    // Unannotated parameters are `unknown` until checked: a typo does not compile.
    // @ts-expect-error `id` is unknown in the options
    cache({ ttl: 60, key: (id) => id.does.not.exist })
    // Annotated ones must fit the function.
    cache({ ttl: 60, key: (id: number) => `user:${id}` })(loadUser)
    // @ts-expect-error the key function takes a string, the function a number
    cache({ ttl: 60, key: (id: string) => id })(loadUser)
    // @ts-expect-error tags must fit the parameters too
    cache({ ttl: 60, tags: (id: string, full: string) => [id, full] })(loadUser)
    cache({ ttl: 60, cacheIf: (user: User) => user.id > 0 })(loadUser)
    // @ts-expect-error cacheIf receives the awaited return value
    cache({ ttl: 60, cacheIf: (user: string) => user.length > 0 })(loadUser)
    cache({ ttl: (user: User) => (user.id > 0 ? 60 : 1) })(loadUser)
    // @ts-expect-error ttl receives the awaited return value
    cache({ ttl: (count: number) => count })(loadUser)
  })

  it('evict and put check their key functions the same way', () => {
    cache.put({ ttl: 60, key: (user: User) => `user:${user.id}` })(async (user: User) => user)
    // @ts-expect-error put's key function must fit
    cache.put({ ttl: 60, key: (id: number) => `user:${id}` })(async (user: User) => user)
    cache.evict({ key: [(id: number) => `user:${id}`, 'users'] })(async (id: number) => id)
    // @ts-expect-error evict's key function must fit
    cache.evict({ key: (id: string) => id })(async (id: number) => id)
  })
})

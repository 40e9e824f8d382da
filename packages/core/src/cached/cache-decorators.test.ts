import { describe, expect, it } from 'vitest'
import { createCache } from '../create-cache'
import { CacheConfigError, CacheKeyError } from '../errors'
import { ManualClock } from '../testing/manual-clock'
import type { CachedFunction } from './cached-function'

// This file is compiled with TC39 decorators (the TypeScript 5 default); its twin
// `cache-decorators.legacy.test.ts` is compiled with `experimentalDecorators`.

let decoratorArity = 0
function probe(...args: unknown[]): void {
  decoratorArity = args.length
}

describe('cache() as a TC39 method decorator', () => {
  it('is compiled as a TC39 decorator (value, context)', () => {
    class Probe {
      @probe
      method() {}
    }
    expect(new Probe()).toBeInstanceOf(Probe)
    expect(decoratorArity).toBe(2)
  })

  it('caches by named parameter, keeps this, and shares entries across instances', async () => {
    const { cache } = createCache({ clock: new ManualClock() })
    const calls: string[] = []
    class Users {
      constructor(readonly tenant: string) {}

      @cache({ ttl: '5m', key: 'user:{id}' })
      async byId(id: string) {
        calls.push(`${this.tenant}:${id}`)
        return { id, loadedBy: this.tenant }
      }
    }
    const a = new Users('a')
    const b = new Users('b')
    expect(await a.byId('1')).toEqual({ id: '1', loadedBy: 'a' })
    expect(await b.byId('1')).toEqual({ id: '1', loadedBy: 'a' })
    expect(calls).toEqual(['a:1'])
    const controls = Users.prototype.byId as unknown as CachedFunction<(id: string) => Promise<unknown>>
    expect(controls.key('1')).toBe('user:1')
    await controls.invalidate('1')
    await b.byId('1')
    expect(calls).toEqual(['a:1', 'b:1'])
  })

  it('calls a key function with the method’s this', async () => {
    const { cache } = createCache({ clock: new ManualClock() })
    class Repo {
      constructor(readonly tenant: string) {}

      @cache({
        ttl: 60,
        key(this: Repo, id: number) {
          return `${this.tenant}:${id}`
        },
      })
      async find(id: number) {
        return `${this.tenant}/${id}`
      }
    }
    expect(await new Repo('t1').find(1)).toBe('t1/1')
    expect(await new Repo('t2').find(1)).toBe('t2/1')
  })

  it('keeps synchronous methods synchronous over a synchronous store', () => {
    const { cache } = createCache({ clock: new ManualClock() })
    let calls = 0
    class Maths {
      @cache({ ttl: 60, key: 'sq:{x}' })
      square(x: number) {
        calls++
        return x * x
      }
    }
    const maths = new Maths()
    expect(maths.square(3)).toBe(9)
    expect(maths.square(3)).toBe(9)
    expect(calls).toBe(1)
  })

  it('decorates write-side methods with cache.put and cache.evict', async () => {
    const clock = new ManualClock()
    const { cache } = createCache({ clock })
    const { MemoryStore } = await import('../store/memory-store')
    const store = new MemoryStore({ clock, maxEntries: 100 })
    const db = new Map<string, string>([['1', 'Ada']])
    class Users {
      @cache({ ttl: 60, key: 'user:{id}', store })
      async name(id: string) {
        return db.get(id)
      }

      @cache.put({ ttl: 60, key: 'user:{id}', store })
      async rename(id: string, name: string) {
        db.set(id, name)
        return name
      }

      @cache.evict({ key: 'user:{id}', store })
      async remove(id: string) {
        db.delete(id)
      }
    }
    const users = new Users()
    expect(await users.name('1')).toBe('Ada')
    await users.rename('1', 'Grace')
    expect(await users.name('1')).toBe('Grace')
    await users.remove('1')
    expect(await users.name('1')).toBeUndefined()
  })

  it('throws at class definition for an unresolvable placeholder', () => {
    const { cache } = createCache({ clock: new ManualClock() })
    expect(() => {
      class Broken {
        @cache({ ttl: 60, key: 'user:{userId}' })
        async byId(id: string) {
          return id
        }
      }
      return Broken
    }).toThrow(CacheKeyError)
  })

  it('refuses to decorate something other than a method', () => {
    const { cache } = createCache({ clock: new ManualClock() })
    const decorate = cache({ ttl: 60, key: 'k' }) as unknown as (value: unknown, context: unknown) => unknown
    expect(() => decorate(undefined, { kind: 'field', name: 'x' })).toThrow(CacheConfigError)
  })
})

import { describe, expect, it } from 'vitest'
import { createCache } from '../create-cache'
import { CacheKeyError } from '../errors'
import { MemoryStore } from '../store/memory-store'
import { ManualClock } from '../testing/manual-clock'

// Compiled with `experimentalDecorators` (NestJS style) by the legacy-decorators transform in
// vitest.config.ts; its twin `cache-decorators.test.ts` covers TC39 decorators.

let decoratorArity = 0
function probe(...args: unknown[]): void {
  decoratorArity = args.length
}

describe('cache() as a legacy (experimentalDecorators) method decorator', () => {
  it('is compiled as a legacy decorator (target, propertyKey, descriptor)', () => {
    class Probe {
      @probe
      method() {}
    }
    expect(new Probe()).toBeInstanceOf(Probe)
    expect(decoratorArity).toBe(3)
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
    expect(await new Users('a').byId('1')).toEqual({ id: '1', loadedBy: 'a' })
    expect(await new Users('b').byId('1')).toEqual({ id: '1', loadedBy: 'a' })
    expect(calls).toEqual(['a:1'])
  })

  it('keeps synchronous methods synchronous, static methods included', () => {
    const { cache } = createCache({ clock: new ManualClock() })
    let calls = 0
    class Maths {
      readonly unit = 1

      @cache({ ttl: 60, key: 'sq:{0}' })
      static square(x: number) {
        calls++
        return x * x
      }

      @cache({ ttl: 60, key: 'cube:{0}' })
      cube(x: number) {
        calls++
        return x * x * x * this.unit
      }
    }
    expect(Maths.square(4)).toBe(16)
    expect(Maths.square(4)).toBe(16)
    expect(new Maths().cube(2)).toBe(8)
    expect(new Maths().cube(2)).toBe(8)
    expect(calls).toBe(2)
  })

  it('decorates write-side methods; nothing is evicted when the method throws', async () => {
    const clock = new ManualClock()
    const { cache } = createCache({ clock })
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
      async remove(id: string, fail = false) {
        if (fail) throw new Error('refused')
        db.delete(id)
      }
    }
    const users = new Users()
    expect(await users.name('1')).toBe('Ada')
    await users.rename('1', 'Grace')
    expect(await users.name('1')).toBe('Grace')
    await expect(users.remove('1', true)).rejects.toThrow('refused')
    expect(await store.has('user:1')).toBe(true)
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
})

import {
  CacheConfigError,
  type CacheEntry,
  CacheStoreError,
  canTryGetSync,
  type InvalidationMessage,
  isCoordinationStore,
  isSyncStore,
  MemoryBus,
  MemoryStore,
} from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { describe, expect, it, vi } from 'vitest'
import { FaultyStore } from '../test/support/faulty-store'
import { ChainStore } from './chain-store'

const unbounded = (clock: ManualClock) => new MemoryStore({ clock, maxEntries: Number.POSITIVE_INFINITY })

function entryAt<T>(value: T, now: number, freshMs: number, staleMs = 0): CacheEntry<T> {
  return { value, createdAt: now, freshUntil: now + freshMs, staleUntil: now + freshMs + staleMs }
}

describe('ChainStore', () => {
  describe('configuration', () => {
    it('rejects an empty or missing tier list, naming the option', () => {
      expect(() => new ChainStore([])).toThrow(CacheConfigError)
      expect(() => new ChainStore([])).toThrow(/tiers/)
      expect(() => new ChainStore(undefined as never)).toThrow(/tiers/)
    })

    it('rejects a tier that is not a store or repeats an earlier one', () => {
      expect(() => new ChainStore([{ store: {} as never }])).toThrow(/tiers\[0\]\.store.*get\(\)/)
      const store = new MemoryStore({ maxEntries: 10 })
      expect(() => new ChainStore([{ store }, { store }])).toThrow(/tiers\[1\]\.store/)
    })

    it('rejects a zero, negative or unparsable tier ttl', () => {
      const store = () => new MemoryStore({ maxEntries: 10 })
      expect(() => new ChainStore([{ store: store(), ttl: 0 }])).toThrow(/tiers\[0\]\.ttl/)
      expect(() => new ChainStore([{ store: store() }, { store: store(), ttl: -1 }])).toThrow(
        /tiers\[1\]\.ttl/,
      )
      expect(() => new ChainStore([{ store: store(), ttl: '5 minutes' as never }])).toThrow(CacheConfigError)
    })

    it('rejects invalid options, naming them', () => {
      const tiers = () => [{ store: new MemoryStore({ maxEntries: 10 }) }]
      expect(() => new ChainStore(tiers(), { name: '' })).toThrow(/`name`/)
      expect(() => new ChainStore(tiers(), { namespace: '' })).toThrow(/`namespace`/)
      expect(() => new ChainStore(tiers(), { bus: {} as never })).toThrow(/`bus`/)
      expect(() => new ChainStore(tiers(), { onError: 'log' as never })).toThrow(/`onError`/)
      expect(() => new ChainStore(tiers(), { clock: {} as never })).toThrow(/`clock`/)
      expect(() => new ChainStore(tiers(), { closeTiers: 'yes' as never })).toThrow(/`closeTiers`/)
    })

    it('names itself "chain" and uses the name as bus namespace unless told otherwise', () => {
      const chain = new ChainStore([{ store: new MemoryStore({ maxEntries: 10 }) }])
      expect(chain.name).toBe('chain')
      expect(chain.namespace).toBe('chain')
      expect(
        new ChainStore([{ store: new MemoryStore({ maxEntries: 10 }) }], { name: 'users' }).namespace,
      ).toBe('users')
    })
  })

  describe('promotion', () => {
    it('promotes a lower-tier hit into the tier above, cut to that tier ttl, and returns the entry itself', async () => {
      const clock = new ManualClock()
      const l1 = unbounded(clock)
      const l2 = unbounded(clock)
      const chain = new ChainStore([{ store: l1, ttl: 10 }, { store: l2 }], { clock })
      const now = clock.now()
      const entry = entryAt('v', now, 60_000, 60_000)
      await l2.set('k', entry)

      expect(await chain.get('k')).toEqual(entry)
      expect(l1.getSync('k')).toEqual({ ...entry, freshUntil: now + 10_000, staleUntil: now + 10_000 })

      await clock.advance(9_999)
      expect(l1.getSync('k')).toBeDefined()
      await clock.advance(1)
      expect(l1.getSync('k')).toBeUndefined()
      // The next read promotes again, with a new cap.
      expect(await chain.get('k')).toEqual(entry)
      expect(l1.getSync('k')?.staleUntil).toBe(now + 20_000)
    })

    it('never extends an entry: a copy of an entry dying within the cap keeps its own times', async () => {
      const clock = new ManualClock()
      const l1 = unbounded(clock)
      const l2 = unbounded(clock)
      const chain = new ChainStore([{ store: l1, ttl: '1h' }, { store: l2 }], { clock })
      const entry = entryAt('v', clock.now(), 1_000, 2_000)
      await l2.set('k', entry)
      await chain.get('k')
      expect(l1.getSync('k')).toEqual(entry)
    })

    it('keeps the stale window of a copy whose freshness ends before the cap', async () => {
      const clock = new ManualClock()
      const l1 = unbounded(clock)
      const l2 = unbounded(clock)
      const chain = new ChainStore([{ store: l1, ttl: 10 }, { store: l2 }], { clock })
      const now = clock.now()
      await l2.set('k', entryAt('v', now, 5_000, 60_000))
      await chain.get('k')
      expect(l1.getSync('k')).toMatchObject({ freshUntil: now + 5_000, staleUntil: now + 10_000 })
    })

    it('promotes a third-tier hit into both tiers above, each with its own cap', async () => {
      const clock = new ManualClock()
      const [l1, l2, l3] = [unbounded(clock), unbounded(clock), unbounded(clock)]
      const chain = new ChainStore(
        [
          { store: l1, ttl: '1m' },
          { store: l2, ttl: '1h' },
          { store: l3, ttl: '1d' },
        ],
        { clock },
      )
      const now = clock.now()
      await l3.set('k', entryAt('v', now, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY))
      expect((await chain.get('k'))?.value).toBe('v')
      expect(l1.getSync('k')?.staleUntil).toBe(now + 60_000)
      expect(l2.getSync('k')?.staleUntil).toBe(now + 3_600_000)
    })

    it('answers a first-tier hit without asking the lower tiers', async () => {
      const clock = new ManualClock()
      const l2 = new FaultyStore(clock)
      const chain = new ChainStore([{ store: unbounded(clock) }, { store: l2 }], { clock })
      await chain.set('k', entryAt('v', clock.now(), 1_000))
      for (let i = 0; i < 3; i++) expect((await chain.get('k'))?.value).toBe('v')
      expect(l2.calls.get('get')).toBeUndefined()
    })

    it('getMany asks each tier once for the keys still missing, keeps the order and promotes', async () => {
      const clock = new ManualClock()
      const l1 = new FaultyStore(clock, 'l1')
      const l2 = new FaultyStore(clock, 'l2')
      const l3 = new FaultyStore(clock, 'l3')
      const chain = new ChainStore([{ store: l1 }, { store: l2, ttl: 10 }, { store: l3 }], { clock })
      const now = clock.now()
      const a = entryAt('a', now, 60_000)
      const b = entryAt('b', now, 60_000)
      const c = entryAt('c', now, 60_000)
      await l1.inner.set('a', a)
      await l2.inner.set('b', b)
      await l3.inner.set('c', c)

      expect(await chain.getMany(['c', 'missing', 'a', 'b'])).toEqual([c, undefined, a, b])
      expect([l1.calls.get('getMany'), l2.calls.get('getMany'), l3.calls.get('getMany')]).toEqual([1, 1, 1])
      expect(l1.inner.getSync('b')).toEqual(b)
      expect(l1.inner.getSync('c')).toEqual(c)
      expect(l2.inner.getSync('c')).toEqual({ ...c, freshUntil: now + 10_000, staleUntil: now + 10_000 })
      expect(l2.inner.getSync('a')).toBeUndefined()
    })

    it('has() looks through the tiers without promoting', async () => {
      const clock = new ManualClock()
      const l1 = unbounded(clock)
      const l2 = unbounded(clock)
      const chain = new ChainStore([{ store: l1 }, { store: l2 }], { clock })
      await l2.set('k', entryAt('v', clock.now(), 1_000))
      expect(await chain.has('k')).toBe(true)
      expect(await chain.has('other')).toBe(false)
      expect(l1.getSync('k')).toBeUndefined()
    })
  })

  describe('writes and deletes', () => {
    it('set and setMany write through to every tier, each copy cut to its ttl', async () => {
      const clock = new ManualClock()
      const l1 = unbounded(clock)
      const l2 = unbounded(clock)
      const chain = new ChainStore([{ store: l1, ttl: 5 }, { store: l2 }], { clock })
      const now = clock.now()
      const entry = entryAt('v', now, 60_000)
      await chain.set('k', entry)
      await chain.setMany([
        ['x', entry],
        ['y', entry],
      ])
      for (const key of ['k', 'x', 'y']) {
        expect(l2.getSync(key)).toEqual(entry)
        expect(l1.getSync(key)).toEqual({ ...entry, freshUntil: now + 5_000, staleUntil: now + 5_000 })
      }
    })

    it('delete, deleteMany, deleteMatching and clear reach every tier', async () => {
      const clock = new ManualClock()
      const l1 = unbounded(clock)
      const l2 = unbounded(clock)
      const chain = new ChainStore([{ store: l1 }, { store: l2 }], { clock })
      const entry = entryAt('v', clock.now(), 60_000)
      await chain.setMany(
        ['a', 'b', 'c', 'user:1', 'user:2', 'z'].map((key): [string, CacheEntry] => [key, entry]),
      )
      await l2.set('only-below', entry)

      expect(await chain.delete('a')).toBe(true)
      expect(await chain.delete('a')).toBe(false)
      expect(await chain.delete('only-below')).toBe(true)
      expect(await chain.deleteMany(['b', 'c', 'nope'])).toBe(2)
      expect(await chain.deleteMatching('user:*')).toBe(2)
      for (const key of ['a', 'b', 'c', 'user:1', 'user:2', 'only-below']) {
        expect([l1.getSync(key), l2.getSync(key)]).toEqual([undefined, undefined])
      }
      await chain.clear()
      expect([l1.size, l2.size]).toEqual([0, 0])
    })

    it('setIfAbsent is decided by the last tier, then fills the upper tiers', async () => {
      const clock = new ManualClock()
      const l1 = unbounded(clock)
      const l2 = unbounded(clock)
      const chain = new ChainStore([{ store: l1, ttl: 5 }, { store: l2 }], { clock })
      const now = clock.now()
      const held = entryAt('held', now, 60_000)
      const mine = entryAt('mine', now, 60_000)

      await l2.set('taken', held)
      expect(await chain.setIfAbsent('taken', mine)).toBe(false)
      expect(l1.getSync('taken')).toBeUndefined()

      // A copy only in the upper tier does not decide: the last tier has nothing, so it writes.
      await l1.set('free', held)
      expect(await chain.setIfAbsent('free', mine)).toBe(true)
      expect(l2.getSync('free')).toEqual(mine)
      expect(l1.getSync('free')).toEqual({ ...mine, freshUntil: now + 5_000, staleUntil: now + 5_000 })
    })

    it('a read overtaken by a write does not promote the older value it found', async () => {
      const clock = new ManualClock()
      const l1 = unbounded(clock)
      const l2 = new FaultyStore(clock)
      const chain = new ChainStore([{ store: l1 }, { store: l2 }], { clock })
      const now = clock.now()
      await l2.inner.set('k', entryAt('old', now, 60_000))

      const release = l2.pause('get')
      const reading = chain.get('k')
      await chain.set('k', entryAt('new', now, 60_000))
      release()

      expect((await reading)?.value).toBe('old')
      expect(l1.getSync('k')?.value).toBe('new')
      expect((await chain.get('k'))?.value).toBe('new')
    })

    it('a read overtaken by a delete does not bring the deleted value back', async () => {
      const clock = new ManualClock()
      const l1 = unbounded(clock)
      const l2 = new FaultyStore(clock)
      const chain = new ChainStore([{ store: l1 }, { store: l2 }], { clock })
      await l2.inner.set('a', entryAt('a', clock.now(), 60_000))
      await l2.inner.set('b', entryAt('b', clock.now(), 60_000))

      const releaseGet = l2.pause('get')
      const releaseGetMany = l2.pause('getMany')
      const reading = chain.get('a')
      const readingMany = chain.getMany(['a', 'b'])
      await chain.delete('a')
      releaseGet()
      releaseGetMany()
      await reading
      await readingMany

      expect(l1.getSync('a')).toBeUndefined()
      expect(l1.getSync('b')?.value).toBe('b')
      expect(await chain.get('a')).toBeUndefined()
    })
  })

  describe('tier failures', () => {
    function setup(options: { upperFails?: boolean; lastFails?: boolean } = {}) {
      const clock = new ManualClock()
      const l1 = new FaultyStore(clock, 'l1')
      const l2 = new FaultyStore(clock, 'l2')
      const onError = vi.fn()
      const chain = new ChainStore([{ store: l1 }, { store: l2 }], { clock, onError })
      const entry = entryAt('v', clock.now(), 60_000)
      if (options.upperFails) l1.down(true)
      if (options.lastFails) l2.down(true)
      return { clock, l1, l2, onError, chain, entry }
    }

    const reported = (onError: ReturnType<typeof vi.fn>) =>
      onError.mock.calls.map(([error]) => {
        expect(error).toBeInstanceOf(CacheStoreError)
        return `${(error as CacheStoreError).operation}: ${(error as Error).message}`
      })

    it('a failing upper tier is skipped and reported: reads come from below, writes still land below', async () => {
      const { l2, onError, chain, entry } = setup({ upperFails: true })
      await chain.set('k', entry)
      expect(l2.inner.getSync('k')).toEqual(entry)
      expect(await chain.get('k')).toEqual(entry)
      expect(await chain.getMany(['k', 'x'])).toEqual([entry, undefined])
      expect(await chain.has('k')).toBe(true)
      expect(await chain.delete('k')).toBe(true)
      expect(l2.inner.getSync('k')).toBeUndefined()
      const messages = reported(onError)
      expect(messages[0]).toMatch(
        /^set: ChainStore "chain": tier 1 of 2 \("l1"\) failed on set, skipped: l1 set exploded/,
      )
      expect(messages.some((message) => message.startsWith('get:'))).toBe(true)
      expect(messages.some((message) => message.startsWith('promote:'))).toBe(true)
      expect(messages.some((message) => message.startsWith('delete:'))).toBe(true)
    })

    it('a failing last tier is a reported miss for reads, and writes keep the upper copy', async () => {
      const { l1, onError, chain, entry } = setup({ lastFails: true })
      expect(await chain.get('k')).toBeUndefined()
      expect(await chain.has('k')).toBe(false)
      expect(await chain.getMany(['k'])).toEqual([undefined])
      await chain.set('k', entry)
      expect(l1.inner.getSync('k')).toEqual(entry)
      expect(await chain.get('k')).toEqual(entry)
      expect(reported(onError).map((message) => message.split(':')[0])).toEqual([
        'get',
        'has',
        'getMany',
        'set',
      ])
    })

    it('rejects with the last tier error when every tier failed, reporting the others', async () => {
      const { onError, chain, entry } = setup({ upperFails: true, lastFails: true })
      await expect(chain.get('k')).rejects.toThrow('l2 get exploded')
      await expect(chain.has('k')).rejects.toThrow('l2 has exploded')
      await expect(chain.getMany(['k'])).rejects.toThrow('l2 getMany exploded')
      await expect(chain.set('k', entry)).rejects.toThrow('l2 set exploded')
      await expect(chain.setMany([['k', entry]])).rejects.toThrow('l2 setMany exploded')
      expect(reported(onError).map((message) => /skipped: (.*) exploded/.exec(message)?.[1])).toEqual([
        'l1 get',
        'l1 has',
        'l1 getMany',
        'l1 set',
        'l1 setMany',
      ])
    })

    it('a delete or clear that failed in the last tier rejects (after the upper tiers dropped their copies)', async () => {
      const { l1, l2, chain, entry } = setup()
      await chain.set('k', entry)
      l2.down(true)
      await expect(chain.delete('k')).rejects.toThrow('l2 delete exploded')
      expect(l1.inner.getSync('k')).toBeUndefined()
      await expect(chain.deleteMany(['k'])).rejects.toThrow('l2 deleteMany exploded')
      await expect(chain.deleteMatching('*')).rejects.toThrow('l2 deleteMatching exploded')
      await expect(chain.clear()).rejects.toThrow('l2 clear exploded')
    })

    it('clear and deleteMatching are all or error: a failing upper tier rejects too, after every other tier ran', async () => {
      const { l1, l2, chain, entry } = setup()
      await chain.set('k', entry)
      l1.down(true)
      await expect(chain.clear()).rejects.toThrow('l1 clear exploded')
      expect(await l2.inner.has('k')).toBe(false)
      await expect(chain.deleteMatching('*')).rejects.toThrow('l1 deleteMatching exploded')
    })

    it('setIfAbsent rejects when the last tier fails, and writes nothing above', async () => {
      const { l1, chain, entry } = setup({ lastFails: true })
      await expect(chain.setIfAbsent('k', entry)).rejects.toThrow('l2 setIfAbsent exploded')
      expect(l1.inner.getSync('k')).toBeUndefined()
    })

    it('works again, without a restart, once the tier is back', async () => {
      const { l2, chain, entry } = setup({ lastFails: true })
      await chain.set('k', entry)
      l2.down(false)
      await chain.set('k', entry)
      expect(l2.inner.getSync('k')).toEqual(entry)
    })

    it('a throwing onError does not break the chain', async () => {
      const clock = new ManualClock()
      const l1 = new FaultyStore(clock)
      l1.down(true)
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      const chain = new ChainStore([{ store: l1 }, { store: unbounded(clock) }], {
        onError: () => {
          throw new Error('handler broke')
        },
      })
      await chain.set('k', entryAt('v', clock.now(), 1_000))
      expect(warn).toHaveBeenCalled()
      warn.mockRestore()
    })
  })

  it('offers coordination primitives only when its last tier has them', () => {
    const clock = new ManualClock()
    expect(
      isCoordinationStore(new ChainStore([{ store: unbounded(clock) }, { store: unbounded(clock) }])),
    ).toBe(false)
  })

  describe('synchronous twins', () => {
    it('are offered only when every tier is synchronous', () => {
      const clock = new ManualClock()
      expect(isSyncStore(new ChainStore([{ store: unbounded(clock) }, { store: unbounded(clock) }]))).toBe(
        true,
      )
      expect(
        isSyncStore(new ChainStore([{ store: unbounded(clock) }, { store: new FaultyStore(clock) }])),
      ).toBe(false)
    })

    it('tryGetSync is offered when only the first tier is synchronous, and reads only that tier', async () => {
      const clock = new ManualClock()
      const lower = new FaultyStore(clock)
      const mixed = new ChainStore([{ store: unbounded(clock) }, { store: lower }])
      expect(canTryGetSync(mixed)).toBe(true)
      expect(canTryGetSync(new ChainStore([{ store: unbounded(clock) }, { store: unbounded(clock) }]))).toBe(
        false,
      )
      expect(canTryGetSync(new ChainStore([{ store: lower }, { store: unbounded(clock) }]))).toBe(false)
      if (!canTryGetSync(mixed)) throw new Error('expected tryGetSync')
      await lower.set('deep', entryAt('v', clock.now(), 60_000))
      expect(mixed.tryGetSync('deep')).toBeUndefined() // not in the first tier: ask get()
      expect((await mixed.get('deep'))?.value).toBe('v') // promoted
      expect(mixed.tryGetSync('deep')?.value).toBe('v')
    })

    it('getSync promotes with caps; setSync and deleteSync reach every tier', () => {
      const clock = new ManualClock()
      const l1 = unbounded(clock)
      const l2 = unbounded(clock)
      const chain = new ChainStore([{ store: l1, ttl: 5 }, { store: l2 }], { clock })
      if (!isSyncStore(chain)) throw new Error('expected sync twins')
      const now = clock.now()
      const entry = entryAt('v', now, 60_000)
      l2.setSync('k', entry)
      expect(chain.getSync('k')).toEqual(entry)
      expect(l1.getSync('k')?.staleUntil).toBe(now + 5_000)
      chain.setSync('j', entry)
      expect([l1.getSync('j')?.staleUntil, l2.getSync('j')]).toEqual([now + 5_000, entry])
      expect(chain.deleteSync('j')).toBe(true)
      expect([l1.getSync('j'), l2.getSync('j')]).toEqual([undefined, undefined])
      expect(chain.deleteSync('j')).toBe(false)
    })
  })

  describe('invalidation bus', () => {
    /** Two chains (two "processes"): each its own first tier, one shared last tier, one bus. */
    function twoChains(options: { namespaceB?: string } = {}) {
      const clock = new ManualClock()
      const bus = new MemoryBus()
      const shared = unbounded(clock)
      const l1a = unbounded(clock)
      const l1b = unbounded(clock)
      const a = new ChainStore([{ store: l1a }, { store: shared }], {
        clock,
        bus,
        namespace: 'users',
        closeTiers: false,
      })
      const b = new ChainStore([{ store: l1b }, { store: shared }], {
        clock,
        bus,
        namespace: options.namespaceB ?? 'users',
        closeTiers: false,
      })
      const entry = (value: string) => entryAt(value, clock.now(), 60_000)
      return { clock, bus, shared, l1a, l1b, a, b, entry }
    }

    it('gives each chain its own origin', () => {
      const { a, b } = twoChains()
      expect(a.origin).not.toBe(b.origin)
    })

    it('a write or delete through one chain drops the other chain first-tier copy', async () => {
      const { l1b, a, b, entry } = twoChains()
      await a.set('k', entry('v1'))
      expect((await b.get('k'))?.value).toBe('v1')
      expect(l1b.getSync('k')?.value).toBe('v1')

      await a.set('k', entry('v2'))
      expect(l1b.getSync('k')).toBeUndefined()
      expect((await b.get('k'))?.value).toBe('v2')

      await a.setMany([['k', entry('v3')]])
      expect((await b.get('k'))?.value).toBe('v3')

      await a.delete('k')
      expect(l1b.getSync('k')).toBeUndefined()
      expect(await b.get('k')).toBeUndefined()
    })

    it('a chain ignores its own messages: its first tier keeps what it just wrote', async () => {
      const { l1a, l1b, a, b, entry } = twoChains()
      await b.set('k', entry('b'))
      await a.set('k', entry('a'))
      expect(l1a.getSync('k')?.value).toBe('a')
      expect(l1b.getSync('k')).toBeUndefined()
    })

    it('clear, a pattern delete and a reconnect ("*") drop every first-tier copy of the other chain', async () => {
      const { bus, l1b, a, b, entry } = twoChains()
      const fill = async () => {
        await b.set('x', entry('x'))
        await b.set('y', entry('y'))
        expect(l1b.size).toBe(2)
      }
      await fill()
      await a.clear()
      expect(l1b.size).toBe(0)
      await fill()
      await a.deleteMatching('nothing-matches-*')
      expect(l1b.size).toBe(0)
      await fill()
      await bus.publish({ kind: 'clear', namespace: '*', origin: 'bus:reconnect' })
      expect(l1b.size).toBe(0)
    })

    it('ignores messages of another namespace', async () => {
      const { l1b, a, b, entry } = twoChains({ namespaceB: 'orders' })
      await b.set('k', entry('b'))
      await a.set('k', entry('a'))
      expect(l1b.getSync('k')?.value).toBe('b')
    })

    it('publishes { kind, keys, namespace, origin } after each write and delete', async () => {
      const { bus, a, entry } = twoChains()
      const seen: InvalidationMessage[] = []
      bus.subscribe((message) => seen.push(message), { origin: 'observer' })
      await a.set('k', entry('v'))
      await a.setMany([
        ['x', entry('x')],
        ['y', entry('y')],
      ])
      await a.setIfAbsent('new', entry('n'))
      await a.setIfAbsent('new', entry('n'))
      await a.delete('k')
      await a.deleteMany(['x', 'y'])
      await a.deleteMatching('*')
      await a.clear()
      const base = { namespace: 'users', origin: a.origin }
      expect(seen).toEqual([
        { ...base, kind: 'set', keys: ['k'] },
        { ...base, kind: 'set', keys: ['x', 'y'] },
        { ...base, kind: 'set', keys: ['new'] },
        { ...base, kind: 'delete', keys: ['k'] },
        { ...base, kind: 'delete', keys: ['x', 'y'] },
        { ...base, kind: 'clear' },
        { ...base, kind: 'clear' },
      ])
    })

    it('the synchronous twins publish too', async () => {
      const { l1b, a, b, entry } = twoChains()
      if (!isSyncStore(a)) throw new Error('expected sync twins')
      await b.set('k', entry('b'))
      a.setSync('k', entry('a'))
      await Promise.resolve()
      expect(l1b.getSync('k')).toBeUndefined()
    })

    it('a bus message overtaking a read stops its promotion', async () => {
      const clock = new ManualClock()
      const bus = new MemoryBus()
      const l1 = unbounded(clock)
      const l2 = new FaultyStore(clock)
      const chain = new ChainStore([{ store: l1 }, { store: l2 }], { clock, bus, namespace: 'n' })
      await l2.inner.set('k', entryAt('old', clock.now(), 60_000))
      const release = l2.pause('get')
      const reading = chain.get('k')
      await bus.publish({ kind: 'set', keys: ['k'], namespace: 'n', origin: 'another-process' })
      release()
      await reading
      expect(l1.getSync('k')).toBeUndefined()
    })

    it('drops copies from an asynchronous upper tier in the background; close() waits for them', async () => {
      const clock = new ManualClock()
      const bus = new MemoryBus()
      const l1 = new FaultyStore(clock)
      const chain = new ChainStore([{ store: l1 }, { store: unbounded(clock) }], {
        clock,
        bus,
        namespace: 'n',
      })
      await chain.set('k', entryAt('v', clock.now(), 60_000))
      const release = l1.pause('deleteMany')
      await bus.publish({ kind: 'delete', keys: ['k', 'j'], namespace: 'n', origin: 'another-process' })
      expect(l1.calls.get('deleteMany')).toBe(1)
      const closing = chain.close()
      let closed = false
      void closing.then(() => {
        closed = true
      })
      await Promise.resolve()
      expect(closed).toBe(false)
      release()
      await closing
      expect(l1.inner.getSync('k')).toBeUndefined()
    })

    it('a failed publish is reported and the write still resolves', async () => {
      const clock = new ManualClock()
      const onError = vi.fn()
      const bus = new MemoryBus()
      vi.spyOn(bus, 'publish').mockRejectedValue(new Error('bus down'))
      const chain = new ChainStore([{ store: unbounded(clock) }], { clock, bus, onError })
      await chain.set('k', entryAt('v', clock.now(), 1_000))
      expect(onError).toHaveBeenCalledOnce()
      const [error] = onError.mock.calls[0] ?? []
      expect(error).toBeInstanceOf(CacheStoreError)
      expect((error as CacheStoreError).operation).toBe('publish')
      expect((error as CacheStoreError).cause).toEqual(new Error('bus down'))
    })

    it('close() unsubscribes: a closed chain no longer reacts to messages', async () => {
      const { l1b, a, b, entry } = twoChains()
      await b.set('k', entry('b'))
      await b.close()
      await a.set('k', entry('a'))
      expect(l1b.getSync('k')?.value).toBe('b')
    })
  })

  describe('close', () => {
    it('closes every tier by default, once', async () => {
      const clock = new ManualClock()
      const l1 = new FaultyStore(clock)
      const l2 = new FaultyStore(clock)
      const chain = new ChainStore([{ store: l1 }, { store: l2 }])
      await chain.close()
      await chain.close()
      expect([l1.calls.get('close'), l2.calls.get('close')]).toEqual([1, 1])
    })

    it('leaves the tiers open with closeTiers: false', async () => {
      const clock = new ManualClock()
      const l1 = new FaultyStore(clock)
      await new ChainStore([{ store: l1 }], { closeTiers: false }).close()
      expect(l1.calls.get('close')).toBeUndefined()
    })

    it('closes the other tiers when one fails to close, then rejects with its error', async () => {
      const clock = new ManualClock()
      const l1 = new FaultyStore(clock, 'l1')
      const l2 = new FaultyStore(clock, 'l2')
      l1.failing.add('close')
      await expect(new ChainStore([{ store: l1 }, { store: l2 }]).close()).rejects.toThrow(
        'l1 close exploded',
      )
      expect(l2.calls.get('close')).toBe(1)
    })
  })
})

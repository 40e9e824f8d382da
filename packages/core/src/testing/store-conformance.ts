import { afterEach, describe, expect, it } from 'vitest'
import { CacheSerializationError } from '../errors'
import { entryState } from '../store/entry'
import { escapeGlob } from '../store/glob'
import { type CacheEntry, type CacheStore, isSyncStore } from '../store/store'
import { ManualClock } from './manual-clock'

/** What {@link StoreConformanceOptions.createStore} receives for each store the suite opens. */
export interface StoreConformanceContext {
  /**
   * The clock of the current test. With `expiry: 'clock'` the store must read time from it (the
   * suite moves it); with `expiry: 'backend'` it is never advanced and the store should use real time.
   */
  readonly clock: ManualClock
  /**
   * The namespace (key prefix, directory, bucket prefix…) the store must keep its keys in. Two
   * stores created with different namespaces on the same backend must not see, delete or clear
   * each other's keys. Namespaces are made of `[a-z0-9-]` only.
   */
  readonly namespace: string
}

/**
 * What a store can do, so that the suite leaves out only the groups it cannot support. Everything not
 * declared here is required of every store.
 *
 * @example
 * ```ts
 * const capabilities: StoreCapabilities = {
 *   expiry: 'backend',
 *   serializesValues: true,
 *   writeRawBytes: (store, key, bytes) => redis.set((store as RedisStore).redisKey(key), Buffer.from(bytes)),
 * }
 * ```
 */
export interface StoreCapabilities {
  /**
   * Who decides that an entry is dead.
   * - `'clock'`: the store compares entry times with the injected `clock`; the suite moves that
   *   clock and checks the boundaries to the millisecond (fresh at `freshUntil - 1`, stale at
   *   `freshUntil`, dead at `staleUntil`).
   * - `'backend'`: the backend expires keys itself in real time (e.g. Redis `PX`); the suite
   *   uses short real TTLs (at most 300 ms) and bounded waits.
   */
  expiry: 'clock' | 'backend'
  /**
   * For byte stores: writes `bytes` as the raw stored form of `key` in `store`'s namespace,
   * bypassing the entry codec, so the suite can check that undecodable bytes are a miss and are
   * then removed. Without it the corrupt-bytes group is left out.
   * @defaultValue undefined
   */
  writeRawBytes?: (store: CacheStore, key: string, bytes: Uint8Array) => Promise<void>
  /**
   * Whether the store serializes values (byte stores). When `true` the suite checks that a value
   * the serializer cannot encode (a function, a cyclic object) rejects `set` with a
   * `CacheSerializationError` naming the key, and that nothing is written.
   * @defaultValue false
   */
  serializesValues?: boolean
  /**
   * Whether values of 10 MiB round-trip. DESIGN section 3 requires it of every store; set
   * `false` only for a backend that truly cannot.
   * @defaultValue true
   */
  largeValues?: boolean
  /**
   * Whether `setIfAbsent` is atomic among concurrent callers (50 callers, exactly one `true`).
   * The protocol requires it; set `false` only for a backend without a conditional write.
   * @defaultValue true
   */
  setIfAbsentConcurrency?: boolean
  /**
   * Whether the store offers `getSync`/`setSync`/`deleteSync` ({@link SyncCacheStore}); when
   * `true` the suite checks they agree with the asynchronous methods.
   * @defaultValue false
   */
  sync?: boolean
}

/** Options of {@link describeStoreConformance}. */
export interface StoreConformanceOptions {
  /** Shown in the test names, e.g. `'MemoryStore'`. */
  name: string
  /**
   * Opens a store for one test. Called one or more times per test (a second call with another
   * namespace opens a sibling store on the same backend); the suite clears and closes every
   * store it opened after each test.
   */
  createStore: (context: StoreConformanceContext) => CacheStore | Promise<CacheStore>
  /** What the store can do; see {@link StoreCapabilities}. */
  capabilities: StoreCapabilities
}

/** Per-mode time: exact on a manual clock, real (short, bounded) for backend-owned expiry. */
interface Timing {
  /** How long test entries stay fresh, then stale, in ms (long with real time, so slow machines do not flake). */
  readonly freshMs: number
  readonly staleMs: number
  now(): number
  /** Moves time to at least `epochMs`. */
  until(epochMs: number): Promise<void>
}

/**
 * Registers a group only for stores that have the capability it tests: a group that does not
 * apply is absent from the run, not reported as skipped.
 */
function describeWhen(applies: boolean, name: string, body: () => void): void {
  if (applies) describe(name, body)
}

/** Registers a test only when it applies to the store under test (see {@link describeWhen}). */
function itWhen(applies: boolean, name: string, body: () => Promise<void>): void {
  if (applies) it(name, body)
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** How long a backend may take, past `staleUntil`, to stop returning an entry. */
const BACKEND_EXPIRY_GRACE_MS = 250
/** The short real lifetime of entries in the backend-expiry group (at most 300 ms in all). */
const BACKEND_SHORT_LIFETIME = { freshMs: 120, staleMs: 130 }

function timingFor(expiry: StoreCapabilities['expiry'], clock: ManualClock): Timing {
  if (expiry === 'clock') {
    return {
      freshMs: 1000,
      staleMs: 1000,
      now: () => clock.now(),
      until: (epochMs) => clock.setTime(epochMs),
    }
  }
  return {
    freshMs: 60_000,
    staleMs: 60_000,
    now: () => Date.now(),
    async until(epochMs) {
      while (Date.now() < epochMs) await sleep(Math.max(1, epochMs - Date.now()))
    },
  }
}

/** A deterministic pseudo-random string (compresses poorly, unlike a repeated character). */
function noiseString(length: number, seed = 42): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'
  const chunk: string[] = []
  let state = seed >>> 0
  for (let i = 0; i < Math.min(length, 65_536); i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    chunk.push(alphabet[state >>> 26] as string)
  }
  const block = chunk.join('')
  return block.repeat(Math.ceil(length / block.length)).slice(0, length)
}

/** Keys every store must keep distinct and intact (DESIGN section 3). */
const ODD_KEYS: readonly string[] = [
  'a:b:c',
  'a/b/c',
  'b',
  'a/../b',
  '../../etc/passwd',
  '..',
  '.',
  '/leading/slash',
  'trailing/',
  'back\\slash',
  '🔑🚀 emoji',
  'ключ',
  '日本語のキー',
  'é (precomposed)',
  'e\u0301 (combining)',
  'with space',
  'tab\tnew\nline',
  '%2F%2e%2e',
  'CON',
  'nul\u0000byte',
  'star*question?bracket[1]',
  `1KiB:${'k'.repeat(1019)}`,
  `1KiB-emoji:${'🔑'.repeat(253)}`,
  `10KiB:${noiseString(10 * 1024 - 7, 7)}`,
]

const CORRUPT_SAMPLES: readonly [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['one byte', Uint8Array.of(0xff)],
  ['zeros', new Uint8Array(64)],
  ['ascending bytes', Uint8Array.from({ length: 256 }, (_, i) => i)],
  ['plain JSON', new TextEncoder().encode('{"value":1,"createdAt":0,"freshUntil":1e300,"staleUntil":1e300}')],
]

/**
 * Registers the store conformance suite (DESIGN section 4) with vitest: TTL and stale
 * boundaries, dead entries, `getMany` order, `setIfAbsent` under concurrency, glob matching,
 * `clear` confined to the namespace, odd keys, large values and corrupt bytes. Groups a store
 * cannot support are declared in `capabilities` and left out of the run; everything else runs.
 *
 * Groups, and the capability that gates each (ungated groups always run):
 * - entries, batches, volume, setIfAbsent, deleteMatching (glob), odd keys, namespaces, close;
 * - setIfAbsent under concurrency: `setIfAbsentConcurrency !== false`;
 * - expiry on the injected clock (exact boundaries): `expiry: 'clock'`;
 * - expiry by the backend (short real TTLs, bounded waits): `expiry: 'backend'`;
 * - large values (10 MiB): `largeValues !== false`;
 * - corrupt bytes: `writeRawBytes` given;
 * - unserializable values: `serializesValues: true`;
 * - synchronous twins: `sync: true`.
 *
 * Each test opens its stores through `createStore` in a fresh namespace and the suite clears and
 * closes them afterwards, so the suite can share one backend (one Redis, one directory) across
 * tests and with other suites.
 *
 * @example
 * ```ts
 * import { describeStoreConformance } from '@stratacache/core/testing'
 *
 * describeStoreConformance({
 *   name: 'MemoryStore',
 *   createStore: ({ clock }) => new MemoryStore({ clock, maxEntries: 10_000 }),
 *   capabilities: { expiry: 'clock', sync: true },
 * })
 * ```
 */
export function describeStoreConformance(options: StoreConformanceOptions): void {
  const { name, createStore, capabilities } = options
  const runId = Math.random().toString(36).slice(2, 8)
  let namespaceSeq = 0
  let opened: CacheStore[] = []
  let clock = new ManualClock()
  let timing = timingFor(capabilities.expiry, clock)
  let namespace = ''

  /** Opens the test's store, or a sibling in another namespace of the same backend. */
  async function open(sibling = false): Promise<CacheStore> {
    if (!sibling && opened.length === 0) {
      clock = new ManualClock()
      timing = timingFor(capabilities.expiry, clock)
      namespace = `conformance-${runId}-${++namespaceSeq}`
    }
    const store = await createStore({ clock, namespace: sibling ? `${namespace}-sibling` : namespace })
    opened.push(store)
    return store
  }

  /** Closes `store` inside a test (so the cleanup does not touch it again). */
  async function closeInTest(store: CacheStore): Promise<void> {
    opened = opened.filter((candidate) => candidate !== store)
    await store.close()
  }

  /** An entry produced now: fresh for `freshMs`, then stale for `staleMs`. */
  function entry<T>(
    value: T,
    lifetime: { freshMs?: number; staleMs?: number; tags?: string[] } = {},
  ): CacheEntry<T> {
    const now = timing.now()
    const freshUntil = now + (lifetime.freshMs ?? timing.freshMs)
    const made: CacheEntry<T> = {
      value,
      createdAt: now,
      freshUntil,
      staleUntil: freshUntil + (lifetime.staleMs ?? timing.staleMs),
    }
    if (lifetime.tags) made.tags = lifetime.tags
    return made
  }

  const values = async (store: CacheStore, keys: string[]) =>
    (await store.getMany(keys)).map((found) => found?.value)

  describe(`${name}: store conformance`, () => {
    afterEach(async () => {
      const stores = opened
      opened = []
      for (const store of stores) {
        await store.clear()
        await store.close()
      }
    })

    describe('entries', () => {
      it('misses a key that was never set', async () => {
        const store = await open()
        expect(await store.get('missing')).toBeUndefined()
        expect(await store.has('missing')).toBe(false)
      })

      it('round-trips value, times and tags', async () => {
        const store = await open()
        const written = entry({ id: 1, name: 'Ada', roles: ['admin'] }, { tags: ['user', 'user:1'] })
        await store.set('user:1', written)
        const read = await store.get('user:1')
        expect(read).toEqual(written)
        expect(await store.has('user:1')).toBe(true)
      })

      it('round-trips fractional times and tags with any characters', async () => {
        const store = await open()
        const now = timing.now()
        const written: CacheEntry = {
          value: 'v',
          createdAt: now + 0.25,
          freshUntil: now + 1500.5,
          staleUntil: now + 3000.75,
          tags: ['ü', 'a:b/c', '🔑', 'with space', 'x'.repeat(300)],
        }
        await store.set('k', written)
        expect(await store.get('k')).toEqual(written)
      })

      it('round-trips every JSON value kind', async () => {
        const store = await open()
        const samples: [string, unknown][] = [
          ['string', 'hello'],
          ['empty string', ''],
          ['unicode string', 'héllo 🌍 日本'],
          ['zero', 0],
          ['negative float', -12.5],
          ['large integer', Number.MAX_SAFE_INTEGER],
          ['true', true],
          ['false', false],
          ['null', null],
          ['empty object', {}],
          ['empty array', []],
          ['nested', { a: [1, { b: [null, 'c'] }], d: { e: { f: 'g' } } }],
        ]
        for (const [key, value] of samples) await store.set(key, entry(value))
        for (const [key, value] of samples) {
          const read = await store.get(key)
          expect(read, key).toBeDefined()
          expect(read?.value, key).toEqual(value)
        }
      })

      it('stores an entry without tags as one without tags', async () => {
        const store = await open()
        await store.set('k', entry('v'))
        expect((await store.get('k'))?.tags ?? []).toEqual([])
      })

      it('round-trips entries that never go stale (Infinity)', async () => {
        const store = await open()
        const now = timing.now()
        const forever: CacheEntry = { value: 'v', createdAt: now, freshUntil: Infinity, staleUntil: Infinity }
        await store.set('forever', forever)
        expect(await store.get('forever')).toEqual(forever)
        const staleForever: CacheEntry = {
          value: 'w',
          createdAt: now,
          freshUntil: now + 5,
          staleUntil: Infinity,
        }
        await store.set('stale-forever', staleForever)
        expect(await store.get('stale-forever')).toEqual(staleForever)
      })

      it('serves a stale entry as it was stored', async () => {
        const store = await open()
        const now = timing.now()
        const stale: CacheEntry = {
          value: 's',
          createdAt: now - 10_000,
          freshUntil: now - 5000,
          staleUntil: now + 60_000,
        }
        await store.set('stale', stale)
        const read = await store.get('stale')
        expect(read).toEqual(stale)
        expect(entryState(read as CacheEntry, timing.now())).toBe('stale')
        expect(await store.has('stale')).toBe(true)
      })

      it('treats an entry that is already dead when set as a miss, replacing a live one', async () => {
        const store = await open()
        const now = timing.now()
        await store.set('k', entry('live'))
        await store.set('k', {
          value: 'dead',
          createdAt: now - 2000,
          freshUntil: now - 1000,
          staleUntil: now - 1,
        })
        expect(await store.get('k')).toBeUndefined()
        expect(await store.has('k')).toBe(false)
        expect(await store.delete('k')).toBe(false)
      })

      it('overwrites value, times and tags', async () => {
        const store = await open()
        await store.set('k', entry('first', { tags: ['a'] }))
        const second = entry({ second: true }, { freshMs: timing.freshMs * 2 })
        await store.set('k', second)
        const read = await store.get('k')
        expect(read).toEqual(second)
        expect(read?.tags ?? []).toEqual([])
      })

      it('keeps keys that differ only in case or whitespace apart', async () => {
        const store = await open()
        await store.setMany([
          ['k', entry(1)],
          ['K', entry(2)],
          ['k ', entry(3)],
          [' k', entry(4)],
        ])
        expect(await values(store, ['k', 'K', 'k ', ' k'])).toEqual([1, 2, 3, 4])
      })

      it('delete is true only for a live entry', async () => {
        const store = await open()
        await store.set('k', entry('v'))
        expect(await store.delete('k')).toBe(true)
        expect(await store.get('k')).toBeUndefined()
        expect(await store.has('k')).toBe(false)
        expect(await store.delete('k')).toBe(false)
        expect(await store.delete('never-set')).toBe(false)
      })
    })

    describe('batches', () => {
      it('getMany answers in order, with duplicates and misses', async () => {
        const store = await open()
        await store.set('a', entry('A'))
        await store.set('b', entry('B'))
        const read = await store.getMany(['b', 'missing', 'a', 'b', 'missing'])
        expect(read.map((found) => found?.value)).toEqual(['B', undefined, 'A', 'B', undefined])
        expect(read).toHaveLength(5)
        expect(await store.getMany([])).toEqual([])
      })

      it('setMany stores every pair; the last of duplicate keys wins', async () => {
        const store = await open()
        const items: [string, CacheEntry][] = Array.from({ length: 20 }, (_, i) => [`k${i}`, entry(i)])
        await store.setMany([...items, ['k0', entry('again')]])
        await store.setMany([])
        const read = await store.getMany(items.map(([key]) => key))
        expect(read.map((found) => found?.value)).toEqual([
          'again',
          ...items.slice(1).map(([, e]) => e.value),
        ])
        expect(read[5]).toEqual(items[5]?.[1])
      })

      it('deleteMany counts the live entries it removed, each key once', async () => {
        const store = await open()
        await store.setMany([
          ['a', entry(1)],
          ['b', entry(2)],
          ['c', entry(3)],
        ])
        expect(await store.deleteMany(['a', 'missing', 'b', 'a'])).toBe(2)
        expect(await values(store, ['a', 'b', 'c'])).toEqual([undefined, undefined, 3])
        expect(await store.deleteMany(['a', 'b'])).toBe(0)
        expect(await store.deleteMany([])).toBe(0)
      })
    })

    describe('volume', () => {
      const count = 1500
      const bulkKeys = Array.from({ length: count }, (_, i) => `bulk:${i}`)

      it('setMany, getMany, deleteMatching and deleteMany over 1,500 keys', async () => {
        const store = await open()
        await store.setMany(bulkKeys.map((key, i) => [key, entry(i)]))
        expect(await values(store, bulkKeys)).toEqual(bulkKeys.map((_, i) => i))
        expect(await store.deleteMany(bulkKeys.slice(0, 500))).toBe(500)
        expect(await store.deleteMatching('bulk:1*')).toBe(
          bulkKeys.slice(500).filter((key) => key.startsWith('bulk:1')).length,
        )
        expect(await store.deleteMatching('bulk:*')).toBe(
          bulkKeys.slice(500).filter((key) => !key.startsWith('bulk:1')).length,
        )
        expect(await values(store, bulkKeys)).toEqual(bulkKeys.map(() => undefined))
      })

      it('serves 200 concurrent mixed operations on distinct keys', async () => {
        const store = await open()
        const keys = bulkKeys.slice(0, 200)
        await Promise.all(keys.map((key, i) => store.set(key, entry(i))))
        const [read, present, removed] = await Promise.all([
          Promise.all(keys.map((key) => store.get(key))),
          Promise.all(keys.map((key) => store.has(key))),
          Promise.all(keys.slice(100).map((key) => store.delete(`${key}:other`))),
        ])
        expect(read.map((found) => found?.value)).toEqual(keys.map((_, i) => i))
        expect(present.every(Boolean)).toBe(true)
        expect(removed.some(Boolean)).toBe(false)
      })
    })

    describe('setIfAbsent', () => {
      it('writes when absent and refuses over a live entry', async () => {
        const store = await open()
        const first = entry('first')
        expect(await store.setIfAbsent('k', first)).toBe(true)
        expect(await store.get('k')).toEqual(first)
        expect(await store.setIfAbsent('k', entry('second'))).toBe(false)
        expect((await store.get('k'))?.value).toBe('first')
      })

      it('refuses over a stale (still live) entry', async () => {
        const store = await open()
        const now = timing.now()
        await store.set('k', {
          value: 'stale',
          createdAt: now - 100,
          freshUntil: now - 50,
          staleUntil: now + 60_000,
        })
        expect(await store.setIfAbsent('k', entry('new'))).toBe(false)
        expect((await store.get('k'))?.value).toBe('stale')
      })

      it('writes again after a delete', async () => {
        const store = await open()
        await store.set('k', entry('old'))
        await store.delete('k')
        expect(await store.setIfAbsent('k', entry('new'))).toBe(true)
        expect((await store.get('k'))?.value).toBe('new')
      })
    })

    describeWhen(capabilities.setIfAbsentConcurrency !== false, 'setIfAbsent under concurrency', () => {
      it('lets exactly one of 50 concurrent callers write', async () => {
        const store = await open()
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.setIfAbsent('contended', entry(`caller-${i}`))),
        )
        const winners = results.flatMap((won, i) => (won ? [i] : []))
        expect(winners).toHaveLength(1)
        expect((await store.get('contended'))?.value).toBe(`caller-${winners[0]}`)
      })

      it('picks one winner per key when 50 callers race on 5 keys', async () => {
        const store = await open()
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.setIfAbsent(`race:${i % 5}`, entry(i))),
        )
        for (let key = 0; key < 5; key++) {
          const winners = results.flatMap((won, i) => (won && i % 5 === key ? [i] : []))
          expect(winners, `race:${key}`).toHaveLength(1)
          expect((await store.get(`race:${key}`))?.value).toBe(winners[0])
        }
      })
    })

    describeWhen(capabilities.expiry === 'clock', 'expiry on the injected clock', () => {
      it('is fresh until freshUntil, stale until staleUntil, then dead', async () => {
        const store = await open()
        const written = entry('v')
        await store.set('k', written)

        await timing.until(written.freshUntil - 1)
        const fresh = await store.get('k')
        expect(fresh).toEqual(written)
        expect(entryState(fresh as CacheEntry, timing.now())).toBe('fresh')

        await timing.until(written.freshUntil)
        const stale = await store.get('k')
        expect(stale).toEqual(written)
        expect(entryState(stale as CacheEntry, timing.now())).toBe('stale')
        expect(await store.has('k')).toBe(true)

        await timing.until(written.staleUntil - 1)
        expect(await store.get('k')).toEqual(written)

        await timing.until(written.staleUntil)
        expect(await store.get('k')).toBeUndefined()
        expect(await store.has('k')).toBe(false)
        expect(await store.delete('k')).toBe(false)
      })

      it('is dead at freshUntil when there is no stale window', async () => {
        const store = await open()
        const written = entry('v', { staleMs: 0 })
        await store.set('k', written)
        await timing.until(written.freshUntil - 1)
        expect(await store.has('k')).toBe(true)
        await timing.until(written.freshUntil)
        expect(await store.has('k')).toBe(false)
        expect(await store.get('k')).toBeUndefined()
      })

      it('has() is false for a dead entry that was never read', async () => {
        const store = await open()
        const written = entry('v')
        await store.set('k', written)
        await timing.until(written.staleUntil)
        expect(await store.has('k')).toBe(false)
      })

      it('getMany misses dead entries in place', async () => {
        const store = await open()
        const short = entry('short', { freshMs: 10, staleMs: 10 })
        await store.set('short', short)
        await store.set('long', entry('long'))
        await timing.until(short.staleUntil)
        expect(await values(store, ['short', 'long', 'short'])).toEqual([undefined, 'long', undefined])
      })

      it('setIfAbsent succeeds over a dead entry', async () => {
        const store = await open()
        const old = entry('old')
        await store.set('k', old)
        await timing.until(old.staleUntil)
        const replacement = entry('new')
        expect(await store.setIfAbsent('k', replacement)).toBe(true)
        expect(await store.get('k')).toEqual(replacement)
      })

      it('deleteMany and deleteMatching do not count dead entries', async () => {
        const store = await open()
        const short = entry('short', { freshMs: 10, staleMs: 0 })
        await store.setMany([
          ['x:dead', short],
          ['x:live', entry('live')],
        ])
        await timing.until(short.staleUntil)
        expect(await store.deleteMatching('x:*')).toBe(1)
        await store.setMany([
          ['y:dead', entry('short', { freshMs: 10, staleMs: 0 })],
          ['y:live', entry('live')],
        ])
        await timing.until(timing.now() + 10)
        expect(await store.deleteMany(['y:dead', 'y:live'])).toBe(1)
      })

      it('keeps an entry with a very long TTL (beyond a 32-bit timer) and never-expiring ones', async () => {
        const store = await open()
        const fortyDays = 40 * 24 * 3600 * 1000
        const long = entry('long', { freshMs: fortyDays, staleMs: fortyDays })
        const now = timing.now()
        await store.set('long', long)
        await store.set('forever', { value: 'f', createdAt: now, freshUntil: Infinity, staleUntil: Infinity })
        await timing.until(now + 25 * 24 * 3600 * 1000)
        expect(await store.get('long')).toEqual(long)
        await timing.until(long.staleUntil - 1)
        expect((await store.get('long'))?.value).toBe('long')
        await timing.until(long.staleUntil)
        expect(await store.get('long')).toBeUndefined()
        await timing.until(now + 10 * 365 * 24 * 3600 * 1000)
        expect((await store.get('forever'))?.value).toBe('f')
      })
    })

    describeWhen(capabilities.expiry === 'backend', 'expiry by the backend', () => {
      /** Polls `get` until it misses, failing if the backend keeps the entry past the grace period. */
      async function expectGone(store: CacheStore, key: string, staleUntil: number): Promise<void> {
        await timing.until(staleUntil)
        const deadline = staleUntil + BACKEND_EXPIRY_GRACE_MS
        while ((await store.get(key)) !== undefined) {
          if (Date.now() > deadline) {
            throw new Error(`"${key}" was still served ${Date.now() - staleUntil} ms after staleUntil`)
          }
          await sleep(10)
        }
        expect(await store.has(key)).toBe(false)
      }

      it('serves a stale entry after freshUntil, then misses it after staleUntil', async () => {
        const store = await open()
        const written = entry('v', BACKEND_SHORT_LIFETIME)
        await store.set('k', written)
        expect(await store.get('k')).toEqual(written)
        await timing.until(written.freshUntil + 10)
        expect(await store.get('k')).toEqual(written)
        await expectGone(store, 'k', written.staleUntil)
        expect(await store.delete('k')).toBe(false)
      })

      it('setIfAbsent succeeds once the old entry is dead', async () => {
        const store = await open()
        const old = entry('old', BACKEND_SHORT_LIFETIME)
        await store.set('k', old)
        await expectGone(store, 'k', old.staleUntil)
        expect(await store.setIfAbsent('k', entry('new'))).toBe(true)
        expect((await store.get('k'))?.value).toBe('new')
      })
    })

    describe('deleteMatching (glob)', () => {
      const keys = ['user:1', 'user:2', 'user:10', 'user:1:profile', 'users:1', 'xuser:1', 'post:1', 'user/1']

      async function seeded(): Promise<CacheStore> {
        const store = await open()
        await store.setMany(keys.map((key) => [key, entry(key)]))
        return store
      }

      async function survivors(store: CacheStore): Promise<string[]> {
        const found = await store.getMany(keys)
        return keys.filter((_, i) => found[i] !== undefined)
      }

      it.each([
        ['user:*', ['user:1', 'user:2', 'user:10', 'user:1:profile']],
        ['user:?', ['user:1', 'user:2']],
        ['user:??', ['user:10']],
        ['*:1', ['user:1', 'users:1', 'xuser:1', 'post:1']],
        ['user*1', ['user:1', 'users:1', 'user/1']],
        ['*user*', ['user:1', 'user:2', 'user:10', 'user:1:profile', 'users:1', 'xuser:1', 'user/1']],
        ['?user:?', ['xuser:1']],
        ['user:1', ['user:1']],
        ['user:1*', ['user:1', 'user:10', 'user:1:profile']],
        ['user/*', ['user/1']],
        ['nothing*', []],
        ['user', []],
      ])('%s deletes exactly its matches and counts them', async (pattern, matched) => {
        const store = await seeded()
        expect(await store.deleteMatching(pattern)).toBe(matched.length)
        expect(await survivors(store)).toEqual(keys.filter((key) => !matched.includes(key)))
      })

      it('* deletes every key of the namespace', async () => {
        const store = await seeded()
        expect(await store.deleteMatching('*')).toBe(keys.length)
        expect(await survivors(store)).toEqual([])
      })

      it('matches literal *, ?, [, ] and \\ in keys through escapeGlob', async () => {
        const store = await open()
        const literalKeys = ['a*b', 'a?b', 'axb', 'a1b', 'a[1]b', 'a\\b', 'a**b']
        const reseed = () => store.setMany(literalKeys.map((key) => [key, entry(key)]))
        const left = async () => {
          const found = await store.getMany(literalKeys)
          return literalKeys.filter((_, i) => found[i] !== undefined)
        }
        await reseed()
        expect(await store.deleteMatching(escapeGlob('a*b'))).toBe(1)
        expect(await left()).toEqual(literalKeys.filter((key) => key !== 'a*b'))
        await reseed()
        expect(await store.deleteMatching(escapeGlob('a?b'))).toBe(1)
        expect(await left()).toEqual(literalKeys.filter((key) => key !== 'a?b'))
        await reseed()
        expect(await store.deleteMatching(escapeGlob('a[1]b'))).toBe(1)
        expect(await left()).toEqual(literalKeys.filter((key) => key !== 'a[1]b'))
        await reseed()
        expect(await store.deleteMatching(escapeGlob('a\\b'))).toBe(1)
        expect(await left()).toEqual(literalKeys.filter((key) => key !== 'a\\b'))
        await reseed()
        expect(await store.deleteMatching(`${escapeGlob('a*')}*`)).toBe(2)
        expect(await left()).toEqual(['a?b', 'axb', 'a1b', 'a[1]b', 'a\\b'])
        await reseed()
        // `?` is one character: a*b a?b axb a1b a\b, but neither a[1]b nor a**b.
        expect(await store.deleteMatching('a?b')).toBe(5)
        expect(await left()).toEqual(['a[1]b', 'a**b'])
        await reseed()
        // `[` and `]` are literal in the glob dialect: no character classes.
        expect(await store.deleteMatching('a[1]*')).toBe(1)
        expect(await left()).toEqual(literalKeys.filter((key) => key !== 'a[1]b'))
      })

      it('matches keys with :, /, .. and emoji by prefix', async () => {
        const store = await open()
        const odd = ['t/1:🔑/../a', 't/1:🔑/../b', 't/1:🔑x', 't/2:🔑/../a']
        await store.setMany(odd.map((key) => [key, entry(key)]))
        expect(await store.deleteMatching(`${escapeGlob('t/1:🔑/../')}*`)).toBe(2)
        expect(await values(store, odd)).toEqual([undefined, undefined, 't/1:🔑x', 't/2:🔑/../a'])
        expect(await store.deleteMatching('t/?:🔑*')).toBe(2)
      })

      it('matches 1 KiB and 10 KiB keys', async () => {
        const store = await open()
        const kib = `long:${noiseString(1024, 3)}`
        const tenKib = `long:${noiseString(10 * 1024, 4)}`
        await store.setMany([
          [kib, entry(1)],
          [tenKib, entry(2)],
          ['other', entry(3)],
        ])
        expect(await store.deleteMatching(`long:${noiseString(1024, 3).slice(0, 10)}*`)).toBe(1)
        expect(await store.deleteMatching('long:*')).toBe(1)
        expect(await values(store, [kib, tenKib, 'other'])).toEqual([undefined, undefined, 3])
      })
    })

    describe('odd keys', () => {
      it('keeps every odd key distinct and intact', async () => {
        const store = await open()
        await store.setMany(ODD_KEYS.map((key, i) => [key, entry(i)]))
        expect(await values(store, [...ODD_KEYS])).toEqual(ODD_KEYS.map((_, i) => i))
        for (const [i, key] of ODD_KEYS.entries()) {
          expect(await store.has(key), key).toBe(true)
          expect((await store.get(key))?.value, key).toBe(i)
        }
      })

      it('deletes each odd key alone, by delete and by an escaped pattern', async () => {
        const store = await open()
        await store.setMany(ODD_KEYS.map((key, i) => [key, entry(i)]))
        for (const [i, key] of ODD_KEYS.entries()) {
          if (i % 2 === 0) expect(await store.delete(key), key).toBe(true)
          else expect(await store.deleteMatching(escapeGlob(key)), key).toBe(1)
          const rest = ODD_KEYS.slice(i + 1)
          expect(await values(store, [...rest]), key).toEqual(rest.map((_, j) => i + 1 + j))
        }
      })
    })

    describe('namespaces', () => {
      it('keeps the same key apart in sibling namespaces', async () => {
        const store = await open()
        const sibling = await open(true)
        await store.set('k', entry('mine'))
        await sibling.set('k', entry('theirs'))
        expect((await store.get('k'))?.value).toBe('mine')
        expect((await sibling.get('k'))?.value).toBe('theirs')
        expect(await store.delete('k')).toBe(true)
        expect((await sibling.get('k'))?.value).toBe('theirs')
      })

      it('clear empties its namespace only, and the store stays usable', async () => {
        const store = await open()
        const sibling = await open(true)
        const keys = ['a', 'b:c', 'd/e', '🔑']
        await store.setMany(keys.map((key) => [key, entry(`mine ${key}`)]))
        await sibling.setMany(keys.map((key) => [key, entry(`theirs ${key}`)]))
        await sibling.set('only-sibling', entry('s'))
        await store.clear()
        expect(await values(store, keys)).toEqual(keys.map(() => undefined))
        expect(await values(sibling, [...keys, 'only-sibling'])).toEqual([
          ...keys.map((key) => `theirs ${key}`),
          's',
        ])
        await store.set('a', entry('again'))
        expect((await store.get('a'))?.value).toBe('again')
      })

      it('deleteMatching("*") leaves the sibling namespace alone', async () => {
        const store = await open()
        const sibling = await open(true)
        await store.setMany([
          ['a', entry(1)],
          ['b', entry(2)],
        ])
        await sibling.setMany([
          ['a', entry(3)],
          ['c', entry(4)],
        ])
        expect(await store.deleteMatching('*')).toBe(2)
        expect(await values(sibling, ['a', 'c'])).toEqual([3, 4])
        expect(await sibling.deleteMany(['a', 'b', 'c'])).toBe(2)
      })

      it('setIfAbsent in one namespace ignores the sibling', async () => {
        const store = await open()
        const sibling = await open(true)
        expect(await sibling.setIfAbsent('k', entry('theirs'))).toBe(true)
        expect(await store.setIfAbsent('k', entry('mine'))).toBe(true)
        expect(await store.has('k')).toBe(true)
      })
    })

    describeWhen(capabilities.largeValues !== false, 'large values', () => {
      it('round-trips a 10 MiB value', { timeout: 60_000 }, async () => {
        const store = await open()
        const big = noiseString(10 * 1024 * 1024)
        const written = entry({ big, after: 'end' })
        await store.set('big', written)
        const read = await store.get('big')
        const value = read?.value as { big: string; after: string } | undefined
        expect(value?.big.length).toBe(big.length)
        expect(value?.big === big).toBe(true)
        expect(value?.after).toBe('end')
        expect(read?.staleUntil).toBe(written.staleUntil)
        expect(await store.delete('big')).toBe(true)
      })
    })

    describeWhen(capabilities.writeRawBytes !== undefined, 'corrupt bytes', () => {
      const writeRaw = capabilities.writeRawBytes as NonNullable<StoreCapabilities['writeRawBytes']>

      it.each(CORRUPT_SAMPLES)('%s: a miss, then the key is gone', async (_label, bytes) => {
        const store = await open()
        await writeRaw(store, 'corrupt', bytes)
        expect(await store.get('corrupt')).toBeUndefined()
        expect(await store.has('corrupt')).toBe(false)
        expect(await store.delete('corrupt')).toBe(false)
        await store.set('corrupt', entry('healed'))
        expect((await store.get('corrupt'))?.value).toBe('healed')
      })

      it('getMany misses a corrupt entry in place and removes it', async () => {
        const store = await open()
        await store.set('a', entry('A'))
        await store.set('c', entry('C'))
        await writeRaw(store, 'b', Uint8Array.of(1, 2, 3, 4, 5))
        expect(await values(store, ['a', 'b', 'c'])).toEqual(['A', undefined, 'C'])
        expect(await store.delete('b')).toBe(false)
      })
    })

    describeWhen(capabilities.serializesValues === true, 'unserializable values', () => {
      it.each([
        ['a function', () => ({ fn: () => 1 })],
        ['a symbol', () => ({ sym: Symbol('s') })],
        [
          'a cyclic object',
          () => {
            const cyclic: Record<string, unknown> = { a: 1 }
            cyclic.self = cyclic
            return cyclic
          },
        ],
      ])(
        '%s rejects with CacheSerializationError naming the key and writes nothing',
        async (_label, make) => {
          const store = await open()
          await store.set('kept', entry('previous'))
          const error = await store.set('kept', entry(make())).then(
            () => undefined,
            (caught: unknown) => caught,
          )
          expect(CacheSerializationError.isInstance(error)).toBe(true)
          expect((error as Error).message).toContain('kept')
          expect((await store.get('kept'))?.value).toBe('previous')
          const second = await store.set('fresh-key', entry(make())).then(
            () => undefined,
            (caught: unknown) => caught,
          )
          expect(CacheSerializationError.isInstance(second)).toBe(true)
          expect(await store.has('fresh-key')).toBe(false)
        },
      )
    })

    describeWhen(capabilities.sync === true, 'synchronous twins', () => {
      it('getSync, setSync and deleteSync agree with the asynchronous methods', async () => {
        const store = await open()
        if (!isSyncStore(store))
          throw new Error(`${name} declares sync: true but lacks getSync/setSync/deleteSync`)
        const written = entry('v', { tags: ['t'] })
        store.setSync('k', written)
        expect(await store.get('k')).toEqual(written)
        await store.set('j', entry('w'))
        expect(store.getSync('j')?.value).toBe('w')
        expect(store.getSync('missing')).toBeUndefined()
        expect(store.deleteSync('k')).toBe(true)
        expect(store.deleteSync('k')).toBe(false)
        expect(await store.has('k')).toBe(false)
      })

      itWhen(capabilities.expiry === 'clock', 'getSync misses a dead entry', async () => {
        const store = await open()
        if (!isSyncStore(store))
          throw new Error(`${name} declares sync: true but lacks getSync/setSync/deleteSync`)
        const written = entry('v')
        store.setSync('k', written)
        await timing.until(written.staleUntil - 1)
        expect(store.getSync('k')).toEqual(written)
        await timing.until(written.staleUntil)
        expect(store.getSync('k')).toBeUndefined()
        expect(store.deleteSync('k')).toBe(false)
      })
    })

    describe('close', () => {
      it('resolves, and a second close resolves too', async () => {
        const store = await open()
        await store.set('k', entry('v'))
        await closeInTest(store)
        await expect(store.close()).resolves.toBeUndefined()
      })
    })
  })
}

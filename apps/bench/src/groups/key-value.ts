import { createCache, MemoryStore } from '@stratacache/core'
import { RedisStore } from '@stratacache/redis'
import { Redis } from 'ioredis'
import { countingLoader, expectHits } from '../counting-loader'
import type { BenchCase, BenchContext, BenchGroup } from '../harness'
import { MAX_ENTRIES, type SmallValue, TTL_SECONDS } from '../payload'

const ID = 42
const CACHE_HIT = 'stratacache cache() hit, static key'
const GET_OR_SET = 'stratacache getOrSet hit'
const GET_OR_SET_OPTIONS = 'stratacache getOrSet hit, options { ttl }'
const GET_OR_SET_TAGGED = 'stratacache getOrSet hit, tagged (tags in the call)'
const GET_OR_SET_SIE = 'stratacache getOrSet hit, staleIfError + hardTimeout configured'
const REDIS_UNTAGGED = 'stratacache getOrSet hit over RedisStore'
const REDIS_TAGGED = 'stratacache getOrSet hit over RedisStore, tagged (tags in the call)'

type Build = (load: (id: number) => Promise<SmallValue>) => () => unknown

async function addCase(cases: BenchCase[], name: string, build: Build, perCall = false): Promise<void> {
  const loader = countingLoader()
  const fn = build((id) => loader.load(id))
  await expectHits(name, fn, loader)
  // The miss's write completes in the background: let it land, then prove the case hits.
  await new Promise((resolve) => setTimeout(resolve, 20))
  cases.push({ name, fn, ...(perCall ? { perCall } : {}) })
}

/** Group 15a: the key-value API over memory, against the `cache()` wrapper on the same engine. */
export const keyValueMemoryGroup: BenchGroup = {
  id: 'kv-hit-memory',
  number: '15a',
  title: 'Key-value hit over memory',
  about: [
    'An awaited hit of `createCache(...).getOrSet(key, factory, options)` over a `MemoryStore`',
    `(\`maxEntries: ${MAX_ENTRIES}\`), against an awaited \`cache()\` hit of an async function with a static key on the same`,
    'kind of store (the floor). Rows: without options (the instance ttl); with a reused `{ ttl: 60 }` options object;',
    'tagged (`{ tags: ["users", "org:7"] }`, whose records are checked on every hit); with `staleIfError` and `hardTimeout`',
    'configured (shown for information: such an entry has a stale window, so a hit reads the clock). Unconfigured',
    'features are not on the hit path. Each case first proves it hits.',
  ].join(' '),
  floor: CACHE_HIT,
  targets: [
    {
      label: '`getOrSet` hit over MemoryStore ≤ 1.3× a `cache()` hit',
      source: 'issue 15',
      subject: GET_OR_SET,
      baseline: CACHE_HIT,
      kind: 'atMost',
      ratio: 1.3,
    },
    {
      label: 'tagged `getOrSet` hit ≤ 1.3× untagged over memory (both with an options object)',
      source: 'issue 15',
      subject: GET_OR_SET_TAGGED,
      baseline: GET_OR_SET_OPTIONS,
      kind: 'atMost',
      ratio: 1.3,
    },
  ],
  async setup() {
    const cases: BenchCase[] = []
    const instance = createCache({ store: new MemoryStore({ maxEntries: MAX_ENTRIES }), ttl: TTL_SECONDS })
    await addCase(cases, CACHE_HIT, (load) => {
      const cached = instance.cache({ key: 'static' })(async () => load(ID))
      return () => cached()
    })
    await addCase(cases, GET_OR_SET, (load) => {
      const factory = () => load(ID)
      return () => instance.getOrSet('plain', factory)
    })
    await addCase(cases, GET_OR_SET_OPTIONS, (load) => {
      const factory = () => load(ID)
      const options = { ttl: TTL_SECONDS }
      return () => instance.getOrSet('options', factory, options)
    })
    await addCase(cases, GET_OR_SET_TAGGED, (load) => {
      const factory = () => load(ID)
      const options = { tags: ['users', 'org:7'] }
      return () => instance.getOrSet('tagged', factory, options)
    })
    await addCase(cases, GET_OR_SET_SIE, (load) => {
      const factory = () => load(ID)
      const options = { staleIfError: 600, hardTimeout: 5 }
      return () => instance.getOrSet('sie', factory, options)
    })
    return { cases }
  },
}

/** Group 15b: a tagged hit over Redis costs no extra round trip when the call names its tags. */
export const keyValueRedisGroup: BenchGroup = {
  id: 'kv-hit-redis',
  number: '15b',
  title: 'Key-value hit over Redis, tagged vs untagged',
  about: [
    'Sequential awaited `getOrSet` hits over `new RedisStore({ client })` on the run’s local `redis-server`, each call timed',
    'on its own. The tagged row names its tags in the call (`tags: ["users", "org:7"]`), so the entry and the tag records',
    'are read in one `getMany` (one round trip).',
  ].join(' '),
  floor: REDIS_UNTAGGED,
  targets: [
    {
      label: 'tagged `getOrSet` hit over Redis ≤ 1.2× untagged',
      source: 'issue 15',
      subject: REDIS_TAGGED,
      baseline: REDIS_UNTAGGED,
      kind: 'atMost',
      ratio: 1.2,
    },
  ],
  async setup(context: BenchContext) {
    const port = await context.redisPort()
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: false, commandTimeout: 1000 })
    const store = new RedisStore({ client, prefix: 'bench:kv:' })
    const instance = createCache({ store, ttl: TTL_SECONDS })
    const cases: BenchCase[] = []
    try {
      await addCase(
        cases,
        REDIS_UNTAGGED,
        (load) => {
          const factory = () => load(ID)
          return () => instance.getOrSet('plain', factory)
        },
        true,
      )
      await addCase(
        cases,
        REDIS_TAGGED,
        (load) => {
          const factory = () => load(ID)
          const options = { tags: ['users', 'org:7'] }
          return () => instance.getOrSet('tagged', factory, options)
        },
        true,
      )
    } catch (error) {
      await client.quit()
      throw error
    }
    return {
      cases,
      teardown: async () => {
        await client.quit()
      },
    }
  },
}

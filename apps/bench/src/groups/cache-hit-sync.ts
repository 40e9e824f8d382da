import { cache } from '@stratacache/core'
import { LRUCache } from 'lru-cache'
import type { BenchCase, BenchGroup, BenchTarget } from '../harness'
import { MAX_ENTRIES, type SmallValue, TTL_MS, TTL_SECONDS } from '../payload'
import {
  argumentsFor,
  boundedStore,
  hitCase,
  ID,
  KEY_COUNTS,
  type KeyCount,
  keysLabel,
  type Query,
  queryOf,
  ROUND_ROBIN_KEYS,
} from './hit-cases'

const MAP_STATIC = 'sync Map memoizer, static key'
const mapId = (n: KeyCount) => `sync Map memoizer, \`user:<id>\` key${keysLabel(n)}`
const MEMO_STATIC = 'lru-cache memo(), static key'
const memoId = (n: KeyCount) => `lru-cache memo(), \`user:<id>\` key${keysLabel(n)}`
const CACHE_STATIC = 'stratacache cache() sync, static key'
const cacheId = (n: KeyCount) => `stratacache cache() sync, \`user:{0}\` key${keysLabel(n)}`
const omittedNumber = (n: KeyCount) => `stratacache cache() sync, omitted key, number argument${keysLabel(n)}`
const omittedObject = (n: KeyCount) => `stratacache cache() sync, omitted key, object argument${keysLabel(n)}`

const targets: BenchTarget[] = [
  {
    label: 'sync `cache()` hit ≤ lru-cache `memo()` (static key)',
    source: 'issue 3',
    subject: CACHE_STATIC,
    baseline: MEMO_STATIC,
    kind: 'atMost',
    ratio: 1,
  },
  {
    label: 'sync `cache()` hit ≤ 3× the sync Map memoizer (static key)',
    source: 'issue 3',
    subject: CACHE_STATIC,
    baseline: MAP_STATIC,
    kind: 'atMost',
    ratio: 3,
  },
  {
    label: 'sync `cache()` `{0}` key ≤ 1.5× static key',
    source: 'issue 3',
    subject: cacheId(1),
    baseline: CACHE_STATIC,
    kind: 'atMost',
    ratio: 1.5,
  },
  {
    label: 'sync `cache()` hit ≤ 3× the sync Map memoizer, 1,000 keys',
    source: 'issue 17',
    subject: cacheId(ROUND_ROBIN_KEYS),
    baseline: mapId(ROUND_ROBIN_KEYS),
    kind: 'atMost',
    ratio: 3,
  },
  {
    label: 'sync `cache()` hit ≤ 0.8× lru-cache `memo()`, 1,000 keys',
    source: 'issue 17',
    subject: cacheId(ROUND_ROBIN_KEYS),
    baseline: memoId(ROUND_ROBIN_KEYS),
    kind: 'atMost',
    ratio: 0.8,
  },
  ...KEY_COUNTS.flatMap((n): BenchTarget[] => [
    {
      label: `sync omitted-key hit ≤ 2× the \`{0}\` key, number argument${keysLabel(n)}`,
      source: 'issue 17',
      subject: omittedNumber(n),
      baseline: cacheId(n),
      kind: 'atMost',
      ratio: 2,
    },
    {
      label: `sync omitted-key hit, object of 3 fields, ≤ 3× the \`{0}\` key over a number${keysLabel(n)}`,
      source: 'issue 17',
      subject: omittedObject(n),
      baseline: cacheId(n),
      kind: 'atMost',
      ratio: 3,
    },
  ]),
]

/** Group 2b: a sync function-cache hit: stratacache stays sync over MemoryStore. */
export const cacheHitSyncGroup: BenchGroup = {
  id: 'cache-hit-sync',
  number: '2b',
  title: 'Function-cache hit, sync',
  about: [
    'A call of a cached *synchronous* function whose entry is fresh: stratacache keeps it synchronous over `MemoryStore`.',
    `Same keys and arguments as 2a (one hot argument, and 1,000 read round-robin). The floor is a hand-written function`,
    `reading a \`Map\`; lru-cache \`memo()\` has \`max: ${MAX_ENTRIES}, ttl: 60000\` and a \`memoMethod\` computing the value.`,
    'The async peers have no sync API and are not in this group.',
  ].join(' '),
  floor: mapId(1),
  targets,
  async setup() {
    const cases: BenchCase[] = []
    cases.push(
      await hitCase(MAP_STATIC, [ID], (loader) => {
        const map = new Map<string, SmallValue>()
        return () => {
          const hit = map.get('static')
          if (hit !== undefined) return hit
          const value = loader.sync(ID)
          map.set('static', value)
          return value
        }
      }),
    )
    for (const n of KEY_COUNTS) {
      cases.push(
        await hitCase(mapId(n), argumentsFor(n), (loader) => {
          const map = new Map<string, SmallValue>()
          return (id) => {
            const key = `user:${id}`
            const hit = map.get(key)
            if (hit !== undefined) return hit
            const value = loader.sync(id)
            map.set(key, value)
            return value
          }
        }),
      )
    }
    cases.push(
      await hitCase(MEMO_STATIC, [ID], (loader) => {
        const lru = new LRUCache<string, SmallValue>({
          max: MAX_ENTRIES,
          ttl: TTL_MS,
          memoMethod: () => loader.sync(ID),
        })
        return () => lru.memo('static')
      }),
    )
    for (const n of KEY_COUNTS) {
      cases.push(
        await hitCase(memoId(n), argumentsFor(n), (loader) => {
          const lru = new LRUCache<string, SmallValue, number>({
            max: MAX_ENTRIES,
            ttl: TTL_MS,
            memoMethod: (_key, _stale, { context }) => loader.sync(context),
          })
          return (id) => lru.memo(`user:${id}`, { context: id })
        }),
      )
    }
    cases.push(
      await hitCase(CACHE_STATIC, [ID], (loader) => {
        const cached = cache({ ttl: TTL_SECONDS, key: 'static', store: boundedStore })(() => loader.sync(ID))
        return () => cached()
      }),
    )
    for (const n of KEY_COUNTS) {
      cases.push(
        await hitCase(cacheId(n), argumentsFor(n), (loader) =>
          cache({ ttl: TTL_SECONDS, key: 'user:{0}', store: boundedStore })((id: number) => loader.sync(id)),
        ),
        await hitCase(omittedNumber(n), argumentsFor(n), (loader) =>
          cache({ ttl: TTL_SECONDS, store: boundedStore })(function getUser(id: number) {
            return loader.sync(id)
          }),
        ),
        await hitCase(omittedObject(n), argumentsFor(n).map(queryOf), (loader) =>
          cache({ ttl: TTL_SECONDS, store: boundedStore })(function findUser(query: Query) {
            return loader.sync(query.id)
          }),
        ),
      )
    }
    for (const benchCase of cases) {
      if (benchCase.fn() instanceof Promise)
        throw new Error(`bench case "${benchCase.name}" is not synchronous`)
    }
    return { cases }
  },
}

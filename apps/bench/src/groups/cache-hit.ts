import { cachified } from '@epic-web/cachified'
import { createCache, MemoryStore } from '@stratacache/core'
import { LRUCache } from 'lru-cache'
import { countingLoader, expectHits } from '../counting-loader'
import type { BenchCase, BenchGroup, GroupResult } from '../harness'
import { MAX_ENTRIES, type SmallValue, TTL_MS, TTL_SECONDS } from '../payload'
import {
  bentoMemory,
  cacheableMemory,
  cacheManagerMemory,
  cachifiedLru,
  dedupeMemory,
  PEER_CONFIGURATION,
} from '../peers'

/** The argument of every `{0}`-key case: one hot key, so only the cost of building it differs from the static key. */
const ID = 42

const ASYNC_MAP = 'async Map memoizer, static key'
const ASYNC_MAP_ID = 'async Map memoizer, `user:<id>` key'
const CACHE_ASYNC = 'stratacache cache(), static key'
const CACHE_ASYNC_ID = 'stratacache cache(), `user:{0}` key'
const PEERS_STATIC = [
  'async-cache-dedupe',
  'bentocache getOrSet',
  'cache-manager wrap',
  'cacheable getOrSet',
  '@epic-web/cachified',
]

const SYNC_MAP = 'sync Map memoizer, static key'
const SYNC_MAP_ID = 'sync Map memoizer, `user:<id>` key'
const LRU_MEMO = 'lru-cache memo(), static key'
const LRU_MEMO_ID = 'lru-cache memo(), `user:<id>` key'
const CACHE_SYNC = 'stratacache cache() sync, static key'
const CACHE_SYNC_ID = 'stratacache cache() sync, `user:{0}` key'

/** stratacache's store in these groups: a MemoryStore bounded like the peers. */
const boundedStore = () => new MemoryStore({ maxEntries: MAX_ENTRIES })

function staticName(peer: string): string {
  return `${peer}, static key`
}

function idName(peer: string): string {
  return `${peer}, \`user:<id>\` key`
}

/** Group 2a: an async function-cache hit, static and `{0}` keys, stratacache against the floor and the peers. */
export const cacheHitAsyncGroup: BenchGroup = {
  id: 'cache-hit-async',
  number: '2a',
  title: 'Function-cache hit, async',
  about: [
    'An awaited call of a cached async function whose entry is fresh, with a static key and with a key built from the',
    `argument (always \`${ID}\`, so only the cost of building the key differs). Each case first proves it hits (one loader`,
    'call in five). The floor is a hand-written `async` function reading a `Map`. stratacache: `cache({ ttl: 60, key,',
    `store: () => new MemoryStore({ maxEntries: ${MAX_ENTRIES} }) })(fn)\`. Peers: ${PEER_CONFIGURATION}.`,
    'Peers that take a key per call get it built the same way (`user:<id>`) with a factory closure, as their READMEs show.',
  ].join(' '),
  floor: ASYNC_MAP,
  targets: [
    {
      label: 'async `cache()` hit ≤ 1.5× the async Map memoizer (static key)',
      source: 'issue 3',
      subject: CACHE_ASYNC,
      baseline: ASYNC_MAP,
      kind: 'atMost',
      ratio: 1.5,
    },
    {
      label: 'async `cache()` `{0}` key ≤ 1.5× static key',
      source: 'issue 3',
      subject: CACHE_ASYNC_ID,
      baseline: CACHE_ASYNC,
      kind: 'atMost',
      ratio: 1.5,
    },
  ],
  async setup() {
    const cases: BenchCase[] = []
    const teardowns: (() => Promise<unknown>)[] = []
    const add = async (name: string, build: (load: (id: number) => Promise<SmallValue>) => () => unknown) => {
      const loader = countingLoader()
      const fn = build((id) => loader.load(id))
      await expectHits(name, fn, loader)
      cases.push({ name, fn })
    }

    await add(ASYNC_MAP, (load) => {
      const map = new Map<string, SmallValue>()
      const memo = async (): Promise<SmallValue> => {
        const hit = map.get('static')
        if (hit !== undefined) return hit
        const value = await load(ID)
        map.set('static', value)
        return value
      }
      return () => memo()
    })
    await add(ASYNC_MAP_ID, (load) => {
      const map = new Map<string, SmallValue>()
      const memo = async (id: number): Promise<SmallValue> => {
        const key = `user:${id}`
        const hit = map.get(key)
        if (hit !== undefined) return hit
        const value = await load(id)
        map.set(key, value)
        return value
      }
      return () => memo(ID)
    })

    const { cache } = createCache({ store: boundedStore })
    await add(CACHE_ASYNC, (load) => {
      const cached = cache({ ttl: TTL_SECONDS, key: 'static' })(async () => load(ID))
      return () => cached()
    })
    await add(CACHE_ASYNC_ID, (load) => {
      const cached = cache({ ttl: TTL_SECONDS, key: 'user:{0}' })(async (id: number) => load(id))
      return () => cached(ID)
    })

    for (const [index, peer] of PEERS_STATIC.entries()) {
      for (const keyed of [false, true]) {
        const name = keyed ? idName(peer) : staticName(peer)
        const keyFor = keyed ? (id: number) => `user:${id}` : () => 'static'
        await add(name, (load) => {
          switch (index) {
            case 0: {
              const dedupe = dedupeMemory().define('load', async (id: number) => load(id))
              return keyed ? () => dedupe.load(ID) : () => dedupe.load(0)
            }
            case 1: {
              const bento = bentoMemory()
              teardowns.push(() => bento.disconnect())
              return () => bento.getOrSet({ key: keyFor(ID), factory: () => load(ID) })
            }
            case 2: {
              const manager = cacheManagerMemory()
              teardowns.push(() => manager.disconnect())
              return () => manager.wrap(keyFor(ID), () => load(ID))
            }
            case 3: {
              const cacheable = cacheableMemory()
              teardowns.push(() => cacheable.disconnect())
              return () => cacheable.getOrSet(keyFor(ID), () => load(ID))
            }
            default: {
              const store = cachifiedLru()
              return () =>
                cachified({ key: keyFor(ID), cache: store, getFreshValue: () => load(ID), ttl: TTL_MS })
            }
          }
        })
      }
    }
    return {
      cases,
      teardown: async () => {
        await Promise.all(teardowns.map((teardown) => teardown()))
      },
      notes: [
        'async-cache-dedupe derives its key from the arguments itself; its "static key" case calls with a constant argument.',
      ],
    }
  },
  summarize: (result) => [fastestPeerNote(result, CACHE_ASYNC, PEERS_STATIC.map(staticName))],
}

/** How many times faster than the fastest peer stratacache's case is. */
function fastestPeerNote(result: GroupResult, subject: string, peers: string[]): string {
  const ours = result.cases.find((c) => c.name === subject)
  const rivals = result.cases.filter((c) => peers.includes(c.name)).sort((a, b) => a.avgNs - b.avgNs)
  const fastest = rivals[0]
  if (!ours || !fastest) return 'no peer measured'
  return `${subject} is **${(fastest.avgNs / ours.avgNs).toFixed(1)}× faster** than the fastest peer with a static key (${fastest.name}); issue 9 asks for ≥ 5×.`
}

/** Group 2b: a sync function-cache hit: stratacache stays sync over MemoryStore. */
export const cacheHitSyncGroup: BenchGroup = {
  id: 'cache-hit-sync',
  number: '2b',
  title: 'Function-cache hit, sync',
  about: [
    'A call of a cached *synchronous* function whose entry is fresh: stratacache keeps it synchronous over `MemoryStore`.',
    `Same keys as 2a. The floor is a hand-written function reading a \`Map\`; lru-cache \`memo()\` has \`max: ${MAX_ENTRIES}, ttl: 60000\``,
    'and a `memoMethod` computing the value. The async peers have no sync API and are not in this group.',
  ].join(' '),
  floor: SYNC_MAP,
  targets: [
    {
      label: 'sync `cache()` hit ≤ lru-cache `memo()` (static key)',
      source: 'issue 3',
      subject: CACHE_SYNC,
      baseline: LRU_MEMO,
      kind: 'atMost',
      ratio: 1,
    },
    {
      label: 'sync `cache()` hit ≤ 3× the sync Map memoizer (static key)',
      source: 'issue 3',
      subject: CACHE_SYNC,
      baseline: SYNC_MAP,
      kind: 'atMost',
      ratio: 3,
    },
    {
      label: 'sync `cache()` `{0}` key ≤ 1.5× static key',
      source: 'issue 3',
      subject: CACHE_SYNC_ID,
      baseline: CACHE_SYNC,
      kind: 'atMost',
      ratio: 1.5,
    },
  ],
  async setup() {
    const cases: BenchCase[] = []
    const add = async (name: string, build: (load: (id: number) => SmallValue) => () => unknown) => {
      const loader = countingLoader()
      const fn = build((id) => loader.sync(id))
      await expectHits(name, fn, loader)
      cases.push({ name, fn })
    }
    await add(SYNC_MAP, (load) => {
      const map = new Map<string, SmallValue>()
      const memo = (): SmallValue => {
        const hit = map.get('static')
        if (hit !== undefined) return hit
        const value = load(ID)
        map.set('static', value)
        return value
      }
      return () => memo()
    })
    await add(SYNC_MAP_ID, (load) => {
      const map = new Map<string, SmallValue>()
      const memo = (id: number): SmallValue => {
        const key = `user:${id}`
        const hit = map.get(key)
        if (hit !== undefined) return hit
        const value = load(id)
        map.set(key, value)
        return value
      }
      return () => memo(ID)
    })
    await add(LRU_MEMO, (load) => {
      const lru = new LRUCache<string, SmallValue>({
        max: MAX_ENTRIES,
        ttl: TTL_MS,
        memoMethod: () => load(ID),
      })
      return () => lru.memo('static')
    })
    await add(LRU_MEMO_ID, (load) => {
      const lru = new LRUCache<string, SmallValue, number>({
        max: MAX_ENTRIES,
        ttl: TTL_MS,
        memoMethod: (_key, _stale, { context }) => load(context),
      })
      const memo = (id: number) => lru.memo(`user:${id}`, { context: id })
      return () => memo(ID)
    })
    const { cache } = createCache({ store: boundedStore })
    await add(CACHE_SYNC, (load) => {
      const cached = cache({ ttl: TTL_SECONDS, key: 'static' })(() => load(ID))
      return () => cached()
    })
    await add(CACHE_SYNC_ID, (load) => {
      const cached = cache({ ttl: TTL_SECONDS, key: 'user:{0}' })((id: number) => load(id))
      return () => cached(ID)
    })
    for (const benchCase of cases) {
      if (benchCase.fn() instanceof Promise)
        throw new Error(`bench case "${benchCase.name}" is not synchronous`)
    }
    return { cases }
  },
}

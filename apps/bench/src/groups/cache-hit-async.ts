import { cachified } from '@epic-web/cachified'
import { cache } from '@stratacache/core'
import { LRUCache } from 'lru-cache'
import type { CountingLoader } from '../counting-loader'
import type { BenchCase, BenchGroup, BenchTarget } from '../harness'
import { MAX_ENTRIES, type SmallValue, TTL_MS, TTL_SECONDS } from '../payload'
import {
  bentoMemory,
  cacheableMemory,
  cacheManagerMemory,
  cachifiedLru,
  dedupeMemory,
  PEER_CONFIGURATION,
} from '../peers'
import {
  argumentsFor,
  boundedStore,
  fastestPeerNote,
  hitCase,
  ID,
  KEY_COUNTS,
  type KeyCount,
  keysLabel,
  type Query,
  queryOf,
} from './hit-cases'

const MAP_STATIC = 'async Map memoizer, static key'
const mapId = (n: KeyCount) => `async Map memoizer, \`user:<id>\` key${keysLabel(n)}`
const FETCH_STATIC = 'lru-cache fetch(), static key'
const fetchId = (n: KeyCount) => `lru-cache fetch(), \`user:<id>\` key${keysLabel(n)}`
const CACHE_STATIC = 'stratacache cache(), static key'
const cacheId = (n: KeyCount) => `stratacache cache(), \`user:{0}\` key${keysLabel(n)}`
const omittedNumber = (n: KeyCount) => `stratacache cache(), omitted key, number argument${keysLabel(n)}`
const omittedObject = (n: KeyCount) => `stratacache cache(), omitted key, object argument${keysLabel(n)}`

const PEERS = [
  'async-cache-dedupe',
  'bentocache getOrSet',
  'cache-manager wrap',
  'cacheable getOrSet',
  '@epic-web/cachified',
]
const peerStatic = (peer: string) => `${peer}, static key`
const peerId = (peer: string, n: KeyCount) => `${peer}, \`user:<id>\` key${keysLabel(n)}`
/** The peers' headline rows: a key built from the argument, one hot key. */
const PEERS_KEYED = PEERS.map((peer) => peerId(peer, 1))
const peerObject = (peer: string) => `${peer}, key from an object argument${keysLabel(1)}`
/** The peers with a key built from an object of three fields (\`find:\${JSON.stringify(query)}\`). */
const PEERS_OBJECT = PEERS.map(peerObject)

const targets: BenchTarget[] = [
  {
    label: 'async `cache()` hit ≤ 1.5× the async Map memoizer (static key)',
    source: 'issue 3',
    subject: CACHE_STATIC,
    baseline: MAP_STATIC,
    kind: 'atMost',
    ratio: 1.5,
  },
  {
    label: 'async `cache()` `{0}` key ≤ 1.5× static key',
    source: 'issue 3',
    subject: cacheId(1),
    baseline: CACHE_STATIC,
    kind: 'atMost',
    ratio: 1.5,
  },
  {
    label: 'async `cache()` hit ≤ lru-cache `fetch()`, static key',
    source: 'issue 17',
    subject: CACHE_STATIC,
    baseline: FETCH_STATIC,
    kind: 'atMost',
    ratio: 1,
  },
  ...KEY_COUNTS.map(
    (n): BenchTarget => ({
      label: `async \`cache()\` hit ≤ lru-cache \`fetch()\`, \`{0}\` key${keysLabel(n)}`,
      source: 'issue 17',
      subject: cacheId(n),
      baseline: fetchId(n),
      kind: 'atMost',
      ratio: 1,
    }),
  ),
  ...KEY_COUNTS.flatMap((n): BenchTarget[] => [
    {
      label: `async omitted-key hit ≤ 2× the \`{0}\` key, number argument${keysLabel(n)}`,
      source: 'issue 17',
      subject: omittedNumber(n),
      baseline: cacheId(n),
      kind: 'atMost',
      ratio: 2,
    },
    {
      label: `async omitted-key hit, object of 3 fields, ≤ 3× the \`{0}\` key over a number${keysLabel(n)}`,
      source: 'issue 17',
      subject: omittedObject(n),
      baseline: cacheId(n),
      kind: 'atMost',
      ratio: 3,
    },
  ]),
  ...[CACHE_STATIC, cacheId(1), omittedNumber(1)].map(
    (subject): BenchTarget => ({
      label: `${subject} ≥ 5× faster than the fastest peer with a key built from the argument (1 key)`,
      source: 'issue 17',
      subject,
      baseline: PEERS_KEYED,
      kind: 'atMost',
      ratio: 0.2,
    }),
  ),
  {
    label: `${omittedObject(1)} ≥ 5× faster than the fastest peer with a key built from the same object`,
    source: 'issue 17',
    subject: omittedObject(1),
    baseline: PEERS_OBJECT,
    kind: 'atMost',
    ratio: 0.2,
  },
]

/**
 * A peer's read of the value for `argument`: under `keyOf(argument)`, or under the constant key
 * `static` when `keyOf` is undefined. async-cache-dedupe derives its key from the argument itself.
 */
function peerRead<A extends number | Query>(
  peer: string,
  loader: CountingLoader,
  teardowns: (() => Promise<unknown>)[],
  keyOf: ((argument: A) => string) | undefined,
): (argument: A) => unknown {
  const load = (argument: A) => loader.load(typeof argument === 'number' ? argument : argument.id)
  const key = keyOf ?? (() => 'static')
  switch (peer) {
    case 'async-cache-dedupe': {
      const dedupe = dedupeMemory().define('load', async (argument: A) => load(argument))
      return keyOf === undefined ? () => dedupe.load(0 as A) : (argument) => dedupe.load(argument)
    }
    case 'bentocache getOrSet': {
      const bento = bentoMemory()
      teardowns.push(() => bento.disconnect())
      return (argument) => bento.getOrSet({ key: key(argument), factory: () => load(argument) })
    }
    case 'cache-manager wrap': {
      const manager = cacheManagerMemory()
      teardowns.push(() => manager.disconnect())
      return (argument) => manager.wrap(key(argument), () => load(argument))
    }
    case 'cacheable getOrSet': {
      const cacheable = cacheableMemory()
      teardowns.push(() => cacheable.disconnect())
      return (argument) => cacheable.getOrSet(key(argument), () => load(argument))
    }
    default: {
      const store = cachifiedLru()
      return (argument) =>
        cachified({ key: key(argument), cache: store, getFreshValue: () => load(argument), ttl: TTL_MS })
    }
  }
}

/** Group 2a: an async function-cache hit: static, `{0}` and omitted keys, 1 and 1,000 keys, against the floors and peers. */
export const cacheHitAsyncGroup: BenchGroup = {
  id: 'cache-hit-async',
  number: '2a',
  title: 'Function-cache hit, async',
  about: [
    'An awaited call of a cached async function whose entry is fresh. Headline rows build the key from the argument',
    `(one hot argument, \`${ID}\`, and 1,000 arguments read round-robin); the static key is a row of its own. Each case`,
    'first proves it hits (every key loads once, then a full second pass loads nothing). The floor is a hand-written',
    '`async` function reading a `Map` under `user:<id>`. lru-cache: `fetch()` with a `fetchMethod`',
    `(\`max: ${MAX_ENTRIES}, ttl: 60000\`), the async API of the library most caches are measured against. stratacache:`,
    `\`cache({ ttl: 60, key, store: () => new MemoryStore({ maxEntries: ${MAX_ENTRIES} }) })(fn)\`; "omitted key" is the`,
    "README's own form, `cache({ ttl: 60 })(fn)`, with a number or an object of three fields (`{ id, org, active }`).",
    `Peers: ${PEER_CONFIGURATION}. Peers that take a key per call get it built the same way (\`user:<id>\`) with a`,
    'factory closure, as their READMEs show; async-cache-dedupe derives its key from the arguments itself. With the',
    'object argument the peers key by `find:` + `JSON.stringify(query)` (not order-independent, unlike stratacache).',
  ].join(' '),
  floor: mapId(1),
  targets,
  async setup() {
    const cases: BenchCase[] = []
    const teardowns: (() => Promise<unknown>)[] = []

    cases.push(
      await hitCase(MAP_STATIC, [ID], (loader) => {
        const map = new Map<string, SmallValue>()
        return async () => {
          const hit = map.get('static')
          if (hit !== undefined) return hit
          const value = await loader.load(ID)
          map.set('static', value)
          return value
        }
      }),
    )
    for (const n of KEY_COUNTS) {
      cases.push(
        await hitCase(mapId(n), argumentsFor(n), (loader) => {
          const map = new Map<string, SmallValue>()
          return async (id) => {
            const key = `user:${id}`
            const hit = map.get(key)
            if (hit !== undefined) return hit
            const value = await loader.load(id)
            map.set(key, value)
            return value
          }
        }),
      )
    }

    cases.push(
      await hitCase(FETCH_STATIC, [ID], (loader) => {
        const lru = new LRUCache<string, SmallValue>({
          max: MAX_ENTRIES,
          ttl: TTL_MS,
          fetchMethod: () => loader.load(ID),
        })
        return () => lru.fetch('static')
      }),
    )
    for (const n of KEY_COUNTS) {
      cases.push(
        await hitCase(fetchId(n), argumentsFor(n), (loader) => {
          const lru = new LRUCache<string, SmallValue, number>({
            max: MAX_ENTRIES,
            ttl: TTL_MS,
            fetchMethod: (_key, _stale, { context }) => loader.load(context),
          })
          return (id) => lru.fetch(`user:${id}`, { context: id })
        }),
      )
    }

    cases.push(
      await hitCase(CACHE_STATIC, [ID], (loader) => {
        const cached = cache({ ttl: TTL_SECONDS, key: 'static', store: boundedStore })(async () =>
          loader.load(ID),
        )
        return () => cached()
      }),
    )
    for (const n of KEY_COUNTS) {
      cases.push(
        await hitCase(cacheId(n), argumentsFor(n), (loader) =>
          cache({ ttl: TTL_SECONDS, key: 'user:{0}', store: boundedStore })(async (id: number) =>
            loader.load(id),
          ),
        ),
        await hitCase(omittedNumber(n), argumentsFor(n), (loader) =>
          cache({ ttl: TTL_SECONDS, store: boundedStore })(async function getUser(id: number) {
            return loader.load(id)
          }),
        ),
        await hitCase(omittedObject(n), argumentsFor(n).map(queryOf), (loader) =>
          cache({ ttl: TTL_SECONDS, store: boundedStore })(async function findUser(query: Query) {
            return loader.load(query.id)
          }),
        ),
      )
    }

    for (const peer of PEERS) {
      cases.push(
        await hitCase(peerStatic(peer), [ID], (loader) => peerRead(peer, loader, teardowns, undefined)),
      )
      for (const n of KEY_COUNTS) {
        cases.push(
          await hitCase(peerId(peer, n), argumentsFor(n), (loader) =>
            peerRead(peer, loader, teardowns, (id: number) => `user:${id}`),
          ),
        )
      }
      cases.push(
        await hitCase(peerObject(peer), [queryOf(ID)], (loader) =>
          peerRead(peer, loader, teardowns, (query: Query) => `find:${JSON.stringify(query)}`),
        ),
      )
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
  summarize: (result) => [
    fastestPeerNote(result, cacheId(1), PEERS_KEYED),
    fastestPeerNote(result, omittedObject(1), PEERS_OBJECT),
  ],
}

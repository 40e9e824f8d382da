import { cachified } from '@epic-web/cachified'
import { createCache, MemoryStore } from '@stratacache/core'
import { RedisStore } from '@stratacache/redis'
import { Redis } from 'ioredis'
import { LRUCache } from 'lru-cache'
import type { BenchContext, BenchGroup, RunOptions, TableResult } from '../harness'
import { median } from '../harness'
import { type SmallValue, smallValue, TTL_MS, TTL_SECONDS } from '../payload'
import { bentoMemory, cacheableMemory, cacheManagerMemory, cachifiedLru, dedupeMemory } from '../peers'

const CALLERS = 1_000
const LOADER_MS = 20
const RUNS = 5

/** A contender: `create()` builds a fresh cache whose `call(key)` reads through a loader. */
interface Contender {
  name: string
  create(
    load: (key: string) => Promise<SmallValue>,
  ): Promise<{ call: (key: string) => Promise<unknown>; close?: () => Promise<unknown> }>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function contenders(context: BenchContext): Contender[] {
  let port: number | undefined
  const redisStore = async (prefix: string) => {
    port ??= await context.redisPort()
    const client = new Redis({ host: '127.0.0.1', port, commandTimeout: 1000 })
    return { store: new RedisStore({ client, prefix }), close: () => client.quit() }
  }
  return [
    {
      name: 'async Map memoizer (no single-flight)',
      async create(load) {
        const map = new Map<string, SmallValue>()
        return {
          call: async (key) => {
            const hit = map.get(key)
            if (hit !== undefined) return hit
            const value = await load(key)
            map.set(key, value)
            return value
          },
        }
      },
    },
    {
      name: 'stratacache cache() over MemoryStore',
      async create(load) {
        const { cache } = createCache({ store: () => new MemoryStore({ maxEntries: 1000 }) })
        return { call: cache({ ttl: TTL_SECONDS, key: '{0}' })(load) }
      },
    },
    {
      name: 'stratacache cache() over RedisStore',
      async create(load) {
        const { store, close } = await redisStore(`bench:stampede:process:${Math.random()}:`)
        return { call: createCache({ store }).cache({ ttl: TTL_SECONDS, key: '{0}' })(load), close }
      },
    },
    {
      name: "stratacache cache() over RedisStore, singleFlight: 'cluster'",
      async create(load) {
        const { store, close } = await redisStore(`bench:stampede:cluster:${Math.random()}:`)
        const cached = createCache({ store }).cache({
          ttl: TTL_SECONDS,
          key: '{0}',
          singleFlight: 'cluster',
        })(load)
        return { call: cached, close }
      },
    },
    {
      name: 'lru-cache fetch()',
      async create(load) {
        const lru = new LRUCache<string, SmallValue>({
          max: 1000,
          ttl: TTL_MS,
          fetchMethod: (key) => load(key),
        })
        return { call: (key) => lru.fetch(key) }
      },
    },
    {
      name: 'async-cache-dedupe',
      async create(load) {
        const dedupe = dedupeMemory(1000).define('load', (key: string) => load(key))
        return { call: (key) => dedupe.load(key) }
      },
    },
    {
      name: 'bentocache getOrSet (memory)',
      async create(load) {
        const bento = bentoMemory(1000)
        return {
          call: (key) => bento.getOrSet({ key, factory: () => load(key) }),
          close: () => bento.disconnect(),
        }
      },
    },
    {
      name: 'cache-manager wrap (memory)',
      async create(load) {
        const manager = cacheManagerMemory(1000)
        return { call: (key) => manager.wrap(key, () => load(key)), close: () => manager.disconnect() }
      },
    },
    {
      name: 'cacheable getOrSet (memory)',
      async create(load) {
        const cacheable = cacheableMemory(1000)
        return {
          call: (key) => cacheable.getOrSet(key, () => load(key)),
          close: () => cacheable.disconnect(),
        }
      },
    },
    {
      name: '@epic-web/cachified (lru-cache adapter)',
      async create(load) {
        const store = cachifiedLru(1000)
        return {
          call: (key) => cachified({ key, cache: store, getFreshValue: () => load(key), ttl: TTL_MS }),
        }
      },
    },
  ]
}

/** One stampede: `CALLERS` concurrent calls on one cold key; loader calls and wall time until all have their value. */
async function stampede(
  contender: Contender,
  run: number,
): Promise<{ calls: number; wallMs: number; served: number }> {
  let calls = 0
  const load = async (key: string) => {
    calls++
    await sleep(LOADER_MS)
    return smallValue(key.length)
  }
  const { call, close } = await contender.create(load)
  try {
    const key = `stampede-${run}`
    const started = performance.now()
    const results = await Promise.allSettled(Array.from({ length: CALLERS }, () => call(key)))
    const wallMs = performance.now() - started
    const served = results.filter(
      (r) => r.status === 'fulfilled' && (r.value as SmallValue | undefined)?.name !== undefined,
    ).length
    return { calls, wallMs, served }
  } finally {
    // stratacache completes the store write (and releases a cluster lease) after the callers got
    // their value: let that land before the client is closed.
    await sleep(LOADER_MS)
    await close?.()
  }
}

/** Group 7: a cache stampede. */
export const stampedeGroup: BenchGroup = {
  id: 'stampede',
  number: '7',
  title: `Stampede: ${CALLERS.toLocaleString('en')} concurrent callers on one cold key, ${LOADER_MS} ms loader`,
  about: [
    `${CALLERS.toLocaleString('en')} calls are started at once on a key nobody has cached; the loader sleeps ${LOADER_MS} ms.`,
    `Each library runs ${RUNS} stampedes on fresh caches and keys: the table gives the loader calls (most over the runs),`,
    'the wall time until every caller has settled (median and worst), and how many callers got the value (least).',
    'In-memory peers are configured as in group 2a; the Redis rows use a local `redis-server`.',
  ].join(' '),
  async table(context: BenchContext, _options: RunOptions): Promise<TableResult> {
    const rows = []
    for (const contender of contenders(context)) {
      const runs = []
      for (let run = 0; run < RUNS; run++) runs.push(await stampede(contender, run))
      rows.push({
        name: contender.name,
        values: {
          'loader calls': Math.max(...runs.map((r) => r.calls)),
          'wall p50 (ms)': median(runs.map((r) => r.wallMs)).toFixed(1),
          'wall max (ms)': Math.max(...runs.map((r) => r.wallMs)).toFixed(1),
          'callers served': Math.min(...runs.map((r) => r.served)),
        },
      })
    }
    return { columns: ['loader calls', 'wall p50 (ms)', 'wall max (ms)', 'callers served'], rows }
  },
  summarize(result) {
    return (result.table?.rows ?? [])
      .filter((row) => row.name.startsWith('stratacache'))
      .map(
        (row) =>
          `Stampede, ${row.name}: ${row.values['loader calls']} loader call(s) for ${CALLERS.toLocaleString('en')} callers, all settled in ${row.values['wall p50 (ms)']} ms (median; the loader takes ${LOADER_MS} ms).`,
      )
  },
}

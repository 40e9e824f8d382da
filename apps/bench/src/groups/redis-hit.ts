import { createKeyv as createKeyvRedis } from '@keyv/redis'
import { createCache, EntryCodec } from '@stratacache/core'
import { RedisStore } from '@stratacache/redis'
import { BentoCache, bentostore } from 'bentocache'
import { redisDriver } from 'bentocache/drivers/redis'
import { createCache as createCacheManager } from 'cache-manager'
import { Cacheable } from 'cacheable'
import { Redis, type RedisOptions } from 'ioredis'
import { countingLoader } from '../counting-loader'
import { type BenchCase, type BenchContext, type BenchGroup, LatencyRecorder, nowNs } from '../harness'
import { type SmallValue, TTL_MS, TTL_SECONDS } from '../payload'
import { roundRobin } from '../round-robin'

/** Calls kept in flight at once by the concurrent cases. */
const IN_FLIGHT = 100
/** Operations one measured call of a concurrent case runs (`IN_FLIGHT` workers, 10 each). */
const OPS_PER_CALL = 1_000

const RAW = 'raw ioredis getBuffer + EntryCodec.decode'
const RAW_TIMEOUT = 'raw ioredis getBuffer + EntryCodec.decode, client with commandTimeout'
const RAW_JSON = 'raw ioredis get + JSON.parse'
const RAW_PIPELINED = 'raw ioredis auto-pipelined getBuffer + EntryCodec.decode'
const STRATA = 'stratacache cache() over RedisStore'
const STORE_GET = 'stratacache RedisStore.get alone (no cache())'
const STRATA_TIMER = 'stratacache cache() over RedisStore, client without commandTimeout'
const BENTO = 'bentocache getOrSet, L2 only'
const MANAGER = 'cache-manager wrap + @keyv/redis'
const CACHEABLE = 'cacheable getOrSet + @keyv/redis'

interface Mode {
  number: string
  id: string
  /** Distinct keys read round-robin. */
  keys: number
  concurrent: boolean
}

const MODES: Mode[] = [
  { number: '5a', id: 'redis-seq-1', keys: 1, concurrent: false },
  { number: '5b', id: 'redis-seq-10k', keys: 10_000, concurrent: false },
  { number: '5c', id: 'redis-flight-1', keys: 1, concurrent: true },
  { number: '5d', id: 'redis-flight-10k', keys: 10_000, concurrent: true },
]

/** One contender: reads the entry of id `ids[i]`, loading and storing it on a miss. */
type Read = (id: number) => Promise<unknown>

/** Runs `read` over the ids with at most `IN_FLIGHT` calls at once. */
async function forEachConcurrently(ids: number[], read: Read): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, ids.length) }, async () => {
      while (next < ids.length) await read(ids[next++] as number)
    }),
  )
}

/** The measured function of a contender in a mode, and its per-operation latency recorder. */
function measured(
  mode: Mode,
  ids: number[],
  read: Read,
): Pick<BenchCase, 'fn' | 'opsPerCall' | 'perCall' | 'latencies'> {
  const nextId = roundRobin(ids)
  if (!mode.concurrent) return { fn: () => read(nextId()), perCall: true }
  const latencies = new LatencyRecorder()
  const perWorker = OPS_PER_CALL / IN_FLIGHT
  const worker = async () => {
    for (let i = 0; i < perWorker; i++) {
      const started = nowNs()
      await read(nextId())
      latencies.record(started)
    }
  }
  return {
    fn: () => Promise.all(Array.from({ length: IN_FLIGHT }, worker)),
    opsPerCall: OPS_PER_CALL,
    latencies,
  }
}

async function setup(mode: Mode, context: BenchContext) {
  const port = await context.redisPort()
  const clients: Redis[] = []
  const client = (options: RedisOptions = {}) => {
    const created = new Redis({ host: '127.0.0.1', port, lazyConnect: false, ...options })
    clients.push(created)
    return created
  }
  const url = `redis://127.0.0.1:${port}`
  const ids = Array.from({ length: mode.keys }, (_, i) => i)
  const closers: (() => Promise<unknown>)[] = []
  const teardown = async () => {
    await Promise.all(closers.map((close) => close().catch(() => undefined)))
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())))
  }
  try {
    const pipelined = mode.concurrent
    // stratacache: a client bounded by ioredis itself (no store timer), auto-pipelined when calls overlap.
    const store = new RedisStore({
      client: client({ commandTimeout: 1000, enableAutoPipelining: pipelined }),
      prefix: `bench:${mode.id}:strata:`,
    })
    const timedStore = new RedisStore({
      client: client({ enableAutoPipelining: pipelined }),
      prefix: `bench:${mode.id}:strata-timed:`,
    })
    const instance = createCache({ store })
    const timedInstance = createCache({ store: timedStore })
    const bento = new BentoCache({
      default: 'redis',
      ttl: `${TTL_SECONDS}s`,
      stores: {
        redis: bentostore().useL2Layer(
          redisDriver({
            connection: client({ enableAutoPipelining: pipelined }),
            prefix: `bench:${mode.id}:bento`,
          }),
        ),
      },
    })
    closers.push(() => bento.disconnect())
    const manager = createCacheManager({
      stores: [createKeyvRedis(url, { namespace: `bench:${mode.id}:manager` })],
      ttl: TTL_MS,
    })
    closers.push(() => manager.disconnect())
    const cacheable = new Cacheable({
      primary: createKeyvRedis(url, { namespace: `bench:${mode.id}:cacheable` }),
      ttl: TTL_MS,
    })
    closers.push(() => cacheable.disconnect())

    const codec = new EntryCodec()
    const raw = client()
    const rawTimeout = client({ commandTimeout: 1000, enableAutoPipelining: pipelined })
    const rawPipelined = client({ enableAutoPipelining: true })
    const jsonKey = (id: number) => `bench:${mode.id}:json:user:${id}`

    const contenders: [string, (load: (id: number) => Promise<SmallValue>) => Read][] = [
      [
        RAW,
        () => async (id) => {
          const bytes = await raw.getBuffer(store.redisKey(`user:${id}`))
          return bytes === null ? undefined : (await codec.decode(bytes)).value
        },
      ],
      [
        RAW_TIMEOUT,
        () => async (id) => {
          const bytes = await rawTimeout.getBuffer(store.redisKey(`user:${id}`))
          return bytes === null ? undefined : (await codec.decode(bytes)).value
        },
      ],
      [
        RAW_JSON,
        () => async (id) => {
          const text = await raw.get(jsonKey(id))
          return text === null ? undefined : JSON.parse(text)
        },
      ],
      [
        RAW_PIPELINED,
        () => async (id) => {
          const bytes = await rawPipelined.getBuffer(store.redisKey(`user:${id}`))
          return bytes === null ? undefined : (await codec.decode(bytes)).value
        },
      ],
      [STRATA, (load) => instance.cache({ ttl: TTL_SECONDS, key: 'user:{0}' })(load)],
      [STORE_GET, () => async (id) => (await store.get(`user:${id}`))?.value],
      [STRATA_TIMER, (load) => timedInstance.cache({ ttl: TTL_SECONDS, key: 'user:{0}' })(load)],
      [BENTO, (load) => (id) => bento.getOrSet({ key: `user:${id}`, factory: () => load(id) })],
      [MANAGER, (load) => (id) => manager.wrap(`user:${id}`, () => load(id))],
      [CACHEABLE, (load) => (id) => cacheable.getOrSet(`user:${id}`, () => load(id))],
    ]

    const reads: [string, Read][] = []
    for (const [name, build] of contenders) {
      const loader = countingLoader()
      const read = build((id) => loader.load(id))
      if (![RAW, RAW_TIMEOUT, RAW_PIPELINED, RAW_JSON, STORE_GET].includes(name)) {
        await forEachConcurrently(ids, read)
        const loads = loader.calls
        await forEachConcurrently(ids, read)
        if (loads !== ids.length || loader.calls !== loads) {
          throw new Error(
            `bench case "${name}": ${loader.calls} loads for ${ids.length} keys read twice (expected ${ids.length})`,
          )
        }
      }
      if (name === RAW_JSON) {
        const writer = client()
        await forEachConcurrently(ids, (id) =>
          writer.set(jsonKey(id), JSON.stringify(loader.sync(id)), 'PX', TTL_MS),
        )
      }
      reads.push([name, read])
    }
    // The floors read what stratacache wrote: check every contender once everything is seeded.
    const cases: BenchCase[] = []
    for (const [name, read] of reads) {
      if ((await read(0)) === undefined) throw new Error(`bench case "${name}": no value for key 0`)
      cases.push({ name, ...measured(mode, ids, read) })
    }
    return { cases, teardown }
  } catch (error) {
    await teardown()
    throw error
  }
}

function redisGroup(mode: Mode): BenchGroup {
  const shape = `${mode.concurrent ? `${IN_FLIGHT} calls in flight` : 'sequential calls'} over ${mode.keys === 1 ? '1 key' : `${mode.keys.toLocaleString('en')} keys`}`
  const floor = mode.concurrent ? RAW_PIPELINED : RAW
  return {
    id: mode.id,
    number: mode.number,
    title: `Redis hit, ${shape}`,
    about: [
      `A hit on the same local \`redis-server\` (started by the run on 127.0.0.1) for every contender, ${shape}, small`,
      'objects. The floors read the exact bytes `RedisStore` wrote (`getBuffer` + `EntryCodec.decode`, awaited; and a plain',
      '`get` + `JSON.parse` of the same value as JSON), without and with ioredis auto-pipelining; one more row reads through',
      'a client configured like stratacache’s (`commandTimeout: 1000`) to show what that bound costs by itself, and one calls',
      '`RedisStore.get` directly, to split the store’s cost from `cache()`’s. stratacache:',
      '`cache({ ttl: 60, key: "user:{0}" })` over `new RedisStore({ client })`, the client created with `commandTimeout: 1000`',
      '(ioredis bounds each call; the store arms no timer) and, second row, without it (the store bounds each call with',
      `its own timer, the default when a client is passed).${mode.concurrent ? ' Every ioredis client is auto-pipelined here.' : ''}`,
      'bentocache: one L2 `redisDriver` layer (no L1) on its own ioredis client. cache-manager and cacheable: a Keyv over',
      '`@keyv/redis` (node-redis client) as their only store.',
      mode.concurrent
        ? `A measured call runs ${OPS_PER_CALL} reads with ${IN_FLIGHT} workers; mean/op is wall time / ${OPS_PER_CALL}, p50/p99 are per-read latencies under that load.`
        : 'Every call is timed on its own (p50/p99 are single-call latencies).',
    ].join(' '),
    floor,
    targets: mode.concurrent
      ? mode.keys > 1
        ? [
            {
              label: `\`cache()\` over \`RedisStore\`, ${shape}: throughput ≥ 0.9× raw ioredis auto-pipelined`,
              source: 'issue 6',
              subject: STRATA,
              baseline: RAW_PIPELINED,
              kind: 'atLeast',
              ratio: 0.9,
            },
          ]
        : []
      : [
          {
            label: `\`cache()\` over \`RedisStore\`, ${shape}: ≤ 1.1× raw getBuffer + decode`,
            source: 'issue 6',
            subject: STRATA,
            baseline: RAW,
            kind: 'atMost',
            ratio: 1.1,
          },
        ],
    setup: (context) => setup(mode, context),
  }
}

/** Group 5a–5d: a Redis hit, sequential and concurrent, over 1 and 10k keys. */
export const redisHitGroups: BenchGroup[] = MODES.map(redisGroup)

import { createKeyv as createKeyvRedis } from '@keyv/redis'
import { createCache, EntryCodec } from '@stratacache/core'
import { RedisStore } from '@stratacache/redis'
import { BentoCache, bentostore } from 'bentocache'
import { redisDriver } from 'bentocache/drivers/redis'
import { createCache as createCacheManager } from 'cache-manager'
import { Cacheable } from 'cacheable'
import { Redis, type RedisOptions } from 'ioredis'
import { countingLoader } from '../counting-loader'
import type { BenchCase, BenchContext, BenchGroup, BenchTarget } from '../harness'
import { measuredReads } from '../measured-reads'
import { type SmallValue, TTL_MS, TTL_SECONDS } from '../payload'

/** Calls kept in flight at once by the concurrent cases. */
const IN_FLIGHT = 100
/** Operations one measured call of a concurrent case runs (`IN_FLIGHT` workers, 10 each). */
const OPS_PER_CALL = 1_000

const RAW = 'raw ioredis GET'
const RAW_DECODE = 'raw ioredis GET + EntryCodec.decode'
const RAW_PIPELINED = 'raw ioredis auto-pipelined GET'
const RAW_PIPELINED_DECODE = 'raw ioredis auto-pipelined GET + EntryCodec.decode'
const STRATA_URL = 'stratacache cache() over RedisStore({ url })'
const STRATA_CLIENT = 'stratacache cache() over RedisStore({ client: new Redis(url) })'
const STORE_GET = 'stratacache RedisStore({ url }).get alone (no cache())'
const BENTO = 'bentocache getOrSet, L2 only'
const MANAGER = 'cache-manager wrap + @keyv/redis'
const CACHEABLE = 'cacheable getOrSet + @keyv/redis'
/** Contenders that read what another wrote, with no loader of their own. */
const READ_ONLY = [RAW, RAW_DECODE, RAW_PIPELINED, RAW_PIPELINED_DECODE, STORE_GET]
const STRATA = [STRATA_URL, STRATA_CLIENT]

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
    // stratacache as its README shows it: a store built from a URL (it owns a client bounded by
    // `operationTimeout`), and a store over a plain client the user made, `new Redis(url)`.
    const urlStore = new RedisStore({ url, prefix: `bench:${mode.id}:strata:` })
    closers.push(() => urlStore.close())
    const clientStore = new RedisStore({ client: client(), prefix: `bench:${mode.id}:strata:` })
    const urlInstance = createCache({ store: urlStore })
    const clientInstance = createCache({ store: clientStore })
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
    // The floors: a GET of the bytes the stores wrote, over the client of the README (`new Redis(url)`),
    // and over one with ioredis auto-pipelining (the fastest way to keep many GETs in flight).
    const raw = client()
    const rawPipelined = client({ enableAutoPipelining: true })
    const keyOf = (id: number) => urlStore.redisKey(`user:${id}`)
    const decoded = async (bytes: Buffer | null) =>
      bytes === null ? undefined : (await codec.decode(bytes)).value

    const contenders: [string, (load: (id: number) => Promise<SmallValue>) => Read][] = [
      [RAW, () => (id) => raw.getBuffer(keyOf(id))],
      [RAW_DECODE, () => async (id) => decoded(await raw.getBuffer(keyOf(id)))],
      [RAW_PIPELINED, () => (id) => rawPipelined.getBuffer(keyOf(id))],
      [RAW_PIPELINED_DECODE, () => async (id) => decoded(await rawPipelined.getBuffer(keyOf(id)))],
      [STRATA_URL, (load) => urlInstance.cache({ ttl: TTL_SECONDS, key: 'user:{0}' })(load)],
      [STRATA_CLIENT, (load) => clientInstance.cache({ ttl: TTL_SECONDS, key: 'user:{0}' })(load)],
      [STORE_GET, () => async (id) => (await urlStore.get(`user:${id}`))?.value],
      [BENTO, (load) => (id) => bento.getOrSet({ key: `user:${id}`, factory: () => load(id) })],
      [MANAGER, (load) => (id) => manager.wrap(`user:${id}`, () => load(id))],
      [CACHEABLE, (load) => (id) => cacheable.getOrSet(`user:${id}`, () => load(id))],
    ]

    const reads: [string, Read][] = []
    for (const [name, build] of contenders) {
      const loader = countingLoader()
      const read = build((id) => loader.load(id))
      if (!READ_ONLY.includes(name)) {
        await forEachConcurrently(ids, read)
        const loads = loader.calls
        await forEachConcurrently(ids, read)
        // The two stratacache stores share a prefix: the second finds what the first wrote.
        const expected = name === STRATA_CLIENT ? 0 : ids.length
        if (loads !== expected || loader.calls !== loads) {
          throw new Error(
            `bench case "${name}": ${loader.calls} loads for ${ids.length} keys read twice (expected ${expected})`,
          )
        }
      }
      reads.push([name, read])
    }
    // The floors read what stratacache wrote: check every contender once everything is seeded.
    const cases: BenchCase[] = []
    for (const [name, read] of reads) {
      if ((await read(0)) === undefined) throw new Error(`bench case "${name}": no value for key 0`)
      cases.push({
        name,
        ...measuredReads(
          ids,
          read,
          mode.concurrent ? { inFlight: IN_FLIGHT, opsPerCall: OPS_PER_CALL } : undefined,
        ),
      })
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
      'objects. The floor is a raw `getBuffer` of the bytes `RedisStore` wrote, over the client the README shows',
      `(\`new Redis(url)\`, no options)${mode.concurrent ? ' with ioredis auto-pipelining on (`enableAutoPipelining: true`)' : ''};`,
      'the same read followed by `EntryCodec.decode` is a row of its own, and one row calls `RedisStore.get` directly, to',
      'split the store’s cost from `cache()`’s. stratacache: `cache({ ttl: 60, key: "user:{0}" })` over',
      '`new RedisStore({ url })` (the store owns its client, bounded by `operationTimeout`) and over',
      '`new RedisStore({ client: new Redis(url) })` (a plain client of the user’s, no auto-pipelining: the store batches',
      'the reads of one tick into one `MGET` itself). bentocache: one L2 `redisDriver` layer (no L1) on its own ioredis',
      `client${mode.concurrent ? ' (auto-pipelined)' : ''}. cache-manager and cacheable: a Keyv over \`@keyv/redis\``,
      '(node-redis client) as their only store.',
      mode.concurrent
        ? `A measured call runs ${OPS_PER_CALL} reads with ${IN_FLIGHT} workers; mean/op is wall time / ${OPS_PER_CALL}, p50/p99 are per-read latencies under that load.`
        : 'Every call is timed on its own (p50/p99 are single-call latencies).',
    ].join(' '),
    floor,
    targets: STRATA.flatMap((subject): BenchTarget[] =>
      mode.concurrent
        ? mode.keys > 1
          ? [
              {
                label: `${subject}, ${shape}: throughput ≥ 1.0× raw auto-pipelined GET`,
                source: 'issue 17',
                subject,
                baseline: RAW_PIPELINED,
                kind: 'atLeast',
                ratio: 1,
              },
              {
                label: `${subject}, ${shape}: throughput ≥ 1.5× cacheable`,
                source: 'issue 17',
                subject,
                baseline: CACHEABLE,
                kind: 'atLeast',
                ratio: 1.5,
              },
            ]
          : []
        : [
            {
              label: `${subject}, ${shape}: ≤ 1.1× raw GET`,
              source: 'issue 17',
              subject,
              baseline: RAW,
              kind: 'atMost',
              ratio: 1.1,
            },
          ],
    ),
    setup: (context) => setup(mode, context),
  }
}

/** Group 5a–5d: a Redis hit, sequential and concurrent, over 1 and 10k keys. */
export const redisHitGroups: BenchGroup[] = MODES.map(redisGroup)

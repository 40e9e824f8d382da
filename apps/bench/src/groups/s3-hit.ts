import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { createCache, EntryCodec } from '@stratacache/core'
import { S3Store } from '@stratacache/s3'
import { buildApp } from 'fauxqs'
import { countingLoader } from '../counting-loader'
import type { BenchCase, BenchGroup, GroupResult } from '../harness'
import { measuredReads } from '../measured-reads'

/** Calls kept in flight at once by the concurrent case. */
const IN_FLIGHT = 100
/** Reads one measured call of the concurrent case runs: one wave of `IN_FLIGHT` concurrent hits. */
const OPS_PER_CALL = 100
/** Distinct keys read round-robin (many, so concurrent `cache()` hits never share one store read). */
const KEYS = 1_000
const BUCKET = 'bench'
/**
 * Longer than the shared `TTL_SECONDS`: seeding 1,000 keys over HTTP on a loaded machine and
 * seven rounds can outlast a minute, and a dead entry would turn hits into reloads mid-run.
 */
const TTL_SECONDS = 86_400
/** Generous: a loaded shared machine must not turn seeding calls into timeouts (fail-open misses). */
const OPERATION_TIMEOUT_SECONDS = 30

const RAW = 'raw GetObject + EntryCodec.decode'
const STRATA = 'stratacache cache() over S3Store'
const STORE_GET = 'stratacache S3Store.get alone (no cache())'

type Read = (id: number) => Promise<unknown>

interface Mode {
  number: string
  id: string
  concurrent: boolean
}

const MODES: Mode[] = [
  { number: '13a', id: 's3-hit-seq', concurrent: false },
  { number: '13b', id: 's3-hit-flight', concurrent: true },
]

/** Runs `read` over every id with at most `IN_FLIGHT` calls at once. */
async function forEachConcurrently(ids: number[], read: Read): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < ids.length) await read(ids[next++] as number)
    }),
  )
}

async function setup(mode: Mode) {
  // fauxqs in this process, on 127.0.0.1 and a free port; stopped by teardown.
  const app = buildApp({ logger: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  const settings = {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  }
  const raw = new S3Client(settings)
  const store = new S3Store({
    ...settings,
    bucket: BUCKET,
    prefix: `${mode.id}/`,
    operationTimeout: OPERATION_TIMEOUT_SECONDS,
  })
  const teardown = async () => {
    await store.close().catch(() => undefined)
    raw.destroy()
    await app.close()
  }
  try {
    await raw.send(new CreateBucketCommand({ Bucket: BUCKET }))
    const ids = Array.from({ length: KEYS }, (_, i) => i)
    const instance = createCache({ store })
    const loader = countingLoader()
    const cached = instance.cache({ ttl: TTL_SECONDS, key: 'user:{0}' })((id: number) => loader.load(id))
    await forEachConcurrently(ids, cached)
    await forEachConcurrently(ids, cached)
    if (loader.calls !== KEYS)
      throw new Error(`bench s3-hit: ${loader.calls} loads for ${KEYS} keys read twice`)

    const codec = new EntryCodec()
    // The raw floor reads the very objects S3Store wrote, by their names.
    const names = ids.map((id) => store.objectNameOf(`user:${id}`))
    const rawRead: Read = async (id) => {
      const response = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: names[id] }))
      const bytes = await response.Body?.transformToByteArray()
      return bytes === undefined ? undefined : (await codec.decode(bytes)).value
    }
    const reads: [string, Read][] = [
      [RAW, rawRead],
      [STRATA, cached],
      [STORE_GET, async (id) => (await store.get(`user:${id}`))?.value],
    ]
    const cases: BenchCase[] = []
    for (const [name, read] of reads) {
      const value = (await read(7)) as { id?: number } | undefined
      if (value?.id !== 7) throw new Error(`bench case "${name}": no value for key 7`)
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

function summarize(result: GroupResult): string[] {
  const raw = result.cases.find((c) => c.name === RAW)
  const strata = result.cases.find((c) => c.name === STRATA)
  if (raw === undefined || strata === undefined) return []
  return [
    `cache() over S3Store: ${Math.round(strata.opsPerSecond).toLocaleString('en')} hits/s vs raw GetObject + decode ${Math.round(raw.opsPerSecond).toLocaleString('en')}/s (${(strata.opsPerSecond / raw.opsPerSecond).toFixed(2)}×)`,
  ]
}

function s3Group(mode: Mode): BenchGroup {
  const shape = mode.concurrent ? `${IN_FLIGHT} calls in flight` : 'sequential calls'
  return {
    id: mode.id,
    number: mode.number,
    title: `S3 hit, ${shape} over ${KEYS.toLocaleString('en')} keys`,
    about: [
      `A hit on the same fauxqs S3 server (in this process, 127.0.0.1) for every contender, ${shape}, small objects`,
      `round-robin over ${KEYS.toLocaleString('en')} keys. The floor reads the exact objects \`S3Store\` wrote with a raw`,
      '`GetObject` on its own `S3Client` (configured like the store’s) and decodes them with `EntryCodec.decode`.',
      `stratacache: \`cache({ ttl: ${TTL_SECONDS}, key: "user:{0}" })\` over \`new S3Store({ endpoint, bucket, prefix, operationTimeout: ${OPERATION_TIMEOUT_SECONDS} })\``,
      '(its own client, built on first use; both clients keep the SDK default pool of 50 sockets, so 100 calls in flight queue on it); a second row calls `S3Store.get` directly.',
      mode.concurrent
        ? `A measured call runs ${OPS_PER_CALL} reads with ${IN_FLIGHT} workers; mean/op is wall time / ${OPS_PER_CALL}.`
        : 'Every call is timed on its own (p50/p99 are single-call latencies).',
    ].join(' '),
    floor: RAW,
    targets: mode.concurrent
      ? []
      : [
          {
            label: '`cache()` hit over `S3Store`: ≤ 1.1× raw GetObject + codec decode',
            source: 'issue 13',
            subject: STRATA,
            baseline: RAW,
            kind: 'atMost',
            ratio: 1.1,
          },
        ],
    setup: () => setup(mode),
    summarize,
  }
}

/** Group 13a–13b (issue 13): an S3 hit through `cache()` against a raw GetObject, sequential and 100 in flight. */
export const s3HitGroups: BenchGroup[] = MODES.map(s3Group)

import { createCache, EntryCodec } from '@stratacache/core'
import { GcsStore } from '@stratacache/gcs'
import { type GcsEmulator, startGcsEmulator } from '../../../../packages/gcs/test/support/gcs-emulator'
import { countingLoader } from '../counting-loader'
import type { BenchCase, BenchContext, BenchGroup, GroupSetup } from '../harness'
import { TTL_SECONDS } from '../payload'
import { roundRobin } from '../round-robin'

/** Distinct keys read round-robin. */
const KEYS = 100
const BUCKET = 'bench'

const RAW = 'raw file.download() + EntryCodec.decode'
const STRATA = 'stratacache cache() over GcsStore'
const STORE_GET = 'stratacache GcsStore.get alone (no cache())'

async function setup(context: BenchContext): Promise<GroupSetup> {
  const gcs: GcsEmulator = await startGcsEmulator()
  context.log(`GCS emulator (firebase-tools, in-process) on ${gcs.apiEndpoint}`)
  const stores: GcsStore[] = []
  const teardown = async () => {
    await Promise.all(stores.map((store) => store.close().catch(() => undefined)))
    await gcs.close()
  }
  try {
    await gcs.createBucket(BUCKET)
    // The store builds its own client as a user's would (no retries, operationTimeout as request timeout).
    const store = new GcsStore({
      bucket: BUCKET,
      apiEndpoint: gcs.apiEndpoint,
      projectId: gcs.projectId,
      prefix: 'hit/',
    })
    stores.push(store)
    const { cache } = createCache({ store })
    const loader = countingLoader()
    const cached = cache({ ttl: TTL_SECONDS, key: 'user:{0}' })((id: number) => loader.load(id))
    const ids = Array.from({ length: KEYS }, (_, i) => i)
    // refresh() waits for its write (a miss writes in the background); the reads after it are hits.
    for (const id of ids) await cached.refresh(id)
    for (const id of ids) await cached(id)
    if (loader.calls !== KEYS)
      throw new Error(`bench gcs-hit: ${loader.calls} loads for ${KEYS} keys read twice`)

    // The floor: the same objects through a client configured like the store's, decoded by hand.
    const bucket = gcs.storage({ timeout: 5_000 }).bucket(BUCKET)
    const codec = new EntryCodec()
    const raw = async (id: number) => {
      const [bytes] = await bucket.file(store.objectNameOf(`user:${id}`)).download()
      return (await codec.decode(bytes)).value
    }
    const reads: [string, (id: number) => Promise<unknown>][] = [
      [RAW, raw],
      [STRATA, cached],
      [STORE_GET, async (id) => (await store.get(`user:${id}`))?.value],
    ]
    const cases: BenchCase[] = []
    for (const [name, read] of reads) {
      if ((await read(0)) === undefined) throw new Error(`bench case "${name}": no value for key 0`)
      const next = roundRobin(ids)
      cases.push({ name, fn: () => read(next()), perCall: true })
    }
    return { cases, teardown }
  } catch (error) {
    await teardown()
    throw error
  }
}

/** A hit over GCS (issue 14): `cache()` over `GcsStore` against a raw download of the same object. */
export const gcsHitGroup: BenchGroup = {
  id: 'gcs-hit',
  number: '14',
  title: 'GCS hit, sequential calls over 100 keys',
  about: [
    'A hit on the same Cloud Storage JSON API for every contender: the firebase-tools emulator, started by the group',
    'in-process on 127.0.0.1 behind the GCS-fidelity layer of `packages/gcs/test/support` (as the tests use it), small',
    'objects, sequential calls over 100 keys. The floor downloads the exact object `GcsStore` wrote with `file.download()`',
    '(`@google-cloud/storage`, one request) and decodes it with `EntryCodec.decode`. stratacache: `cache({ ttl: 60, key:',
    '"user:{0}" })` over `new GcsStore({ bucket, apiEndpoint })` (the client the store builds); one more row calls',
    '`GcsStore.get` directly. Every call is timed on its own (p50/p99 are single-call latencies).',
  ].join(' '),
  floor: RAW,
  targets: [
    {
      label: '`cache()` over `GcsStore` hit: ≤ 1.1× raw `file.download()` + decode',
      source: 'issue 14',
      subject: STRATA,
      baseline: RAW,
      kind: 'atMost',
      ratio: 1.1,
    },
  ],
  setup,
}

/**
 * The stratacache tour: what a backend team gets by wrapping an expensive function once.
 * Runs on embedded defaults (a memory tier over a file tier); adds a Redis tier when `redisUrl`
 * is given, and an S3 and a GCS tier below it when `s3Url` and `gcsUrl` are. Every step prints what happened and returns
 * the numbers, so the tour is also a test.
 */

import { ChainStore, type ChainTier } from '@stratacache/chain'
import {
  type CacheStore,
  createCache,
  formatStats,
  InMemoryMetrics,
  instrument,
  MemoryStore,
} from '@stratacache/core'
import { FileStore } from '@stratacache/file'
import { openTier } from './serve/open-tier'

/** Options of {@link runTour}. */
export interface TourOptions {
  /** Directory of the file tier. */
  dir: string
  /** A `redis://` URL: adds a Redis tier. */
  redisUrl?: string | undefined
  /** An `s3://bucket/prefix?region=…` URL: adds an S3 tier (the cold, durable one) at the bottom. */
  s3Url?: string | undefined
  /** A `gs://bucket/prefix` URL: adds a Google Cloud Storage tier at the bottom. */
  gcsUrl?: string | undefined
  /** Where the tour prints. @defaultValue `console.log` */
  print?: (line: string) => void
}

/** What the tour observed, step by step. */
export interface TourSummary {
  tiers: string[]
  firstCallMs: number
  secondCallMs: number
  stampedeCallers: number
  stampedeLoaderCalls: number
  staleServed: boolean
  refreshedInBackground: boolean
  survivedRestart: boolean
  flagsVersions: number[]
  onceRan: number
  onceSkipped: number
  stats: string
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const elapsed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now()
  const value = await fn()
  return [value, performance.now() - started]
}

/** Runs the tour; resolves what it observed. Every store and timer it opened is closed. */
export async function runTour(options: TourOptions): Promise<TourSummary> {
  const print = options.print ?? ((line: string) => console.log(line))
  const metrics = new InMemoryMetrics()
  const opened: CacheStore[] = []
  const tier = <S extends CacheStore>(store: S, name: string): S => {
    opened.push(store)
    return instrument(store, metrics, name) as S
  }

  // 1. Tiers, fastest first, served as one store: reads stop at the first tier that has the
  //    entry and promote it upwards; writes go through every tier. Each tier reports on its own.
  const tierNames = ['L1:memory', 'L2:file']
  const tiers: ChainTier[] = [
    { store: tier(new MemoryStore({ maxEntries: 10_000 }), 'L1:memory'), ttl: '1m' },
    { store: tier(new FileStore({ dir: options.dir }), 'L2:file') },
  ]
  const lower: [kind: string, url: string | undefined][] = [
    ['redis', options.redisUrl],
    ['s3', options.s3Url],
    ['gcs', options.gcsUrl],
  ]
  for (const [kind, url] of lower) {
    if (!url) continue
    const name = `L${tiers.length + 1}:${kind}`
    tiers.push({ store: tier(await openTier(url), name) })
    tierNames.push(name)
  }
  const chain = new ChainStore(tiers, { closeTiers: false })
  print(`tiers: ${tierNames.join(' → ')}`)

  const app = createCache({
    store: chain,
    prefix: 'tour',
    metrics,
    onError: (e) => print(`  (handled) ${String(e)}`),
  })
  try {
    // 2. Wrap an expensive function once.
    let userLoads = 0
    const getUser = app.cache({ ttl: '300ms', stale: '10s', key: 'user:{0}', name: 'getUser' })(
      async (id: number) => {
        userLoads++
        await sleep(40)
        return { id, name: `user ${id}`, version: userLoads }
      },
    )
    const [, firstCallMs] = await elapsed(() => getUser(42))
    const [, secondCallMs] = await elapsed(() => getUser(42))
    print(
      `cache(): first call ${firstCallMs.toFixed(1)} ms (miss), second ${secondCallMs.toFixed(3)} ms (hit)`,
    )

    // 3. Stampede protection: 500 concurrent callers of a cold key share one call.
    let reportLoads = 0
    const buildReport = app.cache({ ttl: '1m', key: 'report:{0}', name: 'buildReport' })(
      async (day: string) => {
        reportLoads++
        await sleep(20)
        return `report for ${day}`
      },
    )
    const stampedeCallers = 500
    await Promise.all(Array.from({ length: stampedeCallers }, () => buildReport('2026-11-22')))
    print(`single-flight: ${stampedeCallers} concurrent callers → ${reportLoads} loader call`)

    // 4. Stale-while-revalidate: past its ttl the entry is served at once and refreshed behind.
    await sleep(320)
    const before = userLoads
    const [stale, staleMs] = await elapsed(() => getUser(42))
    await sleep(80)
    const fresh = await getUser(42)
    const staleServed = stale.version === 1 && staleMs < 20
    const refreshedInBackground = userLoads === before + 1 && fresh.version === 2
    print(
      `stale-while-revalidate: stale v${stale.version} served in ${staleMs.toFixed(2)} ms, refreshed to v${fresh.version}`,
    )

    // 5. The file tier survives a restart: a new process (a new memory tier over the same
    //    directory) finds the entry in L2 and promotes it into its own L1.
    let priceLoads = 0
    const price = app.cache({ ttl: '1h', key: 'price:{0}', name: 'price' })(async (sku: string) => {
      priceLoads++
      return { sku, cents: 1999 }
    })
    await price('sku-1')
    const restartedMemory = new MemoryStore({ maxEntries: 10_000 })
    const restartedFile = new FileStore({ dir: options.dir })
    // The caller got its value before the store write completed: let it reach the disk.
    while (!(await restartedFile.has('tour:price:sku-1'))) await sleep(5)
    opened.push(restartedMemory, restartedFile)
    const restarted = new ChainStore([{ store: restartedMemory }, { store: restartedFile }], {
      closeTiers: false,
    })
    const afterRestart = createCache({ store: restarted, prefix: 'tour' }).cache({
      ttl: '1h',
      key: 'price:{0}',
    })(async (sku: string) => {
      priceLoads++
      return { sku, cents: 0 }
    })
    const survived = await afterRestart('sku-1')
    const survivedRestart = priceLoads === 1 && survived.cents === 1999 && restartedMemory.size === 1
    print(
      `file tier: after a restart the entry comes from disk and is promoted to memory (${survivedRestart ? 'hit' : 'miss'})`,
    )

    // 6. Background refresh: request handlers never wait for hot data.
    let flagVersion = 0
    const flags = app.bg({ interval: '100ms', key: 'feature-flags' })(async () => ({
      version: ++flagVersion,
      newCheckout: true,
    }))
    const flagsVersions = [(await flags()).version]
    await sleep(230)
    flagsVersions.push((await flags()).version)
    print(`bg: feature flags refreshed in the background: v${flagsVersions.join(' → v')}`)

    // 7. Coordination: one runner at a time.
    let onceRan = 0
    const nightlySync = app.once({ key: 'nightly-sync' })(async () => {
      onceRan++
      await sleep(30)
      return 'synced'
    })
    const outcomes = await Promise.all([nightlySync(), nightlySync(), nightlySync()])
    const onceSkipped = outcomes.filter((o) => o === undefined).length
    print(`once: 3 concurrent runs → ${onceRan} ran, ${onceSkipped} skipped`)

    const stats = formatStats(metrics.getStats())
    print('')
    print(stats)
    return {
      tiers: tierNames,
      firstCallMs,
      secondCallMs,
      stampedeCallers,
      stampedeLoaderCalls: reportLoads,
      staleServed,
      refreshedInBackground,
      survivedRestart,
      flagsVersions,
      onceRan,
      onceSkipped,
      stats,
    }
  } finally {
    await app.bg.shutdown()
    await Promise.all(opened.map((store) => store.close()))
  }
}

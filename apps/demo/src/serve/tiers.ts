import { ChainStore } from '@stratacache/chain'
import { estimateSize, instrument, type MetricsCollector } from '@stratacache/core'
import { openTier } from './open-tier'
import { OutageStore } from './outage-store'

/** One tier of the demo's chain. */
export interface DemoTier {
  /** `L1:memory`, `L2:file`, …: the name the tier reports its metrics under. */
  readonly name: string
  /** The URL it was built from. */
  readonly url: string
  /** Its outage switch. */
  readonly switch: OutageStore
}

/**
 * The tiers' URLs: `CACHE_TIERS` (comma-separated), else memory over a file tier in `dir`.
 *
 * @example
 * ```ts
 * tierUrls('memory://, redis://127.0.0.1:6379', dir) // ['memory://', 'redis://127.0.0.1:6379']
 * ```
 */
export function tierUrls(cacheTiers: string | undefined, dir: string): string[] {
  const urls = (cacheTiers ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '')
  return urls.length > 0 ? urls : ['memory://', `file://${dir}`]
}

/**
 * Builds the chain: each URL through `storeFromUrl` (see {@link openTier}),
 * behind an outage switch, instrumented under `L<n>:<scheme>`, fastest first.
 */
export async function buildTiers(
  urls: readonly string[],
  metrics: MetricsCollector,
  onError: (error: unknown) => void,
): Promise<{ chain: ChainStore; tiers: DemoTier[] }> {
  const tiers: DemoTier[] = []
  try {
    for (const [i, url] of urls.entries()) {
      const scheme = new URL(url).protocol.replace(/:$/, '')
      tiers.push({ name: `L${i + 1}:${scheme}`, url, switch: new OutageStore(await openTier(url)) })
    }
  } catch (error) {
    await Promise.all(tiers.map((tier) => tier.switch.close()))
    throw error
  }
  const chain = new ChainStore(
    tiers.map((tier, i) => ({
      store: instrument(tier.switch, metrics, tier.name, {
        sizeOf: (entry) => estimateSize(entry.value),
        memoryInterval: '250ms',
      }),
      // upper tiers keep a copy for at most a minute; the last tier keeps the entry's own life
      ...(i < tiers.length - 1 ? { ttl: '1m' } : {}),
    })),
    { onError },
  )
  return { chain, tiers }
}

import {
  CacheConfigError,
  type CacheStore,
  MemoryStore,
  type StoreUrlFactory,
  storeFromUrl,
} from '@stratacache/core'

/**
 * The adapters the demo depends on itself. `storeFromUrl` imports an adapter from where
 * `@stratacache/core` is installed: in an application (npm, or pnpm with the adapter a dependency
 * of the app) that finds it, but inside this pnpm workspace core's own folder has no adapters, so
 * the demo hands over the same `fromUrl` factory that `storeFromUrl` would have loaded.
 */
const BUNDLED: Record<string, () => Promise<{ fromUrl: StoreUrlFactory }>> = {
  'file:': () => import('@stratacache/file'),
  'gs:': () => import('@stratacache/gcs'),
  'redis:': () => import('@stratacache/redis'),
  'rediss:': () => import('@stratacache/redis'),
  's3:': () => import('@stratacache/s3'),
}

/** Opens the store of one `CACHE_TIERS` URL (a memory tier is bounded to 10 000 entries). */
export async function openTier(url: string): Promise<CacheStore> {
  if (url.startsWith('memory:')) return new MemoryStore({ maxEntries: 10_000 })
  try {
    return await storeFromUrl(url)
  } catch (error) {
    const bundled = BUNDLED[new URL(url).protocol]
    // Not installed where core looks (core's own folder in this workspace).
    if (bundled === undefined || !CacheConfigError.isInstance(error) || !/not installed/.test(error.message))
      throw error
    return (await bundled()).fromUrl(new URL(url))
  }
}

import { CacheConfigError } from './errors'
import { redactUrls } from './redact'
import type { MemoryStore, MemoryStoreOptions } from './store/memory-store'
import { type CacheStore, isCacheStore } from './store/store'
import { registeredAdapter, registeredSchemes } from './store-url/adapter-registry'
import {
  KNOWN_ADAPTERS,
  type KnownAdapter,
  type StoreUrlFactory,
  supportedSchemes,
} from './store-url/known-adapters'
import { isWithin, loadAdapter, type ModuleImporter, missingSpecifier } from './store-url/load-adapter'
import { memoryStoreFromUrl } from './store-url/memory-url'

function urlError(message: string, cause?: unknown): CacheConfigError {
  return new CacheConfigError(message, cause === undefined ? { option: 'url' } : { option: 'url', cause })
}

function schemesOf(adapter: KnownAdapter): string[] {
  return Object.keys(KNOWN_ADAPTERS).filter(
    (scheme) => KNOWN_ADAPTERS[scheme]?.packageName === adapter.packageName,
  )
}

/** Loads the adapter package of `adapter` and returns its `fromUrl`, or explains what is missing. */
async function adapterFactory(
  adapter: KnownAdapter,
  shown: string,
  importModule: ModuleImporter,
): Promise<StoreUrlFactory> {
  const name = adapter.packageName
  let module: unknown
  try {
    module = await importModule(name)
  } catch (error) {
    const missing = missingSpecifier(error)
    if (isWithin(missing, name)) {
      const schemes = JSON.stringify(schemesOf(adapter))
      throw urlError(
        `The store URL ${shown} needs the package ${name}, which @stratacache/core cannot import from here. ` +
          `Install it: \`npm install ${[name, ...adapter.peers].join(' ')}\`. If it is installed but hidden from ` +
          `@stratacache/core (a bundled application, an unusual package layout), register it: ` +
          `\`import { fromUrl } from '${name}'\` and \`registerStoreAdapter(${schemes}, fromUrl)\``,
        error,
      )
    }
    if (missing !== undefined) {
      throw urlError(
        `The store URL ${shown} needs ${name}, which cannot load its dependency ${missing}: \`npm install ${missing}\``,
        error,
      )
    }
    throw urlError(`Loading ${name} for the store URL ${shown} failed`, error)
  }
  const fromUrl = (module as { fromUrl?: unknown } | null)?.fromUrl
  if (typeof fromUrl !== 'function') {
    throw urlError(
      `${name} does not export fromUrl(url, options): upgrade it to a version that supports store URLs`,
    )
  }
  return fromUrl as StoreUrlFactory
}

/**
 * {@link storeFromUrl} with the module loader as a parameter.
 *
 * @param importModule - loads an adapter package by name
 * @example
 * ```ts
 * const store = await openStoreFromUrl('redis://127.0.0.1:6379', {}, (name) => import(name))
 * ```
 */
export async function openStoreFromUrl(
  url: string | URL,
  options: Record<string, unknown>,
  importModule: ModuleImporter,
): Promise<CacheStore> {
  const shown = JSON.stringify(redactUrls(String(url)))
  let parsed: URL
  try {
    parsed = typeof url === 'string' ? new URL(url) : url
  } catch (error) {
    throw urlError(
      `Invalid store URL ${shown}: not a URL (expected one of ${supportedSchemes(registeredSchemes())})`,
      error,
    )
  }
  const registered = registeredAdapter(parsed.protocol)
  if (registered === undefined && parsed.protocol === 'memory:')
    return memoryStoreFromUrl(parsed, shown, options)
  const adapter = KNOWN_ADAPTERS[parsed.protocol]
  if (registered === undefined && adapter === undefined) {
    throw urlError(
      `Unsupported store URL ${shown}: scheme "${parsed.protocol}" (expected one of ${supportedSchemes(registeredSchemes())}; ` +
        'serve another scheme with registerStoreAdapter)',
    )
  }
  const problem = registered === undefined ? adapter?.check?.(parsed) : undefined
  if (problem !== undefined) throw urlError(`Invalid store URL ${shown}: ${problem}`)
  const fromUrl = registered ?? (await adapterFactory(adapter as KnownAdapter, shown, importModule))
  const store: unknown = await fromUrl(parsed, options)
  if (!isCacheStore(store)) {
    throw urlError(`The fromUrl() serving ${parsed.protocol} URLs did not return a CacheStore`)
  }
  return store
}

/**
 * Builds a store from a URL:
 *
 * | URL | store | package |
 * |---|---|---|
 * | `memory://` (`?maxEntries=…&maxBytes=…&name=…`) | `MemoryStore` | built in |
 * | `redis://[user:pass@]host:port/db`, `rediss://…` | `RedisStore` | `@stratacache/redis` |
 * | `file:///var/cache/app` | `FileStore` | `@stratacache/file` |
 * | `s3://bucket/prefix?region=…` | `S3Store` | `@stratacache/s3` |
 * | `gs://bucket/prefix` | `GcsStore` | `@stratacache/gcs` |
 *
 * The adapter package is found in this order: a factory registered for the scheme with
 * {@link registerStoreAdapter}; the package as `@stratacache/core` itself imports it; the package
 * as the application imports it (from its entry script, then its working directory; Node 20.16+).
 * The CommonJS build loads adapters as CommonJS, so `instanceof` holds in a CommonJS application.
 * A bundled application (esbuild, webpack) registers the adapters it bundles.
 *
 * Each adapter package exports `fromUrl(url: URL, options?)` ({@link StoreUrlFactory}), which
 * reads the rest of the URL; `options` are passed to it (or to `MemoryStore`) as constructor options.
 *
 * The result is typed `CacheStore` unless the URL is a `memory://` literal. A `MemoryStore` from a
 * URL held in a variable still has synchronous methods at runtime, so a synchronous function
 * cached over it returns its value directly although its type says `Promise`: `await` works
 * either way; cache `async` functions (or type the store) where that difference matters.
 *
 * @param url - the store URL (a password in it never appears in error messages)
 * @param options - extra constructor options for the store
 * @throws {@link CacheConfigError} naming the URL when it is invalid or its scheme unknown, and
 * naming the package, the install command and `registerStoreAdapter` when the adapter cannot be loaded
 * @example
 * ```ts
 * import { createCache, storeFromUrl } from '@stratacache/core'
 *
 * const store = await storeFromUrl(process.env.CACHE_URL ?? 'memory://?maxEntries=10000')
 * const { cache } = createCache({ store, prefix: 'app' })
 * ```
 */
export function storeFromUrl(url: `memory://${string}`, options?: MemoryStoreOptions): Promise<MemoryStore>
export function storeFromUrl(url: string | URL, options?: Record<string, unknown>): Promise<CacheStore>
export function storeFromUrl(url: string | URL, options: object = {}): Promise<CacheStore> {
  return openStoreFromUrl(url, options as Record<string, unknown>, loadAdapter)
}

export type { ModuleImporter, StoreUrlFactory }

import { CacheConfigError } from './errors'
import { MemoryStore, type MemoryStoreOptions } from './store/memory-store'
import { type CacheStore, isCacheStore } from './store/store'

/**
 * The convention every adapter package follows so that {@link storeFromUrl} can load it: a
 * named export `fromUrl(url, options?)` returning its store (or a promise of it).
 *
 * @example
 * ```ts
 * // packages/redis/src/index.ts
 * export const fromUrl: StoreUrlFactory = (url, options) => new RedisStore({ url: url.href, ...options })
 * ```
 */
export type StoreUrlFactory = (
  url: URL,
  options?: Record<string, unknown>,
) => CacheStore | Promise<CacheStore>

interface AdapterPackage {
  /** The npm package that serves the scheme. */
  name: string
  /** Peer dependencies the user installs with it. */
  peers: string[]
}

const ADAPTERS: Record<string, AdapterPackage> = {
  'redis:': { name: '@stratacache/redis', peers: ['ioredis'] },
  'rediss:': { name: '@stratacache/redis', peers: ['ioredis'] },
  'file:': { name: '@stratacache/file', peers: [] },
  's3:': { name: '@stratacache/s3', peers: ['@aws-sdk/client-s3'] },
  'gs:': { name: '@stratacache/gcs', peers: ['@google-cloud/storage'] },
}

const SUPPORTED = 'memory://, redis://, rediss://, file:///path, s3://bucket/prefix, gs://bucket/prefix'

/** Loads a module by name; `import()` in production, a stand-in in tests. */
export type ModuleImporter = (name: string) => Promise<unknown>

/** The URL as it may appear in an error message: without a password. */
function redact(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@')
}

function isMissingModule(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  const text = typeof message === 'string' ? message : ''
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return text.includes(name)
  return /cannot find (module|package)|failed to resolve module/i.test(text) && text.includes(name)
}

const MEMORY_PARAMETERS = ['maxEntries', 'maxBytes', 'name'] as const

function memoryStoreFromUrl(url: URL, shown: string, options: Record<string, unknown>): MemoryStore {
  const fromUrl: MemoryStoreOptions = {}
  for (const [name, value] of url.searchParams) {
    if (name === 'name') fromUrl.name = value
    else if (name === 'maxEntries' || name === 'maxBytes') {
      const limit = value === 'Infinity' ? Number.POSITIVE_INFINITY : Number(value)
      if (!(limit >= 1) || (!Number.isInteger(limit) && limit !== Number.POSITIVE_INFINITY)) {
        throw new CacheConfigError(`Invalid ${name} in store URL ${shown}: ${JSON.stringify(value)}`, {
          option: 'url',
        })
      }
      fromUrl[name] = limit
    } else {
      throw new CacheConfigError(
        `Unknown parameter "${name}" in store URL ${shown} (memory:// accepts ${MEMORY_PARAMETERS.join(', ')})`,
        { option: 'url' },
      )
    }
  }
  return new MemoryStore({ ...fromUrl, ...(options as MemoryStoreOptions) })
}

/**
 * {@link storeFromUrl} with the module loader as a parameter.
 *
 * @param importModule - loads an adapter package by name
 */
export async function openStoreFromUrl(
  url: string | URL,
  options: Record<string, unknown>,
  importModule: ModuleImporter,
): Promise<CacheStore> {
  const shown = redact(String(url))
  let parsed: URL
  try {
    parsed = typeof url === 'string' ? new URL(url) : url
  } catch (error) {
    throw new CacheConfigError(
      `Invalid store URL ${JSON.stringify(shown)}: not a URL (expected one of ${SUPPORTED})`,
      {
        option: 'url',
        cause: error,
      },
    )
  }
  if (parsed.protocol === 'memory:') return memoryStoreFromUrl(parsed, shown, options)
  const adapter = ADAPTERS[parsed.protocol]
  if (adapter === undefined) {
    throw new CacheConfigError(
      `Unsupported store URL ${JSON.stringify(shown)}: scheme "${parsed.protocol}" (expected one of ${SUPPORTED})`,
      { option: 'url' },
    )
  }
  if ((parsed.protocol === 's3:' || parsed.protocol === 'gs:') && parsed.hostname === '') {
    throw new CacheConfigError(
      `Invalid store URL ${JSON.stringify(shown)}: the bucket is missing (${parsed.protocol}//bucket/prefix)`,
      {
        option: 'url',
      },
    )
  }
  if (parsed.protocol === 'file:' && (parsed.pathname === '' || parsed.pathname === '/')) {
    throw new CacheConfigError(
      `Invalid store URL ${JSON.stringify(shown)}: the directory is missing (file:///var/cache/app)`,
      {
        option: 'url',
      },
    )
  }
  let module: unknown
  try {
    module = await importModule(adapter.name)
  } catch (error) {
    if (isMissingModule(error, adapter.name)) {
      const install = [adapter.name, ...adapter.peers].join(' ')
      throw new CacheConfigError(
        `The store URL ${JSON.stringify(shown)} needs the package ${adapter.name}, which is not installed: run \`npm install ${install}\``,
        { option: 'url', cause: error },
      )
    }
    throw new CacheConfigError(`Loading ${adapter.name} for the store URL ${JSON.stringify(shown)} failed`, {
      option: 'url',
      cause: error,
    })
  }
  const fromUrl = (module as { fromUrl?: unknown } | null)?.fromUrl
  if (typeof fromUrl !== 'function') {
    throw new CacheConfigError(
      `${adapter.name} does not export fromUrl(url, options): upgrade it to a version that supports store URLs`,
      { option: 'url' },
    )
  }
  const store: unknown = await (fromUrl as StoreUrlFactory)(parsed, options)
  if (!isCacheStore(store)) {
    throw new CacheConfigError(`${adapter.name}'s fromUrl() did not return a CacheStore`, { option: 'url' })
  }
  return store
}

/**
 * Builds a store from a URL, loading the adapter package on demand (dynamic `import()`, so an
 * application bundles and installs only the adapters it uses):
 *
 * | URL | store | package |
 * |---|---|---|
 * | `memory://` (`?maxEntries=…&maxBytes=…&name=…`) | `MemoryStore` | built in |
 * | `redis://[user:pass@]host:port/db`, `rediss://…` | `RedisStore` | `@stratacache/redis` |
 * | `file:///var/cache/app` | `FileStore` | `@stratacache/file` |
 * | `s3://bucket/prefix` | `S3Store` | `@stratacache/s3` |
 * | `gs://bucket/prefix` | `GcsStore` | `@stratacache/gcs` |
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
 * naming the package and the install command when the adapter is not installed
 * @example
 * ```ts
 * const store = await storeFromUrl(process.env.CACHE_URL ?? 'memory://?maxEntries=10000')
 * const { cache } = createCache({ store, prefix: 'app' })
 * ```
 */
export function storeFromUrl(url: `memory://${string}`, options?: MemoryStoreOptions): Promise<MemoryStore>
export function storeFromUrl(url: string | URL, options?: Record<string, unknown>): Promise<CacheStore>
export function storeFromUrl(url: string | URL, options: object = {}): Promise<CacheStore> {
  return openStoreFromUrl(url, options as Record<string, unknown>, (name) => import(/* @vite-ignore */ name))
}

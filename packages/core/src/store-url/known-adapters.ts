import type { CacheStore } from '../store/store'

/**
 * The convention every adapter package follows so that `storeFromUrl` can use it: a named export
 * `fromUrl(url, options?)` returning its store (or a promise of it).
 *
 * @example
 * ```ts
 * // packages/redis/src/from-url.ts
 * export const fromUrl: StoreUrlFactory = (url, options) => new RedisStore({ url, ...options })
 * ```
 */
export type StoreUrlFactory = (
  url: URL,
  options?: Record<string, unknown>,
) => CacheStore | Promise<CacheStore>

/** A published adapter package that serves a URL scheme. */
export interface KnownAdapter {
  /** The npm package, which exports a {@link StoreUrlFactory} named `fromUrl`. */
  readonly packageName: string
  /** Peer dependencies installed with it (the client library). */
  readonly peers: readonly string[]
  /** An example URL, shown in error messages. */
  readonly example: string
  /** What is wrong with a URL of this scheme before the package is loaded, if anything. */
  readonly check?: (url: URL) => string | undefined
}

/**
 * The one list of URL schemes served by this repository's adapter packages, and the only place
 * `storeFromUrl`'s messages learn package names from: a new adapter package adds its line here
 * (a scheme such as `'azure:'` → `{ packageName: '@stratacache/azure', peers: ['@azure/storage-blob'], … }`)
 * when it is published, and nothing else.
 *
 * @example
 * ```ts
 * KNOWN_ADAPTERS['redis:']?.packageName // '@stratacache/redis'
 * ```
 */
export const KNOWN_ADAPTERS: Readonly<Record<string, KnownAdapter>> = {
  'redis:': { packageName: '@stratacache/redis', peers: ['ioredis'], example: 'redis://host:6379/0' },
  'rediss:': { packageName: '@stratacache/redis', peers: ['ioredis'], example: 'rediss://host:6380/0' },
  'file:': {
    packageName: '@stratacache/file',
    peers: [],
    example: 'file:///var/cache/app',
    check: (url) =>
      url.pathname === '' || url.pathname === '/'
        ? 'the directory is missing (file:///var/cache/app)'
        : undefined,
  },
  'gs:': {
    packageName: '@stratacache/gcs',
    peers: ['@google-cloud/storage'],
    example: 'gs://bucket/prefix',
    check: (url) => (url.hostname === '' ? 'the bucket is missing (gs://bucket/prefix)' : undefined),
  },
  's3:': {
    packageName: '@stratacache/s3',
    peers: ['@aws-sdk/client-s3'],
    example: 's3://bucket/prefix?region=eu-west-1',
    check: (url) =>
      url.hostname === '' ? 'the bucket is missing (s3://bucket/prefix?region=eu-west-1)' : undefined,
  },
}

/**
 * Every scheme `storeFromUrl` understands, for messages: built in, known, then registered.
 *
 * @example
 * ```ts
 * supportedSchemes(['azure:']) // 'memory://, redis://host:6379/0, …, azure://…'
 * ```
 */
export function supportedSchemes(registered: Iterable<string>): string {
  const known = Object.values(KNOWN_ADAPTERS).map((adapter) => adapter.example)
  return ['memory://', ...known, ...[...registered].map((scheme) => `${scheme}//…`)].join(', ')
}

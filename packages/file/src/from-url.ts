import { CacheConfigError, readUrlParameters } from '@stratacache/core'
import { FileStore, type FileStoreOptions } from './file-store'

/** The query parameters {@link fromUrl} understands, and how each is read. */
const URL_PARAMETERS = {
  maxBytes: 'number',
  pruneInterval: 'duration',
  dedupeWrites: 'boolean',
  fsync: 'boolean',
  compress: 'boolean',
} as const

/**
 * Builds a {@link FileStore} from a `file:` URL; `storeFromUrl('file:///var/cache/app')` in
 * `@stratacache/core` calls it. The path is the directory; query parameters set `maxBytes`
 * (bytes), `pruneInterval` (a duration such as `10m`), `dedupeWrites`, `fsync` and `compress`
 * (`true`/`false`). Explicit `options` win over the URL.
 *
 * @throws `CacheConfigError` for another protocol, a host other than `localhost`, or an unknown or invalid parameter
 * @example
 * ```ts
 * const store = fromUrl(new URL('file:///var/cache/app?maxBytes=1073741824&pruneInterval=15m'))
 * ```
 */
export function fromUrl(url: URL, options: Partial<FileStoreOptions> = {}): FileStore {
  if (url.protocol !== 'file:') {
    throw new CacheConfigError(`FileStore: expected a file: URL, got ${url.href}`, { option: 'url' })
  }
  if (url.host !== '' && url.host !== 'localhost') {
    throw new CacheConfigError(`FileStore: file URLs must name a local path (no host), got ${url.href}`, {
      option: 'url',
    })
  }
  const fromQuery = readUrlParameters('FileStore', url, URL_PARAMETERS)
  const dir = new URL(url.href)
  dir.search = ''
  return new FileStore({ ...fromQuery, ...options, dir: options.dir ?? dir })
}

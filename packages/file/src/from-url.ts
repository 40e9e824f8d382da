import { CacheConfigError } from '@stratacache/core'
import { FileStore, type FileStoreOptions } from './file-store'

/** The query parameters {@link fromUrl} understands. */
const URL_PARAMETERS = ['maxBytes', 'pruneInterval', 'dedupeWrites', 'fsync', 'compress'] as const

function parseBoolean(url: URL, name: string, raw: string): boolean {
  if (raw === 'true' || raw === '1') return true
  if (raw === 'false' || raw === '0') return false
  throw new CacheConfigError(
    `FileStore URL ${url.href}: parameter "${name}" must be true or false, got "${raw}"`,
    {
      option: name,
    },
  )
}

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
  const fromQuery: Partial<FileStoreOptions> = {}
  for (const [name, raw] of url.searchParams) {
    switch (name as (typeof URL_PARAMETERS)[number]) {
      case 'maxBytes':
        fromQuery.maxBytes = Number(raw)
        break
      case 'pruneInterval':
        fromQuery.pruneInterval = /^\d+(\.\d+)?$/.test(raw)
          ? Number(raw)
          : (raw as FileStoreOptions['pruneInterval'])
        break
      case 'dedupeWrites':
      case 'fsync':
      case 'compress':
        fromQuery[name as 'dedupeWrites' | 'fsync' | 'compress'] = parseBoolean(url, name, raw)
        break
      default:
        throw new CacheConfigError(
          `FileStore URL ${url.href}: unknown parameter "${name}" (known: ${URL_PARAMETERS.join(', ')})`,
          { option: name },
        )
    }
  }
  const dir = new URL(url.href)
  dir.search = ''
  return new FileStore({ ...fromQuery, ...options, dir: options.dir ?? dir })
}

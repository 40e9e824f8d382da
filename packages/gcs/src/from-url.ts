import { CacheConfigError } from '@stratacache/core'
import { GcsStore, type GcsStoreOptions } from './gcs-store'

/** The query parameters {@link fromUrl} understands. */
const URL_PARAMETERS = [
  'projectId',
  'apiEndpoint',
  'operationTimeout',
  'concurrency',
  'pageSize',
  'pruneInterval',
  'compress',
] as const

function parseBoolean(url: URL, name: string, raw: string): boolean {
  if (raw === 'true' || raw === '1') return true
  if (raw === 'false' || raw === '0') return false
  throw new CacheConfigError(
    `GcsStore URL ${url.href}: parameter "${name}" must be true or false, got "${raw}"`,
    {
      option: name,
    },
  )
}

function parseInteger(url: URL, name: string, raw: string): number {
  if (!/^\d+$/.test(raw)) {
    throw new CacheConfigError(
      `GcsStore URL ${url.href}: parameter "${name}" must be an integer, got "${raw}"`,
      {
        option: name,
      },
    )
  }
  return Number(raw)
}

/** A duration parameter: plain seconds (`2.5`) or with a unit (`250ms`, `5m`). */
function parseDuration(raw: string): GcsStoreOptions['operationTimeout'] {
  return /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : (raw as GcsStoreOptions['operationTimeout'])
}

/**
 * Builds a {@link GcsStore} from a `gs:` URL; `storeFromUrl('gs://bucket/prefix')` in
 * `@stratacache/core` calls it. The host is the bucket, the path the prefix (`gs://b/app` and
 * `gs://b/app/` both use the prefix `app/`); query parameters set `projectId`, `apiEndpoint`,
 * `operationTimeout` and `pruneInterval` (durations such as `2s`), `concurrency`, `pageSize`
 * and `compress` (`true`/`false`). Explicit `options` win over the URL.
 *
 * @throws `CacheConfigError` for another protocol, a missing bucket, or an unknown or invalid parameter
 * @example
 * ```ts
 * const store = fromUrl(new URL('gs://my-app-cache/users?operationTimeout=1s&concurrency=32'))
 * ```
 */
export function fromUrl(url: URL, options: Partial<GcsStoreOptions> = {}): GcsStore {
  if (url.protocol !== 'gs:') {
    throw new CacheConfigError(`GcsStore: expected a gs: URL, got ${url.href}`, { option: 'url' })
  }
  if (url.hostname === '') {
    throw new CacheConfigError(`GcsStore: the URL ${url.href} names no bucket (gs://bucket/prefix)`, {
      option: 'url',
    })
  }
  const fromQuery: Partial<GcsStoreOptions> = {}
  for (const [name, raw] of url.searchParams) {
    switch (name as (typeof URL_PARAMETERS)[number]) {
      case 'projectId':
      case 'apiEndpoint':
        fromQuery[name as 'projectId' | 'apiEndpoint'] = raw
        break
      case 'operationTimeout':
      case 'pruneInterval':
        fromQuery[name as 'operationTimeout' | 'pruneInterval'] = parseDuration(raw)
        break
      case 'concurrency':
      case 'pageSize':
        fromQuery[name as 'concurrency' | 'pageSize'] = parseInteger(url, name, raw)
        break
      case 'compress':
        fromQuery.compress = parseBoolean(url, name, raw)
        break
      default:
        throw new CacheConfigError(
          `GcsStore URL ${url.href}: unknown parameter "${name}" (known: ${URL_PARAMETERS.join(', ')})`,
          { option: name },
        )
    }
  }
  const path = decodeURIComponent(url.pathname.replace(/^\/+/, ''))
  const prefix = path === '' || path.endsWith('/') ? path : `${path}/`
  return new GcsStore({ ...fromQuery, prefix, ...options, bucket: options.bucket ?? url.hostname })
}

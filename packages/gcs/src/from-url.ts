import { CacheConfigError, prefixFromUrlPath, readUrlParameters } from '@stratacache/core'
import { GcsStore, type GcsStoreOptions } from './gcs-store'

/** The query parameters {@link fromUrl} understands, and how each is read. */
const URL_PARAMETERS = {
  projectId: 'string',
  apiEndpoint: 'string',
  operationTimeout: 'duration',
  concurrency: 'integer',
  pageSize: 'integer',
  pruneInterval: 'duration',
  compress: 'boolean',
} as const

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
  const fromQuery = readUrlParameters('GcsStore', url, URL_PARAMETERS)
  const prefix = prefixFromUrlPath(url)
  return new GcsStore({ ...fromQuery, prefix, ...options, bucket: options.bucket ?? url.hostname })
}

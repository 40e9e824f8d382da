import { CacheConfigError, prefixFromUrlPath, readUrlParameters } from '@stratacache/core'
import { S3Store, type S3StoreOptions } from './s3-store'

/** The query parameters {@link fromUrl} understands, and how each is read. */
const URL_PARAMETERS = {
  region: 'string',
  endpoint: 'string',
  forcePathStyle: 'boolean',
  compress: 'boolean',
  operationTimeout: 'duration',
  pruneInterval: 'duration',
  concurrency: 'integer',
} as const

/** The URL without query and credentials, as it may appear in an error message. */
function shownUrl(url: URL): string {
  return `s3://${url.hostname}${url.pathname}`
}

/**
 * Builds an {@link S3Store} from an `s3:` URL; `storeFromUrl('s3://my-cache/app')` in
 * `@stratacache/core` calls it. The host is the bucket, the path the prefix (a `/` is added at its
 * end when missing); query parameters set
 * `region`, `endpoint` (an S3-compatible server), `forcePathStyle` and `compress` (`true`/`false`),
 * `operationTimeout` and `pruneInterval` (durations such as `5s`, `1h`) and `concurrency`. Credentials never go in the URL:
 * they come from `options.credentials` or the AWS SDK's provider chain. Explicit `options` win
 * over the URL.
 *
 * @throws `CacheConfigError` for another protocol, a missing bucket, credentials in the URL, or an
 * unknown or invalid parameter
 * @example
 * ```ts
 * const store = fromUrl(new URL('s3://my-cache/app/?region=eu-west-1&operationTimeout=2s&pruneInterval=1h'))
 * ```
 */
export function fromUrl(url: URL, options: Partial<S3StoreOptions> = {}): S3Store {
  if (url.protocol !== 's3:') {
    throw new CacheConfigError(`S3Store: expected an s3: URL, got ${url.protocol}//…`, { option: 'url' })
  }
  if (url.username !== '' || url.password !== '') {
    throw new CacheConfigError(
      `S3Store URL ${shownUrl(url)}: credentials do not belong in the URL; pass them as the "credentials" option or use the AWS provider chain`,
      { option: 'url' },
    )
  }
  if (url.hostname === '' && options.bucket === undefined) {
    throw new CacheConfigError('S3Store URL: the bucket is missing (s3://bucket/prefix)', { option: 'url' })
  }
  const fromQuery = readUrlParameters('S3Store', url, URL_PARAMETERS, shownUrl(url))
  const prefix = prefixFromUrlPath(url)
  return new S3Store({
    ...fromQuery,
    ...(prefix === '' ? {} : { prefix }),
    ...options,
    bucket: options.bucket ?? url.hostname,
  })
}

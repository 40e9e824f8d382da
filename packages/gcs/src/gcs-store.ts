import { Storage } from '@google-cloud/storage'
import {
  BLOB_STORE_OPTION_NAMES,
  BlobStore,
  type BlobStoreOptions,
  checkOptionNames,
  durationToMs,
  invalidOption,
} from '@stratacache/core'
import { GcsBackend } from './gcs-backend'

/** Options of {@link GcsStore}. */
export interface GcsStoreOptions extends BlobStoreOptions {
  /**
   * The bucket holding the cache's objects (it must exist: the store never creates it). Give it
   * a lifecycle rule that deletes old objects (see the README), since dead entries are removed
   * only when read or by `prune()`.
   * @example
   * ```ts
   * new GcsStore({ bucket: 'my-app-cache' })
   * ```
   */
  bucket: string
  /**
   * A `Storage` client to use as given (its credentials, retries and timeouts); `close()` leaves
   * it alone. Without it the store builds one on first use from `projectId` and `apiEndpoint`,
   * with application default credentials, no automatic retries (a failed cache call is a miss,
   * cheaper than a retry) and a request timeout of 1.5 × `operationTimeout`.
   * @defaultValue a client built lazily
   * @example
   * ```ts
   * new GcsStore({ bucket: 'my-app-cache', storage: new Storage({ keyFilename: 'key.json' }) })
   * ```
   */
  storage?: Storage
  /**
   * The project of the client the store builds (not used with `storage`).
   * @defaultValue detected from the environment (application default credentials)
   * @example
   * ```ts
   * new GcsStore({ bucket: 'my-app-cache', projectId: 'my-project' })
   * ```
   */
  projectId?: string
  /**
   * The JSON API endpoint of the client the store builds (not used with `storage`): an
   * emulator, a private endpoint.
   * @defaultValue `https://storage.googleapis.com`
   * @example
   * ```ts
   * new GcsStore({ bucket: 'test', apiEndpoint: 'http://127.0.0.1:9199' })
   * ```
   */
  apiEndpoint?: string
  /**
   * How many objects one listing page of `deleteMatching`, `clear` and `prune` asks for.
   * @defaultValue 1000 (the most GCS returns)
   * @example
   * ```ts
   * new GcsStore({ bucket: 'my-app-cache', pageSize: 200 })
   * ```
   */
  pageSize?: number
}

/** Every option {@link GcsStore} accepts. */
const GCS_STORE_OPTION_NAMES: readonly string[] = [
  ...BLOB_STORE_OPTION_NAMES,
  'bucket',
  'storage',
  'projectId',
  'apiEndpoint',
  'pageSize',
]

/** GCS bucket names: 3–222 characters of `a-z 0-9 - _ .`, starting and ending with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/

const OWNER = 'GcsStore'

/** The default of `operationTimeout` in `BlobStore`; the built client's request timeout follows it. */
const DEFAULT_OPERATION_TIMEOUT = '5s'

/**
 * A cache store in a Google Cloud Storage bucket: a `BlobStore` (core) over a {@link GcsBackend}.
 * One object per entry under `prefix`, written in one request (`resumable: false`) for all but
 * very large entries; gzip-compressed above 1 KiB by default; the entry's `staleUntil` in custom
 * metadata so that `has()`, `delete()` and `prune()` need no download; `setIfAbsent` by
 * `ifGenerationMatch` (atomic across processes); listing page by page for `deleteMatching`,
 * `clear` and `prune`, deleting `concurrency` objects at a time.
 *
 * Failures reject with `CacheStoreError` (or `CacheTimeoutError` after `operationTimeout`)
 * naming the operation, the key and the bucket.
 *
 * @example
 * ```ts
 * import { GcsStore } from '@stratacache/gcs'
 * const store = new GcsStore({ bucket: 'my-app-cache', prefix: 'users/', operationTimeout: '1s' })
 * const getUser = cache({ ttl: '1h', store })(loadUser)
 * ```
 */
export class GcsStore extends BlobStore {
  /** The bucket's name. */
  readonly bucket: string

  /**
   * @param options - see {@link GcsStoreOptions}
   * @throws `CacheConfigError` naming the option at fault (a missing or malformed `bucket`, an unknown option, …)
   */
  constructor(options: GcsStoreOptions) {
    const { bucket, storage, projectId, apiEndpoint, pageSize, ...blobOptions } = checkGcsOptions(options)
    const requestTimeoutMs = durationToMs(
      options.operationTimeout ?? DEFAULT_OPERATION_TIMEOUT,
      'operationTimeout',
    )
    const backend = new GcsBackend({
      bucket,
      pageSize,
      storage:
        storage ??
        (() =>
          new Storage({
            ...(projectId === undefined ? {} : { projectId }),
            ...(apiEndpoint === undefined ? {} : { apiEndpoint }),
            retryOptions: { autoRetry: false },
            // Longer than the store's own bound (which rejects first, as CacheTimeoutError), so that
            // a request the store abandoned still ends and frees its socket.
            ...(Number.isFinite(requestTimeoutMs) ? { timeout: Math.ceil(requestTimeoutMs * 1.5) } : {}),
          })),
    })
    super(backend, { ...blobOptions, compress: blobOptions.compress ?? true })
    this.bucket = bucket
  }

  /** The `Storage` client in use: the one given, or the one this store built (built now if not yet). */
  get storage(): Storage {
    return (this.backend as GcsBackend).storage
  }
}

function checkGcsOptions(options: GcsStoreOptions): GcsStoreOptions {
  checkOptionNames(OWNER, options, GCS_STORE_OPTION_NAMES)
  const { bucket, storage, projectId, apiEndpoint, pageSize } = options
  if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket)) {
    throw invalidOption(
      OWNER,
      'bucket',
      bucket,
      'a GCS bucket name (3–222 of a-z 0-9 - _ ., e.g. "my-app-cache")',
    )
  }
  if (storage !== undefined && typeof (storage as Partial<Storage> | null)?.bucket !== 'function') {
    throw invalidOption(OWNER, 'storage', storage, 'a Storage client from @google-cloud/storage')
  }
  if (projectId !== undefined && (typeof projectId !== 'string' || projectId === '')) {
    throw invalidOption(OWNER, 'projectId', projectId, 'a non-empty string')
  }
  if (apiEndpoint !== undefined && (typeof apiEndpoint !== 'string' || !URL.canParse(apiEndpoint))) {
    throw invalidOption(OWNER, 'apiEndpoint', apiEndpoint, 'an absolute URL such as "http://127.0.0.1:9199"')
  }
  if (storage !== undefined && (projectId !== undefined || apiEndpoint !== undefined)) {
    throw invalidOption(
      OWNER,
      projectId !== undefined ? 'projectId' : 'apiEndpoint',
      projectId ?? apiEndpoint,
      'no projectId or apiEndpoint beside `storage` (configure the client you pass instead)',
    )
  }
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)) {
    throw invalidOption(OWNER, 'pageSize', pageSize, 'an integer from 1 to 1000')
  }
  return options
}

import { BLOB_STORE_OPTION_NAMES, BlobStore, type BlobStoreOptions } from '@stratacache/core'
import { S3Backend, type S3BackendOptions } from './s3-backend'
import { S3_BACKEND_OPTION_NAMES, validateS3Options } from './s3-options'

/** Every option name `S3Store` accepts: a misspelt one is refused, not ignored. */
const S3_STORE_OPTION_NAMES: readonly string[] = Object.freeze([
  ...S3_BACKEND_OPTION_NAMES,
  ...BLOB_STORE_OPTION_NAMES,
])

/**
 * Options of {@link S3Store}: where the objects live ({@link S3BackendOptions}: `bucket`, and
 * `client` or `region`/`endpoint`/`forcePathStyle`/`credentials`) and how entries are kept
 * (`BlobStore`'s options: `prefix`, `serializer`, `compress`, `operationTimeout`, `concurrency`,
 * `onError`).
 *
 * @example
 * ```ts
 * const options: S3StoreOptions = { bucket: 'my-cache', region: 'eu-west-1', prefix: 'app/', operationTimeout: '2s' }
 * ```
 */
export interface S3StoreOptions extends S3BackendOptions, BlobStoreOptions {}

/**
 * A cache store in an S3 bucket (or an S3-compatible service): the durable, cheap cold tier of a
 * chain, for large values and artifacts. One object per entry, written in one `PutObject`;
 * freshness in the object's metadata, so `has()` and `prune()` need no download; `setIfAbsent`
 * with conditional writes, atomic across processes. It is a `BlobStore` over {@link S3Backend}.
 *
 * Compression is on by default (gzip for payloads of 1 KiB and more): S3 bills storage and
 * transfer by the byte.
 *
 * @example
 * ```ts
 * const store = new S3Store({ bucket: 'my-cache', region: 'eu-west-1', prefix: 'app/' })
 * const { cache } = createCache({ store, ttl: '1h' })
 * ```
 */
export class S3Store extends BlobStore {
  /** The bucket the entries live in. */
  readonly bucket: string

  /** The backend: its `client` is the S3Client in use. */
  declare readonly backend: S3Backend

  /**
   * @param options - see {@link S3StoreOptions}
   * @throws `CacheConfigError` naming the option at fault, or an unknown option
   */
  constructor(options: S3StoreOptions) {
    const { client, region, endpoint, forcePathStyle, credentials, bucket, ...storeOptions } = options ?? {}
    const backend = new S3Backend(
      validateS3Options({ client, region, endpoint, forcePathStyle, credentials, bucket }),
    )
    super(
      backend,
      { compress: true, ...storeOptions },
      { owner: 'S3Store', optionNames: S3_STORE_OPTION_NAMES },
    )
    this.bucket = backend.bucket
  }
}

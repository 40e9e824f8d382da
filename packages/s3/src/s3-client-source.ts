import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'

/**
 * How the store reaches S3: a client the user passed in (used as is, never destroyed), or the
 * settings of one the store builds itself on first use and destroys on `close()`.
 */
export interface S3ConnectionOptions {
  /**
   * An `S3Client` to use. The store never destroys it: `close()` leaves it to its owner. When
   * given, `region`, `endpoint`, `forcePathStyle` and `credentials` must not be.
   * @defaultValue undefined (the store builds its own client on first use)
   * @example
   * ```ts
   * new S3Store({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'my-cache' })
   * ```
   */
  client?: S3Client
  /**
   * The bucket's region, for the client the store builds.
   * @defaultValue the AWS SDK's provider chain (`AWS_REGION`, the shared config file, …)
   * @example
   * ```ts
   * new S3Store({ bucket: 'my-cache', region: 'eu-west-1' })
   * ```
   */
  region?: string
  /**
   * An S3-compatible endpoint (MinIO, R2, a local emulator), for the client the store builds.
   * @defaultValue undefined (Amazon S3 for `region`)
   * @example
   * ```ts
   * new S3Store({ bucket: 'cache', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true })
   * ```
   */
  endpoint?: string
  /**
   * Address the bucket in the path (`endpoint/bucket/key`) rather than the host name, as most
   * S3-compatible servers need.
   * @defaultValue false
   * @example
   * ```ts
   * new S3Store({ bucket: 'cache', endpoint: 'http://minio:9000', forcePathStyle: true })
   * ```
   */
  forcePathStyle?: boolean
  /**
   * Credentials (or a provider of them) for the client the store builds. They are never
   * included in an error message.
   * @defaultValue the AWS SDK's provider chain (environment, shared files, instance or task role)
   * @example
   * ```ts
   * // static keys here; any AWS credential provider (e.g. `fromIni` of
   * // `@aws-sdk/credential-providers`) fits the same option
   * new S3Store({
   *   bucket: 'my-cache',
   *   credentials: { accessKeyId: process.env.CACHE_KEY_ID ?? '', secretAccessKey: process.env.CACHE_SECRET ?? '' },
   * })
   * ```
   */
  credentials?: S3ClientConfig['credentials']
}

/** Hands out the client: the user's, or one built lazily from the options. */
export class S3ClientSource {
  readonly #given: S3Client | undefined
  readonly #config: S3ClientConfig
  #built: S3Client | undefined
  #closed = false

  constructor(options: S3ConnectionOptions) {
    this.#given = options.client
    const { region, endpoint, forcePathStyle, credentials } = options
    this.#config = {
      ...(region === undefined ? {} : { region }),
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(forcePathStyle === undefined ? {} : { forcePathStyle }),
      ...(credentials === undefined ? {} : { credentials }),
    }
  }

  /**
   * The client, built on the first call when the user gave none.
   * @throws `Error` after {@link S3ClientSource.close} when the client would have to be built
   * again (a store used after `close()` must not open sockets nobody will close)
   */
  get(): S3Client {
    if (this.#given !== undefined) return this.#given
    if (this.#closed) throw new Error('the store is closed: its S3 client was destroyed by close()')
    this.#built ??= new S3Client(this.#config)
    return this.#built
  }

  /** Destroys the client this source built (its sockets); a user's client is left alone. */
  close(): void {
    this.#closed = true
    this.#built?.destroy()
    this.#built = undefined
  }
}

import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import type {
  BlobBackend,
  BlobBackendCapabilities,
  BlobCallOptions,
  BlobInfo,
  BlobPage,
  BlobReadOptions,
  BlobReadResult,
  BlobWriteOptions,
} from '@stratacache/core'
import { S3ClientSource, type S3ConnectionOptions } from './s3-client-source'
import {
  describeS3Error,
  isAbort,
  isFailedCondition,
  isMissingObject,
  type S3Operation,
  s3ErrorCode,
  s3ErrorStatus,
} from './s3-errors'

/** S3's largest `DeleteObjects` batch. */
const S3_MAX_DELETE_BATCH = 1000

/** Options of {@link S3Backend}: where the objects live. */
export interface S3BackendOptions extends S3ConnectionOptions {
  /**
   * The bucket that holds the objects. It must exist; the store never creates it.
   * @defaultValue none: required
   * @example
   * ```ts
   * new S3Backend({ bucket: 'my-cache', region: 'eu-west-1' })
   * ```
   */
  bucket: string
}

interface ReadableBody {
  transformToByteArray(): Promise<Uint8Array>
  destroy?: () => void
}

/**
 * The `BlobBackend` over Amazon S3 (or an S3-compatible service) that `S3Store` runs on: one
 * object per entry, written in one `PutObject` (a reader never sees a torn entry), conditional
 * creates with `If-None-Match: *`, replacements and deletes with `If-Match: <ETag>`, range reads for the
 * entry header, `HeadObject` for metadata, `DeleteObjects` in batches of 1,000 and
 * `ListObjectsV2` pages. The `AbortSignal` of each call is passed to the SDK, so a call
 * `BlobStore` gives up on frees its socket.
 *
 * @example
 * ```ts
 * const store = new BlobStore(new S3Backend({ bucket: 'my-cache', region: 'eu-west-1' }), { prefix: 'app/' })
 * ```
 */
export class S3Backend implements BlobBackend {
  /** `'s3'`. */
  readonly name = 's3'
  /** S3 has atomic conditional writes, object metadata and range reads. */
  readonly capabilities: BlobBackendCapabilities = {
    conditionalWrites: true,
    metadata: true,
    rangeReads: true,
  }
  /** 1,000: S3's `DeleteObjects` limit. */
  readonly maxDeleteBatch = S3_MAX_DELETE_BATCH
  /** The bucket the objects live in. */
  readonly bucket: string
  readonly #client: S3ClientSource
  /** Whether the bucket was seen to exist (see {@link S3Backend.head}). */
  #bucketSeen = false

  constructor(options: S3BackendOptions) {
    this.bucket = options.bucket
    this.#client = new S3ClientSource(options)
  }

  /** The client in use (the user's, or the one built on first use). */
  get client(): S3Client {
    return this.#client.get()
  }

  async #send<T>(operation: S3Operation, command: object, signal: AbortSignal | undefined): Promise<T> {
    const client = this.#client.get()
    try {
      // One `send` signature per command; the command objects are built right beside each call.
      return (await client.send(command as never, { abortSignal: signal })) as T
    } catch (error) {
      throw isAbort(error) ? error : describeS3Error(error, operation, this.bucket)
    }
  }

  /** `GetObject`, with `Range: bytes=0-(maxBytes-1)` for a header read. */
  async read(name: string, options: BlobReadOptions = {}): Promise<BlobReadResult | undefined> {
    const { maxBytes, signal } = options
    const range = maxBytes === undefined ? undefined : `bytes=0-${Math.max(0, maxBytes - 1)}`
    let response: { Body?: ReadableBody; ETag?: string }
    const client = this.#client.get()
    try {
      response = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: name, Range: range }), {
        abortSignal: signal,
      })
    } catch (error) {
      if (isMissingObject(error)) return undefined
      // A range read of an empty object is "not satisfiable" (416): read it whole instead.
      if (range !== undefined && s3ErrorCode(error) === 'InvalidRange') return this.read(name, { signal })
      throw isAbort(error) ? error : describeS3Error(error, 'GetObject', this.bucket)
    }
    const body = response.Body
    if (body === undefined) return { bytes: new Uint8Array(0), version: response.ETag }
    const stop = () => body.destroy?.()
    signal?.addEventListener('abort', stop, { once: true })
    try {
      return { bytes: await body.transformToByteArray(), version: response.ETag }
    } catch (error) {
      throw isAbort(error) || signal?.aborted ? error : describeS3Error(error, 'GetObject', this.bucket)
    } finally {
      signal?.removeEventListener('abort', stop)
    }
  }

  /** `HeadObject`: the ETag, size and the metadata given to `write`, without the body. */
  async head(name: string, options: BlobCallOptions = {}): Promise<BlobInfo | undefined> {
    const client = this.#client.get()
    try {
      const response = await client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: name }), {
        abortSignal: options.signal,
      })
      return { name, version: response.ETag, size: response.ContentLength, metadata: response.Metadata ?? {} }
    } catch (error) {
      if (isMissingObject(error)) return this.#missingObject(options.signal)
      throw isAbort(error) ? error : describeS3Error(error, 'HeadObject', this.bucket)
    }
  }

  /**
   * A `HeadObject` answer has no body, so a missing bucket and a missing object are the same bare
   * 404. The first time, one `HeadBucket` tells them apart, so that a missing bucket is an error
   * at first use even when that use is `has()`; once the bucket was seen, a 404 is a miss.
   */
  async #missingObject(signal: AbortSignal | undefined): Promise<undefined> {
    if (this.#bucketSeen) return undefined
    try {
      await this.#client.get().send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: signal })
    } catch (error) {
      if (s3ErrorStatus(error) === 404) {
        throw describeS3Error({ Code: 'NoSuchBucket', cause: error }, 'HeadObject', this.bucket)
      }
      // Anything else (no s3:ListBucket, say) cannot tell: keep the answer a miss.
      if (isAbort(error)) throw error
      return undefined
    }
    this.#bucketSeen = true
    return undefined
  }

  /**
   * One `PutObject`; `ifAbsent` sends `If-None-Match: *`, `ifVersion` sends `If-Match`. A
   * condition that does not hold (412, 409, or 404 under `If-Match`) resolves `false`.
   */
  async write(name: string, bytes: Uint8Array, options: BlobWriteOptions = {}): Promise<boolean> {
    const { ifAbsent, ifVersion, metadata, signal } = options
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: name,
      Body: bytes,
      ContentLength: bytes.byteLength,
      ContentType: 'application/octet-stream',
      Metadata: metadata === undefined ? undefined : { ...metadata },
      IfNoneMatch: ifAbsent ? '*' : undefined,
      IfMatch: ifVersion,
    })
    const client = this.#client.get()
    try {
      await client.send(command, { abortSignal: signal })
      return true
    } catch (error) {
      const conditional = ifAbsent === true || ifVersion !== undefined
      if (conditional && isFailedCondition(error) && s3ErrorCode(error) !== 'NoSuchBucket') return false
      throw isAbort(error) ? error : describeS3Error(error, 'PutObject', this.bucket)
    }
  }

  /** `DeleteObject` for one name, `DeleteObjects` (quiet) for up to 1,000. */
  async delete(names: string[], options: BlobCallOptions = {}): Promise<void> {
    const { signal } = options
    if (names.length === 0) return
    if (names.length === 1) {
      await this.#send(
        'DeleteObject',
        new DeleteObjectCommand({ Bucket: this.bucket, Key: names[0] }),
        signal,
      )
      return
    }
    for (let start = 0; start < names.length; start += S3_MAX_DELETE_BATCH) {
      const batch = names.slice(start, start + S3_MAX_DELETE_BATCH)
      const command = new DeleteObjectsCommand({
        Bucket: this.bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
      })
      const response = await this.#send<{ Errors?: { Key?: string; Code?: string }[] }>(
        'DeleteObjects',
        command,
        signal,
      )
      const failed = response.Errors?.find((entry) => entry.Code !== 'NoSuchKey')
      if (failed !== undefined) {
        throw describeS3Error({ Code: failed.Code, name: failed.Code }, 'DeleteObjects', this.bucket)
      }
    }
  }

  /**
   * `DeleteObject` with `If-Match: <ETag>`: removes a dead entry only if it is still the version
   * read, so a fresh entry another process just wrote over it survives. Resolves `false` when it
   * was replaced (412) or is already gone (404).
   */
  async deleteIfVersion(name: string, version: string, options: BlobCallOptions = {}): Promise<boolean> {
    const command = new DeleteObjectCommand({ Bucket: this.bucket, Key: name, IfMatch: version })
    const client = this.#client.get()
    try {
      await client.send(command, { abortSignal: options.signal })
      return true
    } catch (error) {
      if (isFailedCondition(error) && s3ErrorCode(error) !== 'NoSuchBucket') return false
      throw isAbort(error) ? error : describeS3Error(error, 'DeleteObject', this.bucket)
    }
  }

  /** One `ListObjectsV2` page (up to 1,000 names) under `prefix`. */
  async list(prefix: string, cursor?: string, options: BlobCallOptions = {}): Promise<BlobPage> {
    const command = new ListObjectsV2Command({
      Bucket: this.bucket,
      Prefix: prefix,
      ContinuationToken: cursor,
    })
    const response = await this.#send<{
      Contents?: { Key?: string; ETag?: string; Size?: number }[]
      IsTruncated?: boolean
      NextContinuationToken?: string
    }>('ListObjectsV2', command, options.signal)
    const objects: BlobInfo[] = []
    for (const item of response.Contents ?? []) {
      if (item.Key !== undefined) objects.push({ name: item.Key, version: item.ETag, size: item.Size })
    }
    const cursorOut = response.IsTruncated ? response.NextContinuationToken : undefined
    return cursorOut === undefined ? { objects } : { objects, cursor: cursorOut }
  }

  /** Destroys the client the backend built; a client passed in is left to its owner. */
  async close(): Promise<void> {
    this.#client.close()
  }
}

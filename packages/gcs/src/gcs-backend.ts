import type { Bucket, File, FileMetadata, Storage } from '@google-cloud/storage'
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
import { bucketError, isMissingObject, statusOf } from './gcs-errors'

/**
 * Bodies up to this size are uploaded in one request (`resumable: false`); larger ones with a
 * resumable upload, which survives a dropped connection mid-body.
 * @example
 * ```ts
 * const oneRequest = bytes.byteLength <= RESUMABLE_ABOVE_BYTES
 * ```
 */
export const RESUMABLE_ABOVE_BYTES = 8 * 1024 * 1024

/** Options of {@link GcsBackend}. */
export interface GcsBackendOptions {
  /**
   * The bucket holding the objects (it must exist).
   * @example `{ bucket: 'my-app-cache' }`
   */
  bucket: string
  /**
   * The client to use, or a function building it on first use (called once).
   * @example `{ storage: () => new Storage({ projectId: 'my-project' }) }`
   */
  storage: Storage | (() => Storage)
  /**
   * The most objects one `list` page returns (GCS allows up to 1,000).
   * @defaultValue 1000
   * @example `{ pageSize: 200 }`
   */
  pageSize?: number
}

/**
 * A {@link BlobBackend} over one Cloud Storage bucket, through `@google-cloud/storage`: one
 * object per entry, the object's generation as its version (`ifGenerationMatch` for conditional
 * writes and deletes), custom metadata for the entry's timeline, range reads for headers, paged
 * listing. `GcsStore` is a `BlobStore` over it.
 *
 * @example
 * ```ts
 * const backend = new GcsBackend({ bucket: 'my-cache', storage: new Storage() })
 * const store = new BlobStore(backend, { prefix: 'app/' })
 * ```
 */
export class GcsBackend implements BlobBackend {
  /** `'gcs'`: the store's name in logs, metrics and errors. */
  readonly name = 'gcs'
  /** Conditional writes by generation, custom metadata and range reads: all native to GCS. */
  readonly capabilities: BlobBackendCapabilities = {
    conditionalWrites: true,
    metadata: true,
    rangeReads: true,
  }
  /** The bucket's name. */
  readonly bucketName: string
  readonly #pageSize: number
  #storage: Storage | (() => Storage)
  #bucket: Bucket | undefined

  /** @param options - the bucket, the client and the page size; see {@link GcsBackendOptions} */
  constructor(options: GcsBackendOptions) {
    this.bucketName = options.bucket
    this.#storage = options.storage
    this.#pageSize = options.pageSize ?? 1000
  }

  /** The client in use (built now when it is built lazily). */
  get storage(): Storage {
    if (typeof this.#storage === 'function') this.#storage = this.#storage()
    return this.#storage
  }

  /** The object's body, or its first `maxBytes` bytes (one ranged request), with its generation. */
  async read(name: string, options: BlobReadOptions = {}): Promise<BlobReadResult | undefined> {
    const { maxBytes, signal } = options
    const range = maxBytes === undefined ? {} : { start: 0, end: Math.max(1, maxBytes) - 1 }
    try {
      return await download(this.#file(name), range, signal)
    } catch (error) {
      if (isMissingObject(error)) return undefined
      // An empty object has no byte 0 to serve a range from.
      if (statusOf(error) === 416) return this.read(name, { signal })
      throw bucketError(this.bucketName, error)
    }
  }

  /** The object's generation, size and custom metadata, without its body. */
  async head(name: string, _options?: BlobCallOptions): Promise<BlobInfo | undefined> {
    try {
      const [metadata] = await this.#file(name).getMetadata()
      return infoOf(name, metadata)
    } catch (error) {
      if (isMissingObject(error)) return undefined
      throw bucketError(this.bucketName, error)
    }
  }

  /**
   * Uploads the object in one request (resumable above {@link RESUMABLE_ABOVE_BYTES}), with
   * `ifGenerationMatch: 0` for `ifAbsent` and `ifGenerationMatch: <version>` for `ifVersion`;
   * a failed precondition (412) resolves `false`.
   */
  async write(name: string, bytes: Uint8Array, options: BlobWriteOptions = {}): Promise<boolean> {
    const { ifAbsent, ifVersion, metadata } = options
    const ifGenerationMatch = ifAbsent ? '0' : ifVersion
    try {
      await this.#file(name).save(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
        resumable: bytes.byteLength > RESUMABLE_ABOVE_BYTES,
        contentType: 'application/octet-stream',
        metadata: metadata === undefined ? {} : { metadata: { ...metadata } },
        // A generation is an int64: kept as the decimal string GCS gave, never rounded.
        ...(ifGenerationMatch === undefined
          ? {}
          : { preconditionOpts: { ifGenerationMatch: ifGenerationMatch as unknown as number } }),
      })
      return true
    } catch (error) {
      if (ifGenerationMatch !== undefined && statusOf(error) === 412) return false
      throw bucketError(this.bucketName, error)
    }
  }

  /** Deletes each named object (absent ones ignored); `BlobStore` runs these calls `concurrency` at a time. */
  async delete(names: string[], _options?: BlobCallOptions): Promise<void> {
    for (const name of names) {
      try {
        await this.#file(name).delete({ ignoreNotFound: true })
      } catch (error) {
        if (isMissingObject(error)) continue
        throw bucketError(this.bucketName, error)
      }
    }
  }

  /** Deletes the object only if it still has generation `version` (`ifGenerationMatch`). */
  async deleteIfVersion(name: string, version: string, _options?: BlobCallOptions): Promise<boolean> {
    try {
      await this.#file(name).delete({ ifGenerationMatch: version as unknown as number })
      return true
    } catch (error) {
      if (statusOf(error) === 412 || isMissingObject(error)) return false
      throw bucketError(this.bucketName, error)
    }
  }

  /** One page of `getFiles({ prefix, autoPaginate: false, pageToken })`. */
  async list(prefix: string, cursor?: string, _options?: BlobCallOptions): Promise<BlobPage> {
    try {
      const [files, next] = await this.#bucketHandle().getFiles({
        prefix,
        autoPaginate: false,
        maxResults: this.#pageSize,
        ...(cursor === undefined ? {} : { pageToken: cursor }),
      })
      const token = (next as { pageToken?: string } | null | undefined)?.pageToken
      return {
        objects: files.map((file) => infoOf(file.name, file.metadata)),
        ...(token ? { cursor: token } : {}),
      }
    } catch (error) {
      throw bucketError(this.bucketName, error)
    }
  }

  #bucketHandle(): Bucket {
    this.#bucket ??= this.storage.bucket(this.bucketName)
    return this.#bucket
  }

  #file(name: string): File {
    return this.#bucketHandle().file(name)
  }
}

/** What a listing or `getMetadata` says of an object. */
function infoOf(name: string, metadata: FileMetadata): BlobInfo {
  const custom: Record<string, string> = {}
  for (const [key, value] of Object.entries(metadata.metadata ?? {})) {
    if (value !== null && value !== undefined) custom[key] = String(value)
  }
  const info: BlobInfo = { name, metadata: custom }
  if (metadata.generation !== undefined) info.version = String(metadata.generation)
  if (metadata.size !== undefined) info.size = Number(metadata.size)
  return info
}

/**
 * Reads the object through one request, keeping the generation the response was served from
 * (`x-goog-generation`); an abort destroys the request.
 */
function download(
  file: File,
  range: { start?: number; end?: number },
  signal: AbortSignal | undefined,
): Promise<BlobReadResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const chunks: Buffer[] = []
    let version: string | undefined
    const stream = file.createReadStream(range)
    const onAbort = () => stream.destroy(signal?.reason ?? new Error('aborted'))
    signal?.addEventListener('abort', onAbort, { once: true })
    const done = () => signal?.removeEventListener('abort', onAbort)
    stream.on('response', (response: { headers?: Record<string, string | string[] | undefined> }) => {
      const generation = response.headers?.['x-goog-generation']
      if (typeof generation === 'string') version = generation
    })
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => {
      done()
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
      resolve(version === undefined ? { bytes } : { bytes, version })
    })
    stream.on('error', (error) => {
      done()
      reject(error)
    })
  })
}

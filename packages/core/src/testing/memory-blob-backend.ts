import type {
  BlobBackend,
  BlobBackendCapabilities,
  BlobCallOptions,
  BlobInfo,
  BlobPage,
  BlobReadOptions,
  BlobReadResult,
  BlobWriteOptions,
} from '../store/blob-backend'

/** Options of {@link MemoryBlobBackend}. */
export interface MemoryBlobBackendOptions {
  /**
   * What the backend claims to support, to run `BlobStore` through each of its code paths
   * (header reads instead of metadata, whole reads instead of range reads, in-process
   * `setIfAbsent` without conditional writes).
   * @defaultValue `{ conditionalWrites: true, metadata: true, rangeReads: true }`
   * @example
   * ```ts
   * new MemoryBlobBackend({ capabilities: { metadata: false } })
   * ```
   */
  capabilities?: Partial<BlobBackendCapabilities>
  /**
   * How many objects `list` returns per page (small values exercise paging).
   * @defaultValue 100
   * @example
   * ```ts
   * new MemoryBlobBackend({ pageSize: 2 })
   * ```
   */
  pageSize?: number
}

interface StoredObject {
  bytes: Uint8Array
  version: string
  metadata: Readonly<Record<string, string>> | undefined
}

/**
 * A {@link BlobBackend} in a `Map`, for tests and for `BlobStore` itself: it passes the store
 * conformance suite without a server. Pages are in name order; versions are a counter.
 *
 * @example
 * ```ts
 * import { BlobStore } from '@stratacache/core'
 * import { MemoryBlobBackend } from '@stratacache/core/testing'
 * const store = new BlobStore(new MemoryBlobBackend(), { prefix: 'test/' })
 * ```
 */
export class MemoryBlobBackend implements BlobBackend {
  /** `'memory-blob'`. */
  readonly name = 'memory-blob'
  /** See {@link MemoryBlobBackendOptions.capabilities}. */
  readonly capabilities: BlobBackendCapabilities
  /** 1,000, as S3. */
  readonly maxDeleteBatch = 1000
  /** The stored objects by name: tests may read and write them directly. */
  readonly objects = new Map<string, StoredObject>()
  readonly #pageSize: number
  #versions = 0

  constructor(options: MemoryBlobBackendOptions = {}) {
    this.capabilities = { conditionalWrites: true, metadata: true, rangeReads: true, ...options.capabilities }
    this.#pageSize = options.pageSize ?? 100
  }

  /** Stores `bytes` under `name` as a backend client would, outside any `BlobStore`. */
  put(name: string, bytes: Uint8Array): void {
    this.objects.set(name, { bytes: bytes.slice(), version: String(++this.#versions), metadata: undefined })
  }

  async read(name: string, options: BlobReadOptions = {}): Promise<BlobReadResult | undefined> {
    const found = this.objects.get(name)
    if (found === undefined) return undefined
    const { maxBytes } = options
    const bytes =
      maxBytes !== undefined && this.capabilities.rangeReads ? found.bytes.subarray(0, maxBytes) : found.bytes
    return this.capabilities.conditionalWrites ? { bytes, version: found.version } : { bytes }
  }

  async head(name: string, _options?: BlobCallOptions): Promise<BlobInfo | undefined> {
    const found = this.objects.get(name)
    return found && this.#info(name, found)
  }

  async write(name: string, bytes: Uint8Array, options: BlobWriteOptions = {}): Promise<boolean> {
    const current = this.objects.get(name)
    if (this.capabilities.conditionalWrites) {
      if (options.ifAbsent === true && current !== undefined) return false
      if (options.ifVersion !== undefined && current?.version !== options.ifVersion) return false
    }
    const metadata = this.capabilities.metadata ? options.metadata : undefined
    this.objects.set(name, { bytes: bytes.slice(), version: String(++this.#versions), metadata })
    return true
  }

  async delete(names: string[], _options?: BlobCallOptions): Promise<void> {
    for (const name of names) this.objects.delete(name)
  }

  async deleteIfVersion(name: string, version: string, _options?: BlobCallOptions): Promise<boolean> {
    if (this.objects.get(name)?.version !== version) return false
    this.objects.delete(name)
    return true
  }

  async list(prefix: string, cursor?: string, _options?: BlobCallOptions): Promise<BlobPage> {
    const names = [...this.objects.keys()]
      .filter((name) => name.startsWith(prefix) && (cursor === undefined || name > cursor))
      .sort()
    const page = names.slice(0, this.#pageSize)
    const objects = page.map((name) => this.#info(name, this.objects.get(name) as StoredObject))
    return names.length > page.length ? { objects, cursor: page[page.length - 1] } : { objects }
  }

  #info(name: string, found: StoredObject): BlobInfo {
    const info: BlobInfo = { name, size: found.bytes.length }
    if (this.capabilities.conditionalWrites) info.version = found.version
    if (found.metadata !== undefined) info.metadata = found.metadata
    return info
  }
}

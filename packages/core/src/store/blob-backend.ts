/**
 * The port of an object store under `BlobStore`: the few operations every byte backend (local
 * disk, S3, GCS, Azure Blob, R2, a database table) can offer. `BlobStore` turns them into the whole
 * `CacheStore` protocol — freshness, the entry codec, `setIfAbsent`, glob deletes, `clear`,
 * batching, timeouts, error shaping and `prune()` — so a backend is one short file.
 *
 * A backend knows nothing of cache keys or entries: it stores opaque bytes under **names** that
 * `BlobStore` chose (safe on every backend: at most 1,024 UTF-8 bytes of printable ASCII, `/` as
 * the only separator, segments of at most 200 bytes — a file name on any file system — never
 * `.` or `..` as a segment, always below the store's prefix).
 * @packageDocumentation
 */

/** What a backend knows of one object without downloading its body. */
export interface BlobInfo {
  /** The object's name, exactly as `write` was given it. */
  name: string
  /**
   * An opaque token that changes whenever the object is replaced (S3's ETag, GCS's generation, a
   * file's inode and mtime), for {@link BlobWriteOptions.ifVersion}. `undefined` when the
   * backend cannot tell (such a backend declares `conditionalWrites: false`).
   */
  version?: string
  /** The body's size in bytes, when known. */
  size?: number
  /**
   * The small string metadata given to `write`, when the backend keeps it and returns it here
   * (S3 `HeadObject`, GCS custom metadata). `undefined` when it does not; `BlobStore` then reads
   * the entry's header bytes instead.
   */
  metadata?: Readonly<Record<string, string>>
}

/** The result of {@link BlobBackend.read}. */
export interface BlobReadResult {
  /** The body, or its first `maxBytes` bytes when that option was given. */
  bytes: Uint8Array
  /** As {@link BlobInfo.version}: the version the bytes were read from. */
  version?: string
}

/** Options every backend call accepts. */
export interface BlobCallOptions {
  /**
   * Aborted when `BlobStore` gives up on the call (its `operationTimeout` passed, or the store
   * closed). A backend passes it to its client where the client supports it, so an abandoned
   * request frees its socket; a backend that cannot cancel may ignore it.
   */
  signal?: AbortSignal
}

/** Options of {@link BlobBackend.read}. */
export interface BlobReadOptions extends BlobCallOptions {
  /**
   * Read at most this many leading bytes (a range read), e.g. the entry header for an expiry
   * check. The whole body when omitted.
   */
  maxBytes?: number
}

/** Options of {@link BlobBackend.write}. */
export interface BlobWriteOptions extends BlobCallOptions {
  /**
   * Write only if no object of that name exists (S3 `If-None-Match: *`, GCS
   * `ifGenerationMatch: 0`, `link(2)` on disk). `write` then resolves `false` when one exists.
   */
  ifAbsent?: boolean
  /**
   * Write only if the object still has this {@link BlobInfo.version} (S3 `If-Match`, GCS
   * `ifGenerationMatch`). `write` then resolves `false` when it was replaced or deleted meanwhile.
   * Used to reclaim a dead entry under `setIfAbsent` without racing another process.
   */
  ifVersion?: string
  /**
   * Small string metadata to keep beside the body, where the backend can (object metadata):
   * `BlobStore` puts the entry's timeline here so `has()` and `prune()` need no download.
   * Keys are lowercase ASCII; a backend without metadata ignores it.
   */
  metadata?: Readonly<Record<string, string>>
}

/** One page of {@link BlobBackend.list}. */
export interface BlobPage {
  /** The objects of this page, in any order. */
  objects: BlobInfo[]
  /** Pass to the next `list` call for the next page; `undefined` on the last page. */
  cursor?: string
}

/** What a backend can do beyond the required operations; `BlobStore` adapts to it. */
export interface BlobBackendCapabilities {
  /**
   * `write` honours `ifAbsent` and `ifVersion` atomically, across processes. Without it,
   * `BlobStore.setIfAbsent` is atomic only within one process.
   */
  conditionalWrites: boolean
  /** `head`/`list` return the metadata given to `write` (so no header read is needed). */
  metadata: boolean
  /** `read` honours `maxBytes` with a cheaper request than a whole read (range reads). */
  rangeReads: boolean
}

/**
 * An object store as `BlobStore` sees it. Every method rejects with the client's own error when
 * the backend fails; `BlobStore` wraps it in a `CacheStoreError` naming the store, the operation
 * and the key, and bounds it with `operationTimeout`.
 *
 * @example
 * ```ts
 * class MapBackend implements BlobBackend {
 *   readonly name = 'map'
 *   readonly capabilities = { conditionalWrites: true, metadata: false, rangeReads: false }
 *   readonly #objects = new Map<string, Uint8Array>()
 *   async read(name: string) {
 *     const bytes = this.#objects.get(name)
 *     return bytes && { bytes }
 *   }
 *   async head(name: string) {
 *     const bytes = this.#objects.get(name)
 *     return bytes && { name, size: bytes.length }
 *   }
 *   async write(name: string, bytes: Uint8Array, options: BlobWriteOptions = {}) {
 *     if (options.ifAbsent && this.#objects.has(name)) return false
 *     this.#objects.set(name, bytes)
 *     return true
 *   }
 *   async delete(names: string[]) {
 *     for (const name of names) this.#objects.delete(name)
 *   }
 *   async list(prefix: string) {
 *     const objects = [...this.#objects.keys()].filter((name) => name.startsWith(prefix))
 *     return { objects: objects.map((name) => ({ name })) }
 *   }
 * }
 * ```
 */
export interface BlobBackend {
  /** A short name for logs, metrics and error messages, e.g. `'s3'`; `BlobStore.name` is this. */
  readonly name: string
  /** What this backend supports beyond the required operations. */
  readonly capabilities: BlobBackendCapabilities
  /** The object's body (or its first `maxBytes` bytes), or `undefined` when there is none. */
  read(name: string, options?: BlobReadOptions): Promise<BlobReadResult | undefined>
  /** What is known of the object without its body, or `undefined` when there is none. */
  head(name: string, options?: BlobCallOptions): Promise<BlobInfo | undefined>
  /**
   * Replaces (or, with a condition, conditionally creates or replaces) the object in one atomic
   * step: a reader sees the old body or the new one, never a torn one. Resolves `false` only when
   * a condition of `options` did not hold; then nothing was written.
   */
  write(name: string, bytes: Uint8Array, options?: BlobWriteOptions): Promise<boolean>
  /**
   * Deletes the named objects; names that do not exist are ignored. `BlobStore` passes at most
   * `maxDeleteBatch` names per call (a backend splits nothing itself).
   */
  delete(names: string[], options?: BlobCallOptions): Promise<void>
  /**
   * Optional: deletes the object only if it still has this {@link BlobInfo.version} (GCS
   * `ifGenerationMatch`, S3 `If-Match`); resolves whether it deleted. `BlobStore` removes dead
   * and corrupt entries with it, so that an entry another process has just written over the dead
   * one (a lock taken with `setIfAbsent`) is never removed. Without it, `BlobStore` uses `delete`.
   */
  deleteIfVersion?(name: string, version: string, options?: BlobCallOptions): Promise<boolean>
  /** The largest batch `delete` accepts in one call (S3: 1,000). @defaultValue 1 */
  readonly maxDeleteBatch?: number
  /** One page of the objects whose names start with `prefix`. */
  list(prefix: string, cursor?: string, options?: BlobCallOptions): Promise<BlobPage>
  /** Releases what the backend opened itself (not a client the user passed in). */
  close?(): Promise<void>
}

import { CacheSerializationError, type CacheStoreError } from '../errors'
import { safeReport } from '../instance-defaults'
import type { BlobBackend, BlobInfo, BlobReadResult } from './blob-backend'
import { BlobCall, closeBlobCalls, type OpenBlobCalls } from './blob-call'
import type { BlobNames } from './blob-names'
import type { ResolvedBlobStoreOptions } from './blob-store-options'
import { ENTRY_TIMELINE_BYTES, type EntryHeaderTimeline, readEntryKey, readEntryTimeline } from './codec'
import { DeadlineWatch } from './deadline-watch'
import { isDead } from './entry'
import { mapWithConcurrency } from './map-with-concurrency'
import type { CacheEntry } from './store'
import { storeFailure } from './store-failure'

/** The metadata key holding an entry's `staleUntil`, for backends that keep metadata. */
const STALE_UNTIL = 'stale-until'
/** Bytes read first to find the key of a long key's entry; most keys fit. */
const KEY_HEAD_BYTES = 4096
/** A key section claiming more than this is not believed (keys are 10 KiB in the conformance suite). */
const MAX_KEY_HEAD_BYTES = 1024 * 1024
/** Where the codec's key section starts (format version 2): the key follows. */
const KEY_SECTION_OFFSET = 45
const utf8 = new TextEncoder()

/** What a store knows of an object without decoding its payload. */
export type Liveness =
  | { state: 'absent' }
  | { state: 'live' | 'dead'; version?: string }
  | { state: 'corrupt'; version?: string; error: unknown }

/**
 * How `BlobStore` talks to its backend: every call bounded by `operationTimeout` (one deadline
 * timer per store, an `AbortSignal` only when the backend asks) and failing with a
 * `CacheStoreError` naming store, operation and key; what an object holds, from metadata or its
 * first bytes; batched deletes; the removal of dead and corrupt objects; paged listing.
 * `BlobStore` keeps the semantics of the protocol on top.
 */
export class BlobObjects {
  readonly #backend: BlobBackend
  readonly #names: BlobNames
  readonly #options: ResolvedBlobStoreOptions & { name: string }
  /** The calls in flight whose signal exists: `close()` aborts them. */
  readonly #open: OpenBlobCalls = { calls: new Set(), closedBecause: undefined }
  readonly #deadlines: DeadlineWatch
  /** Backend calls started and not yet answered. */
  #inFlight = 0
  /** Resolves `close()`'s wait once {@link BlobObjects.#inFlight} drops to 0. */
  #drained: (() => void) | undefined

  constructor(backend: BlobBackend, names: BlobNames, options: ResolvedBlobStoreOptions & { name: string }) {
    this.#backend = backend
    this.#names = names
    this.#options = options
    this.#deadlines = new DeadlineWatch(options.timeoutMs, options.clock)
  }

  /**
   * Lets the calls in flight finish — a write the process made just before closing still lands —
   * each within its `operationTimeout` (a call past it is aborted as always); then stops the
   * deadline timer. Without a finite `operationTimeout`, aborts the calls in flight at once.
   */
  async close(): Promise<void> {
    if (this.#inFlight > 0 && Number.isFinite(this.#options.timeoutMs)) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve
      })
    }
    closeBlobCalls(this.#open, new Error(`${this.#options.name} store closed`))
    this.#deadlines.stop()
  }

  /** One backend call answered (in time, failed or timed out). */
  #answered(): void {
    if (--this.#inFlight === 0 && this.#drained !== undefined) this.#drained()
  }

  /**
   * Where the object stands, from metadata (`info`, or a `head`) or its header bytes; with the
   * header, an entry carrying another key than `key` (or than the key its name spells) is corrupt.
   */
  async liveness(
    name: string,
    info: BlobInfo | undefined,
    operation: string,
    key?: string,
  ): Promise<Liveness> {
    if (this.#backend.capabilities.metadata) {
      const known =
        info?.metadata === undefined
          ? await this.call(operation, key, (call) => this.#backend.head(name, call))
          : info
      if (known === undefined) return { state: 'absent' }
      const staleUntil = Number(known.metadata?.[STALE_UNTIL] ?? Number.NaN)
      if (!Number.isNaN(staleUntil)) {
        return { state: this.deadAt(staleUntil) ? 'dead' : 'live', version: known.version }
      }
    }
    const expected = key ?? this.#names.keyOf(name) ?? undefined
    const maxBytes =
      expected === undefined ? ENTRY_TIMELINE_BYTES : KEY_SECTION_OFFSET + utf8.encode(expected).length
    const head = await this.call(operation, key, (call) => this.#backend.read(name, call.with({ maxBytes })))
    if (head === undefined) return { state: 'absent' }
    const problem = headerProblem(head.bytes, expected)
    if (problem !== undefined) {
      const error = new CacheSerializationError(
        `${this.#options.name}: the object "${name}" holds ${problem}${expected === undefined ? '' : ` (key ${JSON.stringify(expected)})`}`,
        { key: expected },
      )
      return { state: 'corrupt', version: head.version, error }
    }
    const staleUntil = (readEntryTimeline(head.bytes) as EntryHeaderTimeline).staleUntil
    return { state: this.deadAt(staleUntil) ? 'dead' : 'live', version: head.version }
  }

  deadAt(staleUntil: number): boolean {
    return isDead({ freshUntil: staleUntil, staleUntil }, this.#options.clock.now())
  }

  /** The key a listed object holds: from its name, or from its entry's key section for long keys. */
  async keyOf(info: BlobInfo, operation: string): Promise<string | undefined> {
    const fromName = this.#names.keyOf(info.name)
    if (fromName !== null) return fromName
    let wanted = KEY_HEAD_BYTES
    for (let attempt = 0; attempt < 2; attempt++) {
      const head = await this.call(operation, undefined, (call) =>
        this.#backend.read(info.name, call.with({ maxBytes: wanted })),
      )
      const found = head === undefined ? undefined : readEntryKey(head.bytes)
      if (found === undefined) return undefined
      if ('key' in found) {
        return found.key !== undefined && this.#names.nameOf(found.key) === info.name ? found.key : undefined
      }
      if (found.moreBytes > MAX_KEY_HEAD_BYTES) return undefined
      wanted = found.moreBytes
    }
    return undefined
  }

  /** Deletes `names` in batches of the backend's `maxDeleteBatch`. */
  async deleteNames(names: string[], operation: string, key?: string): Promise<void> {
    const batch = Math.max(1, this.#backend.maxDeleteBatch ?? 1)
    const batches: string[][] = []
    for (let i = 0; i < names.length; i += batch) batches.push(names.slice(i, i + batch))
    await mapWithConcurrency(batches, this.#options.concurrency, (names) =>
      this.call(operation, key, (call) => this.#backend.delete(names, call)),
    )
  }

  /**
   * Removes a dead or corrupt object (reporting the corruption), only if it is still the version
   * that was read when the backend can tell; a failure is reported, not thrown.
   */
  async dropUnusable(name: string, found: Liveness, operation: string, key?: string): Promise<boolean> {
    if (found.state !== 'dead' && found.state !== 'corrupt') return false
    if (found.state === 'corrupt') safeReport(this.#options.onError, found.error)
    const { version } = found
    const deleteIfVersion = this.#backend.deleteIfVersion?.bind(this.#backend)
    try {
      if (version !== undefined && deleteIfVersion !== undefined) {
        return await this.call(operation, key, (call) => deleteIfVersion(name, version, call))
      }
      await this.call(operation, key, (call) => this.#backend.delete([name], call))
      return true
    } catch (error) {
      safeReport(this.#options.onError, error)
      return false
    }
  }

  async forEachPage(
    prefix: string,
    operation: string,
    onPage: (page: BlobInfo[]) => Promise<void>,
    shouldStop: () => boolean = () => false,
  ): Promise<void> {
    let cursor: string | undefined
    do {
      const page = await this.call(operation, undefined, (call) => this.#backend.list(prefix, cursor, call))
      await onPage(page.objects.filter((info) => info.name.startsWith(prefix)))
      cursor = page.cursor
    } while (cursor !== undefined && !shouldStop())
  }

  /**
   * One backend `read`, as {@link BlobObjects.call} runs it (bounded by `operationTimeout`,
   * failures as `CacheStoreError`s naming operation and key) but with no promise of its own: the
   * backend's reply goes straight to `onRead`, or the failure to `onFail`, exactly once. The hit
   * path of `BlobStore.get`.
   */
  read(
    name: string,
    operation: string,
    key: string,
    onRead: (found: BlobReadResult | undefined) => void,
    onFail: (error: CacheStoreError) => void,
  ): void {
    const call = new BlobCall(this.#open)
    const store = this.#options.name
    let reading: Promise<BlobReadResult | undefined>
    try {
      reading = this.#backend.read(name, call)
    } catch (error) {
      call.abort(error)
      call.settle()
      onFail(storeFailure(error, { store, operation, key }))
      return
    }
    this.#inFlight++
    const deadlines = this.#deadlines
    const watched = deadlines.watch({ store, operation, key }, (timeout) => {
      call.abort(timeout)
      call.settle()
      this.#answered()
      onFail(timeout)
    })
    reading.then(
      (found) => {
        if (watched !== undefined && !deadlines.settle(watched)) return // timed out: reported
        call.settle()
        this.#answered()
        onRead(found)
      },
      (error: unknown) => {
        if (watched !== undefined && !deadlines.settle(watched)) return
        call.abort(error)
        call.settle()
        this.#answered()
        onFail(storeFailure(error, { store, operation, key }))
      },
    )
  }

  /**
   * Runs one backend call bounded by `operationTimeout` (its signal aborted when the bound
   * passes or the store closes); failures become `CacheStoreError`s naming operation and key.
   */
  async call<T>(operation: string, key: string | undefined, run: (call: BlobCall) => Promise<T>): Promise<T> {
    const call = new BlobCall(this.#open)
    this.#inFlight++
    try {
      return await this.#deadlines.bound(run(call), { store: this.#options.name, operation, key })
    } catch (error) {
      call.abort(error)
      throw storeFailure(error, { store: this.#options.name, operation, key })
    } finally {
      call.settle()
      this.#answered()
    }
  }
}

/** What is wrong with an entry's first bytes, if anything: no header, or another key's entry. */
function headerProblem(head: Uint8Array, expected: string | undefined): string | undefined {
  if (readEntryTimeline(head) === undefined) return 'no valid entry header'
  if (expected === undefined) return undefined
  const held = readEntryKey(head)
  if (held === undefined) return 'an unreadable key section'
  if ('moreBytes' in held || (held.key !== undefined && held.key !== expected))
    return 'the entry of another key'
  return undefined
}

export function metadataOf(entry: CacheEntry): Record<string, string> {
  return { [STALE_UNTIL]: String(entry.staleUntil) }
}

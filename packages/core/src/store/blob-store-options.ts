import { type Clock, systemClock } from '../clock'
import { type Duration, durationToMs } from '../duration'
import type { ErrorHandler } from '../instance-defaults'
import { checkOptionNames, invalidOption, optionNames } from '../option-errors'
import { checkBlobPrefix } from './blob-names'
import { type ByteStoreOptions, resolveByteStoreOptions } from './byte-store-options'
import type { EntryCodec } from './codec'

/** Options of `BlobStore` (and, through it, of every store built on a `BlobBackend`). */
export interface BlobStoreOptions extends ByteStoreOptions {
  /**
   * Where this store's objects live in the backend: `''` or `/`-separated segments of
   * `[A-Za-z0-9._-]` ending in `/`. `clear()` and `deleteMatching()` never touch an object
   * outside it, nor one inside that this store did not name.
   * @defaultValue `''`
   * @example
   * ```ts
   * new BlobStore(backend, { prefix: 'cache/my-app/' })
   * ```
   */
  prefix?: string
  /**
   * Bounds every backend call: a slower one rejects with `CacheTimeoutError` and its
   * `AbortSignal` is aborted, so the backend can free its socket or handle.
   * @defaultValue `'5s'`
   * @example
   * ```ts
   * new BlobStore(backend, { operationTimeout: '500ms' })
   * ```
   */
  operationTimeout?: Duration
  /**
   * How many backend calls `getMany`, `setMany`, `deleteMany`, `deleteMatching` and `prune` run
   * at once.
   * @defaultValue 16
   * @example
   * ```ts
   * new BlobStore(backend, { concurrency: 64 })
   * ```
   */
  concurrency?: number
  /**
   * When set, runs `prune()` every `pruneInterval` (after the previous sweep finished), on a
   * timer that never keeps the process alive; `close()` stops it.
   * @defaultValue no periodic sweep (dead entries are still removed when read)
   * @example
   * ```ts
   * new BlobStore(backend, { pruneInterval: '15m' })
   * ```
   */
  pruneInterval?: Duration
  /**
   * The clock deciding when entries are dead and measuring `operationTimeout`. Tests pass a
   * `ManualClock`.
   * @defaultValue systemClock
   * @example
   * ```ts
   * new BlobStore(backend, { clock: new ManualClock() })
   * ```
   */
  clock?: Clock
}

/** The option names of {@link BlobStoreOptions}, for stores that extend them. */
export const BLOB_STORE_OPTION_NAMES: readonly string[] = optionNames<BlobStoreOptions>({
  serializer: true,
  readSerializers: true,
  compress: true,
  maxValueBytes: true,
  onError: true,
  prefix: true,
  operationTimeout: true,
  concurrency: true,
  pruneInterval: true,
  clock: true,
})

/** {@link BlobStoreOptions}, checked once. */
export interface ResolvedBlobStoreOptions {
  prefix: string
  codec: EntryCodec
  onError: ErrorHandler
  timeoutMs: number
  concurrency: number
  pruneIntervalMs: number | undefined
  clock: Clock
}

const DEFAULT_OPERATION_TIMEOUT = '5s'
const DEFAULT_CONCURRENCY = 16

/**
 * Checks {@link BlobStoreOptions}. `owner` names the store in messages; `known` lists every
 * option name it accepts (a store extending these options adds its own).
 */
export function resolveBlobStoreOptions(
  owner: string,
  options: BlobStoreOptions,
  known: readonly string[] = BLOB_STORE_OPTION_NAMES,
): ResolvedBlobStoreOptions {
  checkOptionNames(owner, options, known)
  const { prefix = '', concurrency = DEFAULT_CONCURRENCY, clock = systemClock } = options
  const problem = typeof prefix === 'string' ? checkBlobPrefix(prefix) : 'must be a string'
  if (problem !== undefined) {
    throw invalidOption(owner, 'prefix', prefix, `"" or segments ending in "/" (it ${problem})`)
  }
  const timeoutMs = durationToMs(options.operationTimeout ?? DEFAULT_OPERATION_TIMEOUT, 'operationTimeout')
  if (timeoutMs <= 0)
    throw invalidOption(owner, 'operationTimeout', options.operationTimeout, 'a duration above 0')
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024) {
    throw invalidOption(owner, 'concurrency', concurrency, 'an integer from 1 to 1024')
  }
  let pruneIntervalMs: number | undefined
  if (options.pruneInterval !== undefined) {
    pruneIntervalMs = durationToMs(options.pruneInterval, 'pruneInterval')
    if (pruneIntervalMs === 0 || pruneIntervalMs === Number.POSITIVE_INFINITY) {
      throw invalidOption(owner, 'pruneInterval', options.pruneInterval, 'a finite duration above 0')
    }
  }
  if (typeof clock?.now !== 'function' || typeof clock.setTimeout !== 'function') {
    throw invalidOption(owner, 'clock', clock, 'a Clock (now, setTimeout, clearTimeout)')
  }
  const { codec, onError } = resolveByteStoreOptions(owner, options)
  return { prefix, codec, onError, timeoutMs, concurrency, pruneIntervalMs, clock }
}

import { type Duration, durationToMs, optionalDurationToMs } from '../duration'
import { CacheConfigError } from '../errors'
import type { CacheMode } from './cache-mode'

/** A duration, or a function of the computed value that returns one (`ttl: (token) => token.expiresIn`). */
export type ValueDuration<V = any> = Duration | ((value: V) => Duration)

/** Cluster single-flight settings, in ms. */
export interface ClusterSettings {
  lockTimeoutMs: number
  pollMs: number
}

/**
 * How one cached computation is loaded and stored, resolved and validated once (at decoration
 * for `cache()`, per call for `getOrSet`/`set` given options). Every time is in ms; `Infinity`
 * switches a timeout off.
 */
export interface LoadPolicy {
  /** Freshness, or a function of the value returning ms. `0` stores nothing. */
  readonly ttlMs: number | ((value: unknown) => number)
  /** Stale-while-revalidate window after `ttl`, or a function of the value. */
  readonly staleMs: number | ((value: unknown) => number)
  /** How much longer an entry is kept, served only when recomputing it fails. */
  readonly staleIfErrorMs: number
  /** With an old value at hand, how long a caller waits for the function before getting it. */
  readonly softTimeoutMs: number
  /** How long a caller waits for the function at all. */
  readonly hardTimeoutMs: number
  /** Tags of each entry: a list, or a function of the cached function's arguments. */
  readonly tags: readonly string[] | ((...args: any[]) => readonly string[]) | undefined
  /** Whether a computed value is stored. */
  readonly cacheIf: ((value: any) => boolean) | undefined
  /** `singleFlight: 'cluster'` settings; `undefined` for `'process'`. */
  readonly cluster: ClusterSettings | undefined
  /**
   * The record keys of a list of `tags`, worked out by the tag index on the first tagged hit (see
   * `TagIndex.validSync`); `undefined` until then, and for tags given by a function.
   */
  tagKeys: TagKeys | undefined
}

/** Record keys of a policy's tags, for one tag index (one store and prefix). */
export interface TagKeys {
  /** The tag index that built them: another index (another store) builds its own. */
  readonly owner: object
  /** A copy of the tags, as they were when the keys were built. */
  readonly tags: readonly string[]
  /** `<prefix>:__tag:<tag>` for each of them. */
  readonly keys: readonly string[]
  /** Whether each record was found at its last read (how the next read asks for it). */
  readonly present: boolean[]
  /**
   * Whether an entry with `tags` written at `createdAt` survives their records, read from the
   * (synchronous) tag store: the check a `MemoryStore` applies in `getFreshSync`.
   */
  readonly survives: (tags: readonly string[], createdAt: number) => boolean
}

/** The options a {@link LoadPolicy} is resolved from (shared by `cache()`, `getOrSet` and `set`). */
export interface LoadPolicyOptions {
  ttl?: ValueDuration
  stale?: ValueDuration
  staleIfError?: Duration
  softTimeout?: Duration
  hardTimeout?: Duration
  tags?: readonly string[] | ((...args: any[]) => readonly string[])
  cacheIf?: (value: any) => boolean
  singleFlight?: 'process' | 'cluster'
  lockTimeout?: Duration
  pollInterval?: Duration
}

const DEFAULT_LOCK_TIMEOUT_MS = 10_000
const DEFAULT_POLL_MS = 50
const MODES: readonly CacheMode[] = ['normal', 'read-only', 'write-only', 'bypass']

/** A `CacheConfigError` naming the option at fault. */
export function configError(option: string, message: string): CacheConfigError {
  return new CacheConfigError(`Invalid "${option}": ${message}`, { option })
}

function valueDuration(value: ValueDuration, option: string): number | ((computed: unknown) => number) {
  if (typeof value !== 'function') return durationToMs(value, option)
  return (computed) => durationToMs(value(computed), option)
}

function positiveTimeout(value: Duration | undefined, option: string): number {
  const ms = optionalDurationToMs(value, option, Number.POSITIVE_INFINITY)
  if (ms === 0) throw configError(option, 'must be greater than 0')
  return ms
}

function resolveCluster(options: LoadPolicyOptions): ClusterSettings | undefined {
  const mode = options.singleFlight ?? 'process'
  if (mode !== 'process' && mode !== 'cluster') {
    throw configError('singleFlight', `expected 'process' or 'cluster', got ${JSON.stringify(mode)}`)
  }
  const lockTimeoutMs = optionalDurationToMs(options.lockTimeout, 'lockTimeout', DEFAULT_LOCK_TIMEOUT_MS)
  const pollMs = optionalDurationToMs(options.pollInterval, 'pollInterval', DEFAULT_POLL_MS)
  if (mode === 'process') return undefined
  if (lockTimeoutMs === 0 || !Number.isFinite(lockTimeoutMs)) {
    throw configError('lockTimeout', 'must be a finite duration greater than 0')
  }
  if (pollMs === 0) throw configError('pollInterval', 'must be greater than 0')
  return { lockTimeoutMs, pollMs }
}

/**
 * Validates `options` and resolves them into a {@link LoadPolicy}.
 *
 * @param ttl - the `ttl` to use (the option, or the instance default); required
 * @throws {@link CacheConfigError} naming the option at fault
 */
export function resolveLoadPolicy(options: LoadPolicyOptions, ttl: ValueDuration | undefined): LoadPolicy {
  if (ttl === undefined) {
    throw new CacheConfigError(
      'Missing "ttl": give the call a ttl, or give the instance (createCache) a default ttl',
      { option: 'ttl' },
    )
  }
  const { tags, cacheIf } = options
  if (tags !== undefined && typeof tags !== 'function') {
    if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) {
      throw configError('tags', 'expected an array of strings or a function returning one')
    }
  }
  if (cacheIf !== undefined && typeof cacheIf !== 'function') {
    throw configError('cacheIf', `expected a function, got ${typeof cacheIf}`)
  }
  const softTimeoutMs = positiveTimeout(options.softTimeout, 'softTimeout')
  const hardTimeoutMs = positiveTimeout(options.hardTimeout, 'hardTimeout')
  if (softTimeoutMs !== Number.POSITIVE_INFINITY && softTimeoutMs >= hardTimeoutMs) {
    throw configError('softTimeout', 'must be shorter than hardTimeout')
  }
  return {
    ttlMs: valueDuration(ttl, 'ttl'),
    staleMs: options.stale === undefined ? 0 : valueDuration(options.stale, 'stale'),
    staleIfErrorMs: optionalDurationToMs(options.staleIfError, 'staleIfError', 0),
    softTimeoutMs,
    hardTimeoutMs,
    tags,
    cacheIf,
    cluster: resolveCluster(options),
    tagKeys: undefined,
  }
}

/**
 * Validates the tags given to `invalidateTags`.
 *
 * @throws {@link CacheConfigError} naming `tags`
 */
export function checkTags(tags: unknown): readonly string[] {
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) {
    throw configError('tags', 'expected an array of strings')
  }
  return tags
}

/**
 * Validates a `mode` option.
 *
 * @throws {@link CacheConfigError} naming `mode`
 */
export function resolveMode(mode: unknown, fallback: CacheMode): CacheMode {
  if (mode === undefined) return fallback
  if (!MODES.includes(mode as CacheMode)) {
    throw configError(
      'mode',
      `expected one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(mode)}`,
    )
  }
  return mode as CacheMode
}

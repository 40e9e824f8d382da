import type { Clock } from '../clock'
import { type Duration, durationToMs } from '../duration'
import { CacheConfigError } from '../errors'
import type { ErrorHandler, InstanceDefaults } from '../instance-defaults'
import type { MetricsCollector } from '../metrics/collector'
import { checkOptionNames } from '../option-errors'
import { type CacheStore, isCacheStore } from '../store/store'

/**
 * Options of `bg(options)(fn)` and `bg.write(options)(fn)`.
 *
 * @example
 * ```ts
 * const flags = bg({ interval: '5m', key: 'feature_flags' })(() => remote.fetchFlags())
 * await flags() // the first call waits for the first load; later calls return at once
 * ```
 */
export interface BgOptions {
  /**
   * How often the loader runs. Required; must be greater than zero. `Infinity` loads once and
   * never refreshes.
   * @example
   * ```ts
   * bg({ interval: 300, key: 'flags' })   // every 5 minutes
   * bg({ interval: '30s', key: 'rates' })
   * ```
   */
  interval: Duration
  /**
   * The key the value is stored under (in the instance's namespace: `prefix:key`). A plain
   * string: template placeholders (`{0}`, `{name}`) are rejected, a background value has no arguments.
   * @example
   * ```ts
   * bg({ interval: 60, key: 'exchange_rates' })
   * ```
   */
  key: string
  /**
   * How long the stored entry lives (`freshUntil = staleUntil = now + ttl`), so that a writer
   * that dies leaves data that expires. In-process callers keep serving the last good value
   * past it while refreshes fail.
   * @default `interval × 2`
   * @example
   * ```ts
   * bg({ interval: 60, ttl: '10m', key: 'rates' })
   * ```
   */
  ttl?: Duration
  /**
   * Where the value is stored: a store, or a factory called once at registration.
   * @default the instance's store (in-memory for the top-level `bg`)
   * @example
   * ```ts
   * bg.write({ interval: 60, key: 'rates', store: new RedisStore({ url }) })(fetchRates)
   * ```
   */
  store?: CacheStore | (() => CacheStore)
  /**
   * Receives one `recordBackgroundRefresh(key, success, seconds)` per refresh and a
   * `recordError(key, operation, type)` per failure (`operation`: `'refresh'`, `'get'` or `'set'`).
   * @default the instance's collector (`NULL_METRICS` unless configured)
   * @example
   * ```ts
   * bg({ interval: 60, key: 'rates', metrics: new InMemoryMetrics() })
   * ```
   */
  metrics?: MetricsCollector
  /**
   * Called with every failed refresh (the loader's error, or the store's). A handler that
   * throws is logged, never rethrown.
   * @default the instance's handler; the built-in one logs one warning per failure streak
   * @example
   * ```ts
   * bg({ interval: 60, key: 'rates', onError: (e) => logger.error(e) })
   * ```
   */
  onError?: ErrorHandler
  /**
   * Load at registration. When `false`, nothing runs at registration: the first call runs the
   * first load (or adopts a live stored entry, as at registration) and waits for it; without a
   * call, the first tick loads.
   * @default true
   * @example
   * ```ts
   * bg({ interval: 60, key: 'rates', runImmediately: false })
   * ```
   */
  runImmediately?: boolean
  /**
   * The clock for the schedule and the entry's timeline; tests pass a `ManualClock`.
   * @default the instance's clock (the system clock, unref'd timers)
   * @example
   * ```ts
   * bg({ interval: 60, key: 'rates', clock: new ManualClock() })
   * ```
   */
  clock?: Clock
}

/**
 * Options of `bg.read(key, options)`.
 *
 * @example
 * ```ts
 * const rates = bg.read<Rates>('exchange_rates', { interval: 30, store: redisStore })
 * rates() // the mirror's value: never touches the network
 * ```
 */
export interface BgReadOptions {
  /**
   * How often the mirror is refreshed from the store; must be greater than zero.
   * @default the interval of this process's `bg.write` for the key; required without one
   * @example
   * ```ts
   * bg.read('rates', { interval: '30s', store })
   * ```
   */
  interval?: Duration
  /**
   * The store the writer writes to: a store, or a factory called once.
   * @default the store of this process's `bg.write` for the key; `CacheConfigError` without one
   * @example
   * ```ts
   * bg.read('rates', { interval: 30, store: new RedisStore({ url }) })
   * ```
   */
  store?: CacheStore | (() => CacheStore)
  /**
   * Receives one `recordBackgroundRefresh(key, success, seconds)` per sync of the mirror
   * (a sync that finds no entry counts as unsuccessful) and `recordError(key, 'get', type)` when
   * the store fails.
   * @default the instance's collector
   * @example
   * ```ts
   * bg.read('rates', { interval: 30, store, metrics })
   * ```
   */
  metrics?: MetricsCollector
  /**
   * Called when a sync fails: the store's error, or a `CacheError` when the entry has
   * disappeared from the store after the mirror held a value (its writer stopped refreshing it).
   * @default the instance's handler; the built-in one logs one warning per failure streak
   * @example
   * ```ts
   * bg.read('rates', { interval: 30, store, onError: (e) => logger.warn(e) })
   * ```
   */
  onError?: ErrorHandler
  /**
   * Sync the mirror at registration; when `false` the first sync happens one interval later.
   * @default true
   * @example
   * ```ts
   * bg.read('rates', { interval: 30, store, runImmediately: false })
   * ```
   */
  runImmediately?: boolean
  /**
   * The clock for the schedule; tests pass a `ManualClock`.
   * @default the instance's clock
   * @example
   * ```ts
   * bg.read('rates', { interval: 30, store, clock })
   * ```
   */
  clock?: Clock
}

/** What every background task needs, resolved and validated. */
export interface ResolvedTaskOptions {
  readonly key: string
  readonly intervalMs: number
  readonly metrics: MetricsCollector
  readonly onError: ErrorHandler
  readonly runImmediately: boolean
  readonly clock: Clock
}

/** {@link BgOptions}, resolved and validated. */
export interface ResolvedLoaderOptions extends ResolvedTaskOptions {
  readonly ttlMs: number
  readonly store: CacheStore
}

function fail(api: string, option: string, problem: string): never {
  throw new CacheConfigError(`${api}: "${option}" ${problem}`, { option })
}

/** Validates a background key: a non-empty plain string without template placeholders. */
export function checkBgKey(api: string, key: unknown): string {
  if (typeof key !== 'string' || key === '') fail(api, 'key', 'must be a non-empty string')
  if (key.includes('{')) {
    fail(
      api,
      'key',
      `must be a plain string without placeholders (got "${key}"): a background value has no arguments`,
    )
  }
  return key
}

const LOADER_OPTIONS = ['interval', 'key', 'ttl', 'store', 'metrics', 'onError', 'runImmediately', 'clock']
const READER_OPTIONS = ['interval', 'store', 'metrics', 'onError', 'runImmediately', 'clock']

/** Validates the options object of `bg.read` before anything else reads it. */
export function checkReaderOptionNames(options: unknown): void {
  checkOptionNames('bg.read', options, READER_OPTIONS)
}

function positiveDurationMs(api: string, option: string, value: Duration): number {
  const ms = durationToMs(value, option)
  if (ms === 0) fail(api, option, 'must be greater than zero')
  return ms
}

function checkBoolean(api: string, option: string, value: unknown): boolean {
  if (value === undefined) return true
  if (typeof value !== 'boolean') fail(api, option, 'must be a boolean')
  return value
}

/** Resolves a `store` option (a store or a factory); `undefined` when it was not given. */
export function resolveStoreOption(
  api: string,
  store: CacheStore | (() => CacheStore) | undefined,
): CacheStore | undefined {
  if (store === undefined) return undefined
  const resolved = typeof store === 'function' ? store() : store
  if (!isCacheStore(resolved)) {
    fail(api, 'store', 'must be a CacheStore or a function returning one')
  }
  return resolved
}

function resolveCommon(
  api: string,
  key: string,
  intervalMs: number,
  options: BgOptions | BgReadOptions,
  defaults: InstanceDefaults,
): ResolvedTaskOptions {
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    fail(api, 'onError', 'must be a function')
  }
  return {
    key,
    intervalMs,
    metrics: options.metrics ?? defaults.metrics,
    onError: options.onError ?? defaults.onError,
    runImmediately: checkBoolean(api, 'runImmediately', options.runImmediately),
    clock: options.clock ?? defaults.clock,
  }
}

/**
 * Validates the options of `bg` / `bg.write` once, at registration.
 *
 * @throws {@link CacheConfigError} naming the option at fault
 */
export function resolveLoaderOptions(
  api: string,
  options: BgOptions,
  defaults: InstanceDefaults,
): ResolvedLoaderOptions {
  checkOptionNames(api, options, LOADER_OPTIONS)
  const key = checkBgKey(api, options.key)
  if (options.interval === undefined) fail(api, 'interval', 'is required')
  const intervalMs = positiveDurationMs(api, 'interval', options.interval)
  const ttlMs = options.ttl === undefined ? intervalMs * 2 : positiveDurationMs(api, 'ttl', options.ttl)
  return {
    ...resolveCommon(api, key, intervalMs, options, defaults),
    ttlMs,
    store: resolveStoreOption(api, options.store) ?? defaults.store(),
  }
}

/**
 * Validates the options of `bg.read` once. `interval` falls back to `fallbackIntervalMs` (the
 * discovered writer's), and is required without one.
 *
 * @throws {@link CacheConfigError} naming the option at fault
 */
export function resolveReaderOptions(
  key: string,
  options: BgReadOptions,
  defaults: InstanceDefaults,
  fallbackIntervalMs: number | undefined,
): ResolvedTaskOptions {
  const api = 'bg.read'
  let intervalMs = fallbackIntervalMs
  if (options.interval !== undefined) intervalMs = positiveDurationMs(api, 'interval', options.interval)
  if (intervalMs === undefined) {
    fail(api, 'interval', `is required when no bg.write for "${key}" is registered in this process`)
  }
  return resolveCommon(api, key, intervalMs, options, defaults)
}

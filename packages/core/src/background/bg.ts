import { type Duration, optionalDurationToMs } from '../duration'
import { CacheConfigError } from '../errors'
import { type InstanceDefaults, prefixKey } from '../instance-defaults'
import { type BgLoader, startBgLoader } from './bg-loader'
import {
  type BgOptions,
  type BgReadOptions,
  checkBgKey,
  checkReaderOptionNames,
  type ResolvedLoaderOptions,
  resolveLoaderOptions,
  resolveReaderOptions,
  resolveStoreOption,
} from './bg-options'
import { type BgReader, startBgReader } from './bg-reader'
import { processTasks, type StoppableTask, stopAll } from './running-tasks'
import { assertNoWriter, findWriter, registerWriter } from './writer-registry'

/** How long `bg.shutdown()` waits for refreshes in flight by default. */
const DEFAULT_SHUTDOWN_WAIT_MS = 10_000

/** Registers a zero-argument loader; returned by `bg(options)` and `bg.write(options)`. */
export type BgRegister = <R>(fn: () => R) => BgLoader<Awaited<R>>

/**
 * Background refresh: values that a timer keeps up to date so that request handlers never wait
 * for them. Bound to an instance (`createCache(...).bg`, or the top-level `bg`).
 *
 * @example
 * ```ts
 * // one process: a loader refreshed every 5 minutes
 * const flags = bg({ interval: '5m', key: 'feature_flags' })(() => remote.fetchFlags())
 * await flags()
 *
 * // a worker writes to a shared store, web processes mirror it
 * bg.write({ interval: 60, key: 'rates', store: redisStore })(fetchRates)
 * const rates = bg.read<Rates>('rates', { interval: 30, store: redisStore })
 * rates() // synchronous, never touches the network
 *
 * process.on('SIGTERM', () => bg.shutdown())
 * ```
 */
export interface Bg {
  /**
   * Registers `fn` as a background loader: it runs at registration (unless `runImmediately:
   * false`) and every `interval`, and stores each value under `key` with a life of `ttl`.
   * When the store already holds a live entry for the key, that value is served at once and the
   * first load waits for the next interval. A failing refresh keeps the last good value.
   *
   * @throws {@link CacheConfigError} naming the option at fault (at `bg(options)`), or when `fn`
   *   is not a function (at registration)
   */
  (options: BgOptions): BgRegister
  /**
   * Like `bg(options)`, and registers the loader as this process's writer for the key, so that
   * `bg.read(key)` in this process finds its store. A process has at most one writer per key
   * (the instance prefix is part of the key: instances with different prefixes write different
   * keys), checked across every instance and every copy of `@stratacache/core` loaded in the
   * process; the writer's `stop()` (or `bg.shutdown()`) frees the key.
   *
   * @throws {@link CacheConfigError} when the key already has a writer in this process
   * @example
   * ```ts
   * const rates = bg.write({ interval: 60, key: 'rates', store: redisStore })(fetchRates)
   * ```
   */
  write(options: BgOptions): BgRegister
  /**
   * A synchronous getter over a private in-memory mirror of the key, refreshed from the store
   * every `interval`. Each call creates its own mirror. Without `store`, the store (and, without
   * `interval`, the interval) of this process's `bg.write` for the key is used.
   *
   * @throws {@link CacheConfigError} when no `store` is given and no writer for the key is
   *   registered in this process, or an option is invalid
   * @example
   * ```ts
   * const rates = bg.read<Rates>('rates', { interval: 30, store: redisStore })
   * const sameProcess = bg.read<Rates>('rates') // next to bg.write({ key: 'rates', ... })
   * ```
   */
  read<T = unknown>(key: string, options?: BgReadOptions): BgReader<T>
  /**
   * Stops background tasks: their timers are cleared at once (no handle is left behind) and the
   * promise resolves when the refreshes in flight have settled, or after `timeout` (a hung
   * loader is abandoned: its result, if it ever comes, is still adopted). Loaders keep serving
   * their last value; a writer's key may be registered again.
   *
   * Which tasks: an instance's `bg.shutdown()` stops the loaders, writers and readers that
   * instance started; the top-level `bg.shutdown()` stops every one in the process, whichever
   * instance started it (see {@link CreateBgOptions.shutdownScope}).
   *
   * @example
   * ```ts
   * process.once('SIGTERM', async () => { await bg.shutdown(); server.close() })
   * ```
   */
  shutdown(options?: BgShutdownOptions): Promise<void>
}

/** Options of {@link Bg.shutdown}. */
export interface BgShutdownOptions {
  /**
   * How long to wait for the refreshes in flight; `0` returns at once, `Infinity` waits for
   * them however long they take.
   * @default '10s'
   * @example
   * ```ts
   * await bg.shutdown({ timeout: '2s' })
   * ```
   */
  timeout?: Duration
}

/** Options of {@link createBg}. */
export interface CreateBgOptions {
  /**
   * What `shutdown()` stops: `'instance'` the tasks this `bg` started, `'process'` every
   * background task in the process (the top-level default instance uses `'process'`).
   * @default 'instance'
   * @example
   * ```ts
   * export const bg = createBg(defaultInstanceDefaults, { shutdownScope: 'process' })
   * ```
   */
  shutdownScope?: 'instance' | 'process'
}

/**
 * Builds the `bg` function of an instance (`createCache` calls it; so do tests, with their own
 * defaults and a `ManualClock`).
 *
 * @example
 * ```ts
 * const bg = createBg({ store: () => store, hasExplicitStore: true, prefix: 'app', ttl: undefined,
 *   metrics: NULL_METRICS, onError: defaultErrorHandler, clock: new ManualClock() })
 * ```
 */
export function createBg(defaults: InstanceDefaults, options: CreateBgOptions = {}): Bg {
  const shutdownScope = options.shutdownScope ?? 'instance'
  if (shutdownScope !== 'instance' && shutdownScope !== 'process') {
    throw new CacheConfigError(`createBg: "shutdownScope" must be 'instance' or 'process'`, {
      option: 'shutdownScope',
    })
  }
  const own = new Set<StoppableTask>()
  const remember = (task: StoppableTask): void => {
    own.add(task)
    processTasks().add(task)
  }
  const forget = (task: StoppableTask): void => {
    own.delete(task)
    processTasks().delete(task)
  }

  const register =
    (api: 'bg' | 'bg.write', resolved: ResolvedLoaderOptions): BgRegister =>
    <R>(fn: () => R): BgLoader<Awaited<R>> => {
      if (typeof fn !== 'function') {
        throw new CacheConfigError(`${api}: expected a function to run in the background`, { option: 'fn' })
      }
      const storeKey = prefixKey(defaults.prefix, resolved.key)
      if (api === 'bg.write') assertNoWriter(storeKey)
      let unregister = (): void => {}
      const { loader, idle } = startBgLoader<Awaited<R>>({
        ...resolved,
        fn: fn as () => Awaited<R>,
        storeKey,
        label: `${api} "${resolved.key}"`,
        onStop: () => {
          unregister()
          forget(loader)
        },
      })
      remember(loader)
      if (api === 'bg.write') {
        unregister = registerWriter(storeKey, {
          store: resolved.store,
          intervalMs: resolved.intervalMs,
          idle,
        })
      }
      return loader
    }

  const bg = ((options: BgOptions) => register('bg', resolveLoaderOptions('bg', options, defaults))) as Bg
  bg.write = (options) => register('bg.write', resolveLoaderOptions('bg.write', options, defaults))

  bg.read = <T>(key: string, readOptions: BgReadOptions = {}): BgReader<T> => {
    checkBgKey('bg.read', key)
    checkReaderOptionNames(readOptions)
    const storeKey = prefixKey(defaults.prefix, key)
    const writer = findWriter(storeKey)
    const store = resolveStoreOption('bg.read', readOptions.store) ?? writer?.store
    if (store === undefined) {
      throw new CacheConfigError(
        `bg.read: no "store" given and no bg.write for "${key}" is registered in this process; pass the writer's store (e.g. { store: redisStore })`,
        { option: 'store' },
      )
    }
    // A writer in this process on the same store lends its interval and its first load.
    const localWriter = writer?.store === store ? writer : undefined
    const resolved = resolveReaderOptions(key, readOptions, defaults, localWriter?.intervalMs)
    const reader: BgReader<T> = startBgReader<T>({
      ...resolved,
      store,
      storeKey,
      writerIdle: localWriter?.idle,
      onStop: () => forget(reader),
    })
    remember(reader)
    return reader
  }

  bg.shutdown = (shutdownOptions = {}) => {
    const waitMs = optionalDurationToMs(shutdownOptions.timeout, 'timeout', DEFAULT_SHUTDOWN_WAIT_MS)
    return stopAll(shutdownScope === 'process' ? processTasks() : own, defaults.clock, waitMs)
  }
  return bg
}

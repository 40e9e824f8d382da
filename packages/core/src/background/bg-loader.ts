import { errorTypeOf } from '../metrics/error-type'
import { createEntry } from '../store/entry'
import type { CacheEntry } from '../store/store'
import type { ResolvedLoaderOptions } from './bg-options'
import { FailureStreak } from './failure-streak'
import { RefreshLoop } from './refresh-loop'

/**
 * A function registered with `bg(options)` or `bg.write(options)`. Calling it returns the current
 * value: only the very first call waits (for the first load, shared by concurrent first callers);
 * every later call resolves at once with the last good value while the loader keeps refreshing
 * in the background.
 *
 * @example
 * ```ts
 * const flags = bg({ interval: 300, key: 'feature_flags' })(() => remote.fetchFlags())
 * const current = await flags()
 * flags.peek()      // the value, or undefined before the first load, without waiting
 * await flags.stop() // stops this loader only
 * ```
 */
export interface BgLoader<T> {
  /**
   * The current value. Rejects only while there is no value yet and the load it waited for
   * failed (with that load's error; a later call tries again).
   */
  (): Promise<T>
  /** The key, as given (without the instance prefix). */
  readonly key: string
  /** The current value without waiting: `undefined` until the first load succeeds. */
  peek(): T | undefined
  /**
   * Stops refreshing (and unregisters a `bg.write` writer, so the key may be registered again).
   * Resolves once a refresh in flight has settled. Calls keep returning the last good value.
   */
  stop(): Promise<void>
}

/** What a loader needs besides its resolved options. */
export interface LoaderConfig<T> extends ResolvedLoaderOptions {
  /** The loader function. */
  readonly fn: () => T | PromiseLike<T>
  /** The key in the store (instance prefix included). */
  readonly storeKey: string
  /** How the default error log names the loader, e.g. `bg.write "rates"`. */
  readonly label: string
  /** Called once, synchronously, when the loader is stopped. */
  readonly onStop: () => void
}

/** A started loader, with its in-flight run for a same-process `bg.read` to wait on. */
export interface StartedLoader<T> {
  readonly loader: BgLoader<T>
  /** Resolves once the run in flight (if any) has settled. */
  idle(): Promise<void>
}

/**
 * Starts the schedule of a `bg` / `bg.write` loader: a first acquisition at registration (unless
 * `runImmediately` is false) that adopts a live stored entry instead of loading, then a refresh
 * every interval that stores `createEntry(value, { ttlMs })`.
 */
export function startBgLoader<T>(config: LoaderConfig<T>): StartedLoader<T> {
  const { fn, key, storeKey, store, ttlMs, metrics, clock } = config
  const streak = new FailureStreak(config.onError, config.label)
  let value: T | undefined
  let current: Promise<T> | undefined
  let lastError: unknown

  const adopt = (next: T): void => {
    value = next
    current = Promise.resolve(next)
  }

  const refresh = async (): Promise<void> => {
    const startedAt = clock.now()
    const seconds = () => (clock.now() - startedAt) / 1000
    let next: T
    try {
      next = await fn()
    } catch (error) {
      lastError = error
      metrics.recordError(key, 'refresh', errorTypeOf(error))
      metrics.recordBackgroundRefresh(key, false, seconds())
      streak.failure(error, 'the loader failed')
      return
    }
    adopt(next)
    try {
      await store.set(storeKey, createEntry(next, { now: clock.now(), ttlMs }))
    } catch (error) {
      metrics.recordError(key, 'set', errorTypeOf(error))
      metrics.recordBackgroundRefresh(key, false, seconds())
      streak.failure(error, `the new value could not be written to store "${store.name}"`)
      return
    }
    metrics.recordBackgroundRefresh(key, true, seconds())
    streak.success()
  }

  const rehydrateOrLoad = async (): Promise<void> => {
    let stored: CacheEntry | undefined
    try {
      stored = await store.get(storeKey)
    } catch (error) {
      metrics.recordError(key, 'get', errorTypeOf(error))
      streak.failure(error, `the stored value could not be read from store "${store.name}"`)
    }
    if (stored === undefined) await refresh()
    else adopt(stored.value as T)
  }

  const loop = new RefreshLoop(clock, config.intervalMs, refresh)
  const firstValue = (): Promise<T> =>
    loop.run(rehydrateOrLoad).then(() => current ?? Promise.reject(lastError))

  let stopping: Promise<void> | undefined
  const loader = Object.assign((): Promise<T> => current ?? firstValue(), {
    key,
    peek: (): T | undefined => value,
    stop: (): Promise<void> => {
      if (stopping === undefined) {
        config.onStop()
        stopping = loop.stop()
      }
      return stopping
    },
  })

  loop.start()
  if (config.runImmediately) void loop.run(rehydrateOrLoad)
  return { loader, idle: () => loop.running ?? Promise.resolve() }
}

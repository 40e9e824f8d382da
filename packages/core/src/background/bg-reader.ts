import { CacheError } from '../errors'
import { errorTypeOf } from '../metrics/error-type'
import type { CacheEntry, CacheStore } from '../store/store'
import type { ResolvedTaskOptions } from './bg-options'
import { FailureStreak } from './failure-streak'
import { RefreshLoop } from './refresh-loop'

/**
 * The getter returned by `bg.read(key, options)`: a synchronous read of a private in-memory
 * mirror that a timer refreshes from the store every `interval`. Calling it never touches the
 * network; it returns `undefined` until the first sync finds the writer's entry, then the last
 * value seen, even while the store is unreachable or the entry has expired.
 *
 * @example
 * ```ts
 * const rates = bg.read<Rates>('exchange_rates', { interval: 30, store: redisStore })
 * await rates.ready  // optional: the first sync has completed
 * app.get('/rates', () => rates())
 * ```
 */
export interface BgReader<T> {
  /** The mirror's value; `undefined` until the first successful sync. */
  (): T | undefined
  /** The key, as given (without the instance prefix). */
  readonly key: string
  /**
   * Settles once the first sync attempt has completed (whether or not it found a value), or
   * when the reader is stopped first. Never rejects.
   */
  readonly ready: Promise<void>
  /** Stops refreshing the mirror; the getter keeps returning the last value. */
  stop(): Promise<void>
}

/** What a reader needs besides its resolved options. */
export interface ReaderConfig extends ResolvedTaskOptions {
  /** The store to mirror. */
  readonly store: CacheStore
  /** The key in the store (instance prefix included). */
  readonly storeKey: string
  /** Waited for before the first sync: the run in flight of a writer in this process. */
  readonly writerIdle: (() => Promise<void>) | undefined
  /** Called once, synchronously, when the reader is stopped. */
  readonly onStop: () => void
}

/** Starts a `bg.read` mirror and returns its getter. */
export function startBgReader<T>(config: ReaderConfig): BgReader<T> {
  const { key, storeKey, store, metrics, clock } = config
  const streak = new FailureStreak(config.onError, `bg.read "${key}"`)
  let value: T | undefined
  let hasValue = false
  let markReady!: () => void
  const ready = new Promise<void>((resolve) => {
    markReady = resolve
  })

  const pull = async (): Promise<void> => {
    const startedAt = clock.now()
    const seconds = () => (clock.now() - startedAt) / 1000
    let entry: CacheEntry | undefined
    try {
      entry = await store.get(storeKey)
    } catch (error) {
      metrics.recordError(key, 'get', errorTypeOf(error))
      metrics.recordBackgroundRefresh(key, false, seconds())
      streak.failure(error, `the mirror could not be refreshed from store "${store.name}"`)
      return
    }
    if (entry === undefined) {
      metrics.recordBackgroundRefresh(key, false, seconds())
      // Before the writer's first write a miss is expected; after it, the writer has stopped.
      if (hasValue) {
        const gone = new CacheError(
          `no live entry for "${key}" in store "${store.name}" (has its writer stopped?)`,
        )
        streak.failure(gone, 'the entry has disappeared from the store')
      }
      return
    }
    value = entry.value as T
    hasValue = true
    metrics.recordBackgroundRefresh(key, true, seconds())
    streak.success()
  }
  const sync = (): Promise<void> => pull().finally(markReady)

  const loop = new RefreshLoop(clock, config.intervalMs, sync)
  let stopping: Promise<void> | undefined
  const getter = Object.assign((): T | undefined => value, {
    key,
    ready,
    stop: (): Promise<void> => {
      if (stopping === undefined) {
        config.onStop()
        markReady()
        stopping = loop.stop()
      }
      return stopping
    },
  })

  loop.start()
  if (config.runImmediately) {
    const { writerIdle } = config
    // Outside the loop's job, so that a writer whose first load hangs delays only this first
    // sync: the reader's own ticks still run.
    if (writerIdle === undefined) void loop.run(sync)
    else void writerIdle().then(() => (stopping === undefined ? loop.run(sync) : undefined))
  }
  return getter
}

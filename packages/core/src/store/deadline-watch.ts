import { type Clock, systemClock, type TimerHandle } from '../clock'
import { CacheTimeoutError } from '../errors'
import { coarseNow } from './coarse-now'
import type { TimeoutContext } from './with-timeout'

/**
 * One call watched by a {@link DeadlineWatch} (see {@link DeadlineWatch.watch}), a link of the
 * watch's list of pending calls: adding and removing one is a few pointer writes, where a `Set`
 * hashed the object on every call.
 */
export class WatchedCall {
  /** Set once the call passed its bound and `expire` ran. */
  expired = false
  /** Whether the call is in the pending list. */
  pending = true
  previous: WatchedCall | undefined
  next: WatchedCall | undefined

  constructor(
    readonly deadline: number,
    readonly context: TimeoutContext,
    readonly expire: (error: CacheTimeoutError) => void,
  ) {}
}

/**
 * `withTimeout` for stores that make many short calls: one timer per watch instead of one per
 * call (a timer per call cost an in-memory read more than the read itself). The timer ticks every
 * quarter of the bound while calls are pending (and once more after the last one settled), so a
 * call that hangs rejects with `CacheTimeoutError` between `timeoutMs` and `1.25 × timeoutMs`
 * after it started; a late rejection of the abandoned call is absorbed. The timer never keeps
 * the process alive; `stop()` clears it.
 *
 * @example
 * ```ts
 * const watch = new DeadlineWatch(5000, systemClock)
 * const bytes = await watch.bound(backend.read(name), { store: 's3', operation: 'get', key })
 * ```
 */
export class DeadlineWatch {
  readonly #timeoutMs: number
  readonly #tickMs: number
  readonly #clock: Clock
  /** The system time read at most once a millisecond (`coarseNow`), or the injected clock. */
  readonly #now: () => number
  /** The pending calls, oldest first: a doubly linked list of {@link WatchedCall}. */
  #first: WatchedCall | undefined
  #last: WatchedCall | undefined
  #timer: TimerHandle | undefined

  /**
   * @param timeoutMs - the bound, in ms (`Infinity`: calls are returned unchanged)
   * @param clock - measures the bound (a `ManualClock` in tests)
   */
  constructor(timeoutMs: number, clock: Clock) {
    this.#timeoutMs = timeoutMs
    this.#tickMs = Math.max(1, timeoutMs / 4)
    this.#clock = clock
    this.#now = clock === systemClock ? coarseNow : () => clock.now()
  }

  /** Settles like `operation`, unless it is still pending past the bound: then rejects. */
  bound<T>(operation: Promise<T>, context: TimeoutContext): Promise<T> {
    if (this.#timeoutMs === Number.POSITIVE_INFINITY) return operation
    return new Promise<T>((resolve, reject) => {
      const watched = this.watch(context, reject) as WatchedCall
      operation.then(
        (value) => {
          this.settle(watched)
          resolve(value)
        },
        (error: unknown) => {
          this.settle(watched)
          reject(error)
        },
      )
    })
  }

  /**
   * {@link DeadlineWatch.bound} for a caller that settles its own promise: watches one call from
   * now, and calls `expire` with the `CacheTimeoutError` once it is pending past the bound.
   * Call {@link DeadlineWatch.settle} when the call settles. `undefined` (nothing watched) when
   * the bound is `Infinity`.
   *
   * @example
   * ```ts
   * const watched = watch.watch(context, reject)
   * reading.then((bytes) => {
   *   if (watched === undefined || watch.settle(watched)) resolve(bytes)
   * })
   * ```
   */
  watch(context: TimeoutContext, expire: (error: CacheTimeoutError) => void): WatchedCall | undefined {
    if (this.#timeoutMs === Number.POSITIVE_INFINITY) return undefined
    const watched = new WatchedCall(this.#now() + this.#timeoutMs, context, expire)
    const last = this.#last
    if (last === undefined) this.#first = watched
    else {
      last.next = watched
      watched.previous = last
    }
    this.#last = watched
    this.#timer ??= this.#clock.setTimeout(this.#sweep, this.#tickMs)
    return watched
  }

  /**
   * The watched call settled: `true` when in time, `false` when it had expired already (its
   * caller was told; the outcome is to be dropped).
   */
  settle(watched: WatchedCall): boolean {
    this.#unlink(watched)
    return !watched.expired
  }

  #unlink(watched: WatchedCall): void {
    if (!watched.pending) return
    watched.pending = false
    const { previous, next } = watched
    if (previous === undefined) this.#first = next
    else previous.next = next
    if (next === undefined) this.#last = previous
    else next.previous = previous
    watched.previous = undefined
    watched.next = undefined
  }

  /** Clears the timer (the store closed); calls still pending are no longer bounded. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    // Calls still pending are no longer bounded: forget them.
    for (let watched = this.#first; watched !== undefined; watched = watched.next) watched.pending = false
    this.#first = undefined
    this.#last = undefined
  }

  readonly #sweep = (): void => {
    this.#timer = undefined
    const now = this.#clock.now()
    const overdue: WatchedCall[] = []
    for (let watched = this.#first; watched !== undefined; watched = watched.next) {
      if (now >= watched.deadline) overdue.push(watched)
    }
    // Unlinked before any `expire` runs, so that nothing `expire` does can disturb the walk.
    for (const watched of overdue) {
      this.#unlink(watched)
      watched.expired = true
    }
    for (const watched of overdue) {
      const { store, operation, key } = watched.context
      watched.expire(
        new CacheTimeoutError(
          `${store} ${operation}${key === undefined ? '' : ` of key ${JSON.stringify(key)}`} took longer than ${this.#timeoutMs} ms`,
          { ...watched.context, timeoutMs: this.#timeoutMs },
        ),
      )
    }
    if (this.#first !== undefined) {
      this.#timer = this.#clock.setTimeout(this.#sweep, this.#tickMs)
    }
  }
}

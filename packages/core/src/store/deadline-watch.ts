import type { Clock, TimerHandle } from '../clock'
import { CacheTimeoutError } from '../errors'
import type { TimeoutContext } from './with-timeout'

interface Watched {
  readonly deadline: number
  readonly context: TimeoutContext
  readonly reject: (error: unknown) => void
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
  readonly #pending = new Set<Watched>()
  #timer: TimerHandle | undefined

  /**
   * @param timeoutMs - the bound, in ms (`Infinity`: calls are returned unchanged)
   * @param clock - measures the bound (a `ManualClock` in tests)
   */
  constructor(timeoutMs: number, clock: Clock) {
    this.#timeoutMs = timeoutMs
    this.#tickMs = Math.max(1, timeoutMs / 4)
    this.#clock = clock
  }

  /** Settles like `operation`, unless it is still pending past the bound: then rejects. */
  bound<T>(operation: Promise<T>, context: TimeoutContext): Promise<T> {
    if (this.#timeoutMs === Number.POSITIVE_INFINITY) return operation
    return new Promise<T>((resolve, reject) => {
      const watched: Watched = { deadline: this.#clock.now() + this.#timeoutMs, context, reject }
      this.#pending.add(watched)
      this.#timer ??= this.#clock.setTimeout(() => this.#sweep(), this.#tickMs)
      operation.then(
        (value) => {
          this.#pending.delete(watched)
          resolve(value)
        },
        (error: unknown) => {
          this.#pending.delete(watched)
          reject(error)
        },
      )
    })
  }

  /** Clears the timer (the store closed); calls still pending are no longer bounded. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pending.clear()
  }

  #sweep(): void {
    this.#timer = undefined
    const now = this.#clock.now()
    for (const watched of this.#pending) {
      if (now < watched.deadline) continue
      this.#pending.delete(watched)
      const { store, operation, key } = watched.context
      watched.reject(
        new CacheTimeoutError(
          `${store} ${operation}${key === undefined ? '' : ` of key ${JSON.stringify(key)}`} took longer than ${this.#timeoutMs} ms`,
          { ...watched.context, timeoutMs: this.#timeoutMs },
        ),
      )
    }
    if (this.#pending.size > 0) {
      this.#timer = this.#clock.setTimeout(() => this.#sweep(), this.#tickMs)
    }
  }
}

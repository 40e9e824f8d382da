import type { Clock, TimerHandle } from '../clock'

/**
 * Runs one job at a time for one background key, and a `tick` job on a fixed schedule.
 *
 * - Jobs never overlap: {@link RefreshLoop.run} joins the job in flight instead of starting another.
 * - A tick that falls due while a job is still running is skipped (a slow refresh never piles up).
 * - Ticks keep their phase (`start + n × interval`); after a stall (a blocked event loop, a
 *   suspended laptop) the schedule restarts from now instead of firing the missed ticks in a burst.
 * - Timers come from the injected {@link Clock} (unref'd on the system clock); {@link RefreshLoop.stop}
 *   leaves none behind.
 *
 * Jobs must never reject: they report their own failures.
 */
export class RefreshLoop {
  readonly #clock: Clock
  readonly #intervalMs: number
  readonly #tick: () => Promise<void>
  #timer: TimerHandle | undefined
  #nextDue = 0
  #running: Promise<void> | undefined
  #stopped = false

  constructor(clock: Clock, intervalMs: number, tick: () => Promise<void>) {
    this.#clock = clock
    this.#intervalMs = intervalMs
    this.#tick = tick
  }

  /** The job in flight, if any. */
  get running(): Promise<void> | undefined {
    return this.#running
  }

  /** Schedules the first tick one interval from now (no tick at all for an infinite interval). */
  start(): void {
    if (this.#stopped || this.#intervalMs === Number.POSITIVE_INFINITY) return
    this.#nextDue = this.#clock.now() + this.#intervalMs
    this.#arm()
  }

  /** Runs `job` now, or joins the job already in flight. */
  run(job: () => Promise<void>): Promise<void> {
    if (this.#running !== undefined) return this.#running
    const running = job().finally(() => {
      this.#running = undefined
    })
    this.#running = running
    return running
  }

  /** Cancels the schedule; resolves once the job in flight (if any) has settled. */
  stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    return this.#running ?? Promise.resolve()
  }

  #arm(): void {
    this.#timer = this.#clock.setTimeout(this.#onTimer, Math.max(0, this.#nextDue - this.#clock.now()))
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined
    if (this.#stopped) return
    const now = this.#clock.now()
    this.#nextDue += this.#intervalMs
    if (this.#nextDue <= now) this.#nextDue = now + this.#intervalMs
    this.#arm()
    if (this.#running === undefined) void this.run(this.#tick)
  }
}

/** One operation watched by a {@link DeadlineSweep}. */
interface Watched {
  readonly deadline: number
  readonly expire: () => void
}

/**
 * Bounds operations with one coarse timer instead of a timer per operation: every operation gets
 * the same bound, so deadlines come in the order operations start, and one interval (a tenth of
 * the bound, 1–100 ms) expires the overdue ones from the front. An operation may so run up to one
 * tick past its bound before it fails. The interval keeps the process alive only while an
 * operation is pending (it is `unref`ed when none is) and stops after an idle tick.
 *
 * @example
 * ```ts
 * const sweep = new DeadlineSweep(1000)
 * const done = sweep.watch(() => reject(new Error('timed out')))
 * reply.then(done, done)
 * ```
 */
export class DeadlineSweep {
  readonly #timeoutMs: number
  readonly #tickMs: number
  readonly #pending = new Set<Watched>()
  #timer: ReturnType<typeof setInterval> | undefined

  /** @param timeoutMs - the bound of every operation, in ms (finite, positive) */
  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs
    this.#tickMs = Math.min(100, Math.max(1, Math.ceil(timeoutMs / 10)))
  }

  /**
   * Watches one operation from now: `expire` runs once it is overdue, unless the returned
   * function (call it when the operation settles) ran first.
   */
  watch(expire: () => void): () => void {
    const watched: Watched = { deadline: performance.now() + this.#timeoutMs, expire }
    this.#pending.add(watched)
    if (this.#timer === undefined) this.#timer = setInterval(this.#sweep, this.#tickMs)
    else if (this.#pending.size === 1) this.#timer.ref()
    return () => {
      if (this.#pending.delete(watched) && this.#pending.size === 0) this.#timer?.unref()
    }
  }

  readonly #sweep = (): void => {
    if (this.#pending.size === 0) {
      clearInterval(this.#timer)
      this.#timer = undefined
      return
    }
    const now = performance.now()
    for (const watched of this.#pending) {
      if (watched.deadline > now) break
      this.#pending.delete(watched)
      watched.expire()
    }
    if (this.#pending.size === 0) this.#timer?.unref()
  }
}

import type { Clock, TimerHandle } from '../clock'

interface ManualTimer extends TimerHandle {
  dueAt: number
  seq: number
  callback: () => void
}

/**
 * A {@link Clock} that moves only when told to. Timers fire, in due order, during
 * {@link ManualClock.advance}; pending promise callbacks are flushed between timers so that
 * async work started by one timer completes before the next fires.
 *
 * @example
 * ```ts
 * const clock = new ManualClock()
 * const store = new MemoryStore({ clock })
 * await store.set('k', entryFor('v', clock.now(), 1000))
 * await clock.advance(1000) // the entry is now stale
 * ```
 */
export class ManualClock implements Clock {
  #now: number
  #seq = 0
  #timers = new Set<ManualTimer>()

  /**
   * @param startAt - the initial time in epoch ms
   * @defaultValue `Date.UTC(2026, 0, 1)`
   */
  constructor(startAt: number = Date.UTC(2026, 0, 1)) {
    this.#now = startAt
  }

  now(): number {
    return this.#now
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { dueAt: this.#now + Math.max(0, ms), seq: this.#seq++, callback }
    this.#timers.add(timer)
    return timer
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as ManualTimer)
  }

  /** How many timers are waiting to fire. */
  get pendingTimers(): number {
    return this.#timers.size
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way (including timers
   * those timers schedule), each at its own due time.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    await flushMicrotasks()
    for (;;) {
      const next = this.#nextDue(target)
      if (!next) break
      this.#timers.delete(next)
      this.#now = Math.max(this.#now, next.dueAt)
      next.callback()
      await flushMicrotasks()
    }
    this.#now = target
    await flushMicrotasks()
  }

  /** Sets the time to `epochMs` (forward only), firing due timers as {@link ManualClock.advance} does. */
  async setTime(epochMs: number): Promise<void> {
    await this.advance(Math.max(0, epochMs - this.#now))
  }

  #nextDue(limit: number): ManualTimer | undefined {
    let best: ManualTimer | undefined
    for (const timer of this.#timers) {
      if (timer.dueAt > limit) continue
      if (!best || timer.dueAt < best.dueAt || (timer.dueAt === best.dueAt && timer.seq < best.seq))
        best = timer
    }
    return best
  }
}

/** Lets every already-queued promise callback (and the ones they queue) run. */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve()
  await new Promise<void>((resolve) => setImmediate(resolve))
}

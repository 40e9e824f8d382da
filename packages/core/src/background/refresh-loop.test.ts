import { describe, expect, it } from 'vitest'
import type { Clock, TimerHandle } from '../clock'
import { ManualClock } from '../testing/manual-clock'
import { RefreshLoop } from './refresh-loop'

/** A promise with its resolver, to hold a job open. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

describe('RefreshLoop', () => {
  it('ticks every interval from start, keeping its phase', async () => {
    const clock = new ManualClock()
    const t0 = clock.now()
    const ticks: number[] = []
    const loop = new RefreshLoop(clock, 1000, async () => {
      ticks.push(clock.now() - t0)
    })
    loop.start()
    await clock.advance(3500)
    expect(ticks).toEqual([1000, 2000, 3000])
    await loop.stop()
    expect(clock.pendingTimers).toBe(0)
  })

  it('never overlaps: run() joins the job in flight, and ticks due meanwhile are skipped', async () => {
    const clock = new ManualClock()
    const gate = deferred()
    let started = 0
    const loop = new RefreshLoop(clock, 1000, async () => {
      started++
      await gate.promise
    })
    loop.start()
    await clock.advance(1000)
    expect(started).toBe(1)
    const joined = loop.run(async () => {
      started += 100
    })
    expect(joined).toBe(loop.running)
    await clock.advance(3000) // three ticks fall due while the first job is still running
    expect(started).toBe(1)
    gate.resolve()
    await joined
    expect(loop.running).toBeUndefined()
    await clock.advance(1000)
    expect(started).toBe(2)
    await loop.stop()
  })

  it('after a stall restarts the schedule from now instead of firing the missed ticks in a burst', async () => {
    // A clock whose timers fire only when the test says so, at whatever time the test sets.
    let now = 0
    const timers: { callback: () => void; ms: number }[] = []
    const clock: Clock = {
      now: () => now,
      setTimeout: (callback, ms) => {
        timers.push({ callback, ms })
        return {} as TimerHandle
      },
      clearTimeout: () => {},
    }
    let ticks = 0
    const loop = new RefreshLoop(clock, 1000, async () => {
      ticks++
    })
    loop.start()
    expect(timers.map((t) => t.ms)).toEqual([1000])
    now = 10_500 // the process was frozen for ten intervals; the first timer fires late
    timers[0]?.callback()
    await loop.running
    expect(ticks).toBe(1)
    // The next tick is one interval after the late one, not at once (no catch-up burst).
    expect(timers.map((t) => t.ms)).toEqual([1000, 1000])
    await loop.stop()
  })

  it('does not schedule anything for an infinite interval, and stop() clears the pending timer', async () => {
    const clock = new ManualClock()
    const never = new RefreshLoop(clock, Number.POSITIVE_INFINITY, async () => {})
    never.start()
    expect(clock.pendingTimers).toBe(0)
    const loop = new RefreshLoop(clock, 1000, async () => {})
    loop.start()
    expect(clock.pendingTimers).toBe(1)
    await loop.stop()
    expect(clock.pendingTimers).toBe(0)
    loop.start() // a stopped loop stays stopped
    expect(clock.pendingTimers).toBe(0)
  })
})

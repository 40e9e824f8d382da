import type { Clock } from '../clock'

/** Something `bg.shutdown()` can stop: a loader, a writer or a reader mirror. */
export interface StoppableTask {
  /** Cancels the task's timer; resolves once its run in flight (if any) has settled. */
  stop(): Promise<void>
}

/**
 * Every background task running in this process, whichever instance (and whichever copy of
 * `@stratacache/core`) started it: what a process-scoped `bg.shutdown()` stops. On `globalThis`
 * under a `Symbol.for` key for the same reason as the writer registry.
 */
const TASKS = Symbol.for('stratacache.bg.tasks.v1')

/** The process-wide set of running background tasks. */
export function processTasks(): Set<StoppableTask> {
  const holder = globalThis as { [TASKS]?: Set<StoppableTask> }
  let tasks = holder[TASKS]
  if (tasks === undefined) {
    tasks = new Set()
    holder[TASKS] = tasks
  }
  return tasks
}

/**
 * Stops every task of `tasks` (a copy is taken: stopping removes a task from its sets). Timers
 * are cleared at once; the promise resolves when the runs in flight have settled, or after
 * `waitMs` on `clock` (abandoning the rest), whichever comes first. `waitMs = 0` does not wait.
 */
export function stopAll(tasks: Set<StoppableTask>, clock: Clock, waitMs: number): Promise<void> {
  const settled = Promise.all([...tasks].map((task) => task.stop())).then(() => {})
  if (waitMs === 0) return Promise.resolve()
  if (waitMs === Number.POSITIVE_INFINITY) return settled
  return new Promise<void>((resolve) => {
    // Background timers are unref'd, but this one is awaited: it keeps the process alive, or a
    // process whose only pending work is a hung refresh would exit mid-`await bg.shutdown()`.
    const deadline = clock.setTimeout(() => resolve(), waitMs, { keepAlive: true })
    void settled.then(() => {
      clock.clearTimeout(deadline)
      resolve()
    })
  })
}

import type { Clock } from '../clock'
import { type Duration, optionalDurationToMs } from '../duration'
import { CacheConfigError } from '../errors'

/** How {@link waitForTurn} retries. */
export interface TurnPolicy {
  /** Retry at all; `false` makes exactly one attempt. */
  readonly wait: boolean
  /** Give up once this many ms have passed since the first attempt; `Infinity` never. */
  readonly timeoutMs: number
  /** The pause between attempts, ms. */
  readonly pollIntervalMs: number
}

/** What {@link waitForTurn} achieved. */
export interface Turn {
  /** Whether an attempt succeeded. */
  readonly acquired: boolean
  /** Time from the first attempt to the outcome, ms (on the injected clock). */
  readonly waitedMs: number
}

/** Validates a duration that must be strictly positive. */
export function positiveDurationToMs(
  value: Duration | undefined,
  option: string,
  fallbackMs: number,
): number {
  const ms = optionalDurationToMs(value, option, fallbackMs)
  if (ms <= 0) {
    throw new CacheConfigError(`Invalid duration for "${option}": it must be greater than 0`, { option })
  }
  return ms
}

/**
 * Validates `wait`, `timeout` and `pollInterval` (shared by locks and pools).
 *
 * @example
 * ```ts
 * const policy = parseTurnPolicy({ wait: true, timeout: 10 })
 * ```
 */
export function parseTurnPolicy(options: {
  wait?: boolean | undefined
  timeout?: Duration | undefined
  pollInterval?: Duration | undefined
}): TurnPolicy {
  if (options.wait !== undefined && typeof options.wait !== 'boolean') {
    throw new CacheConfigError('Invalid "wait": expected a boolean', { option: 'wait' })
  }
  const pollIntervalMs = positiveDurationToMs(options.pollInterval, 'pollInterval', 100)
  if (!Number.isFinite(pollIntervalMs)) {
    throw new CacheConfigError('Invalid duration for "pollInterval": it must be finite', {
      option: 'pollInterval',
    })
  }
  return {
    wait: options.wait ?? false,
    timeoutMs: optionalDurationToMs(options.timeout, 'timeout', Number.POSITIVE_INFINITY),
    pollIntervalMs,
  }
}

type Wake = () => void

// Sleepers per backend (the store object) and key, so a release in this process wakes local
// waiters at once instead of after their poll interval. Waiters in other processes poll.
const sleepers = new WeakMap<object, Map<string, Set<Wake>>>()

/**
 * Wakes every waiter of this process sleeping on `key` of `scope` (call after a release).
 *
 * @example
 * ```ts
 * if (await primitives.releaseLock(key, token)) wakeWaiters(store, key)
 * ```
 */
export function wakeWaiters(scope: object, key: string): void {
  const waiting = sleepers.get(scope)?.get(key)
  if (waiting) for (const wake of [...waiting]) wake()
}

function sleep(scope: object, key: string, ms: number, clock: Clock): Promise<void> {
  return new Promise((resolve) => {
    const map = sleepers.get(scope) ?? new Map<string, Set<Wake>>()
    sleepers.set(scope, map)
    const set = map.get(key) ?? new Set<Wake>()
    map.set(key, set)
    const wake: Wake = () => {
      clock.clearTimeout(timer)
      set.delete(wake)
      if (set.size === 0 && map.get(key) === set) map.delete(key)
      resolve()
    }
    // The caller awaits this pause: it must keep the process alive (an unref'd timer would let
    // Node exit mid-wait when nothing else is pending, e.g. waiting on an in-memory lock).
    const timer = clock.setTimeout(wake, ms, { keepAlive: true })
    set.add(wake)
  })
}

/**
 * Runs `attempt` until it succeeds, or once when `policy.wait` is false, pausing
 * `pollIntervalMs` on `clock` between attempts (or less, when a release of `key` in this process
 * wakes it) and giving up after `timeoutMs`. An attempt that rejects ends the wait with that
 * rejection: a failing backend fails fast.
 *
 * @example
 * ```ts
 * const turn = await waitForTurn(() => primitives.acquireLock(key, token, ttlMs), policy, clock, store, key)
 * if (!turn.acquired) throw new CacheLockError(`${key} is locked`, { key, waitedMs: turn.waitedMs })
 * ```
 */
export async function waitForTurn(
  attempt: () => Promise<boolean>,
  policy: TurnPolicy,
  clock: Clock,
  scope: object,
  key: string,
): Promise<Turn> {
  const startedAt = clock.now()
  for (;;) {
    if (await attempt()) return { acquired: true, waitedMs: clock.now() - startedAt }
    const waitedMs = clock.now() - startedAt
    const remainingMs = policy.timeoutMs - waitedMs
    if (!policy.wait || remainingMs <= 0) return { acquired: false, waitedMs }
    await sleep(scope, key, Math.min(policy.pollIntervalMs, remainingMs), clock)
  }
}

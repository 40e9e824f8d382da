import { CacheConfigError } from './errors'

/** A unit accepted in a {@link DurationString}. */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd'

/** A duration with a unit: `'250ms'`, `'30s'`, `'5m'`, `'1h'`, `'1d'`, `'1.5h'`. */
export type DurationString = `${number}${DurationUnit}`

/**
 * A length of time: a number of **seconds** (fractions allowed, `Infinity` for never), or a
 * {@link DurationString} with a unit.
 *
 * @example
 * ```ts
 * cache({ ttl: 60 })       // one minute
 * cache({ ttl: '250ms' })  // a quarter second
 * cache({ ttl: Infinity }) // never expires
 * ```
 */
export type Duration = number | DurationString

/**
 * The longest finite duration accepted, in ms (10,000 years). Longer finite durations are
 * rejected: added to the current time they leave the range of dates, of the entry codec's
 * timestamps and of Redis expiry times (a `ttl` of `1e18` seconds made every Redis write fail).
 * Use `Infinity` for "never". Timers never see more than `MAX_TIMER_DELAY_MS` at once: the
 * clock re-arms for longer waits, and client timeouts are clamped (see `clampTimerDelay`).
 * @example
 * ```ts
 * durationToMs(MAX_DURATION_MS / 1000, 'ttl') // accepted; one millisecond more throws
 * ```
 */
export const MAX_DURATION_MS = 10_000 * 365.25 * 86_400_000

const UNIT_MS: Record<DurationUnit, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)\s*$/

/**
 * Converts a {@link Duration} to milliseconds, validating it.
 *
 * @param value - seconds as a number, or a string with a unit
 * @param option - the name of the option being parsed, used in the error message
 * @returns milliseconds; `Infinity` for `Infinity`
 * @throws {@link CacheConfigError} naming `option` for a negative, NaN or unparsable value, or a
 *   finite one longer than {@link MAX_DURATION_MS} (10,000 years; use `Infinity` for never)
 *
 * @example
 * ```ts
 * durationToMs('5m', 'ttl') // 300000
 * durationToMs(1.5, 'ttl')  // 1500
 * ```
 */
export function durationToMs(value: Duration, option: string): number {
  if (typeof value === 'number') {
    if (Number.isNaN(value) || value < 0) {
      throw new CacheConfigError(
        `Invalid duration for "${option}": ${String(value)} (expected a number of seconds >= 0, or a string such as '30s')`,
        { option },
      )
    }
    return value === Number.POSITIVE_INFINITY ? value : withinRange(value * 1000, value, option)
  }
  if (typeof value === 'string') {
    const match = DURATION_PATTERN.exec(value)
    if (match) return withinRange(Number(match[1]) * UNIT_MS[match[2] as DurationUnit], value, option)
  }
  throw new CacheConfigError(
    `Invalid duration for "${option}": ${JSON.stringify(value)} (expected seconds as a number, or a string like '250ms', '30s', '5m', '1h', '1d')`,
    { option },
  )
}

function withinRange(ms: number, value: Duration, option: string): number {
  if (ms <= MAX_DURATION_MS) return ms
  throw new CacheConfigError(
    `Invalid duration for "${option}": ${JSON.stringify(value)} is longer than the 10,000 years a finite duration may last (expiry times beyond it overflow dates and Redis); use Infinity for never`,
    { option },
  )
}

/**
 * Like {@link durationToMs}, but `undefined` yields `fallbackMs`.
 *
 * @example
 * ```ts
 * optionalDurationToMs(options.stale, 'stale', 0)
 * ```
 */
export function optionalDurationToMs(
  value: Duration | undefined,
  option: string,
  fallbackMs: number,
): number {
  return value === undefined ? fallbackMs : durationToMs(value, option)
}

import type { AnyFunction } from '../cached/cached-function'
import { toDecorator } from '../cached/decorate'
import type { KeySpec } from '../cached/key-template'
import type { Duration } from '../duration'
import { CacheConfigError } from '../errors'
import type { InstanceDefaults } from '../instance-defaults'
import type { CoordinationOptions } from './coordination-context'
import { compileKey, validateKeySource } from './coordination-key'
import { type CoordinationMethodDecorator, type LockControls, runWhileHeld, withLockControls } from './lock'
import { LockEngine, type LockHandle } from './lock-engine'

/**
 * What a call does when another call with the same key is running: `'skip'` resolves
 * `undefined`, `'throw'` rejects with `CacheLockError`, `{ return: value }` resolves `value`.
 */
export type OnLocked<V = unknown> = 'skip' | 'throw' | { return: V }

/** Options of `once`. */
export interface OnceOptions extends CoordinationOptions {
  /**
   * The key of the run: a template over the function's arguments or a function of them. Calls
   * rendering the same key never overlap.
   * @example
   * ```ts
   * once({ key: 'sync-order:{0}' })(syncOrder)
   * ```
   */
  key: KeySpec
  /**
   * What a call does while another run with the same key is in progress.
   * @default 'skip'
   * @example
   * ```ts
   * once({ key: 'daily-report', onLocked: { return: 'already running' } })(buildReport)
   * ```
   */
  onLocked?: OnLocked
  /**
   * How long the run's lock lives if the process dies mid-run; past it another run may start.
   * Choose it above the longest run.
   * @default 30 (seconds)
   * @example
   * ```ts
   * once({ key: 'reindex', ttl: '15m' })(reindex)
   * ```
   */
  ttl?: Duration
}

/** What a skipped call resolves to, by `onLocked`. */
export type OnLockedResult<O> = O extends { onLocked: 'throw' }
  ? never
  : O extends { onLocked: { return: infer V } }
    ? V
    : undefined

/** A function wrapped by `once`: always async, with {@link LockControls}. */
export type OnceFunction<F extends AnyFunction, R> = ((
  this: ThisParameterType<F>,
  ...args: Parameters<F>
) => Promise<Awaited<ReturnType<F>> | R>) &
  LockControls<Parameters<F>>

/** The `once` function of an instance (see {@link createOnce}). */
export type Once = <const O extends OnceOptions>(options: O) => OnceDecorator<OnLockedResult<O>>

/**
 * What `once(options)` returns: wraps a function, or decorates a method. `R` is what a skipped
 * call resolves to.
 *
 * @example
 * ```ts
 * class Orders {
 *   @once({ key: 'sync-order:{orderId}' })
 *   async sync(orderId: string): Promise<void> { … } // a skipped call resolves undefined
 * }
 * ```
 */
export interface OnceDecorator<R> extends CoordinationMethodDecorator<R> {
  /** Wraps a function. */
  <F extends AnyFunction>(fn: F): OnceFunction<F, R>
}

function validateOnLocked(onLocked: unknown): asserts onLocked is OnLocked {
  const valid =
    onLocked === 'skip' ||
    onLocked === 'throw' ||
    (typeof onLocked === 'object' && onLocked !== null && 'return' in onLocked)
  if (!valid) {
    throw new CacheConfigError(
      `Invalid "onLocked": ${JSON.stringify(onLocked)} (expected 'skip', 'throw' or { return: value })`,
      { option: 'onLocked' },
    )
  }
}

/**
 * Builds the `once` function of an instance: concurrent calls rendering the same key never
 * overlap — one runs, the others skip, throw or return a value per `onLocked` (they never wait).
 * The guard is a lock (same store and key space as `lock`), released when the run settles.
 *
 * @example
 * ```ts
 * const once = createOnce(defaults)
 * const sync = once({ key: 'sync-order:{0}' })(async (orderId: string) => …)
 * await sync('o1') // undefined if a sync of o1 is already running
 * ```
 */
export function createOnce(defaults: InstanceDefaults): Once {
  return ((options: OnceOptions) => {
    if (typeof options !== 'object' || options === null) {
      throw new CacheConfigError('once(options) expects an options object with a "key"', { option: 'key' })
    }
    const { key, onLocked = 'skip' } = options
    validateKeySource(key)
    validateOnLocked(onLocked)
    const engine = new LockEngine(defaults, {
      ttl: options.ttl,
      store: options.store,
      onError: options.onError,
    })
    return toDecorator((fn) => {
      const render = compileKey(key, fn, 'once')
      async function guarded(this: unknown, ...args: unknown[]) {
        const lockKey = render(this, args)
        let held: LockHandle | undefined
        if (onLocked === 'throw') held = await engine.acquire(lockKey)
        else {
          held = await engine.tryAcquire(lockKey)
          if (!held) return onLocked === 'skip' ? undefined : onLocked.return
        }
        return runWhileHeld(held, fn as AnyFunction, this, args)
      }
      return withLockControls(guarded, engine, render)
    }, 'once')
  }) as Once
}

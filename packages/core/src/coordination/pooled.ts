import type { AnyFunction } from '../cached/cached-function'
import { toDecorator } from '../cached/decorate'
import { CacheConfigError } from '../errors'
import type { InstanceDefaults } from '../instance-defaults'
import { compileKey } from './coordination-key'
import { type CoordinationMethodDecorator, runWhileHeld } from './lock'
import { PoolEngine, type PoolOptions } from './pool'

/** Options of `pooled`: those of `pool`, plus what a call does when the pool is full. */
export interface PooledOptions extends PoolOptions {
  /**
   * When the pool is full (after waiting, with `wait: true`): `'throw'` rejects with
   * `CachePoolFullError("<key> is full (maxSize=N)")`; a function is called instead of the wrapped
   * one, with the same `this` and arguments, and its result is returned.
   * @default 'throw'
   * @example
   * ```ts
   * pooled({ key: 'api:{0}', maxSize: 5, onFull: (userId) => queue.push(userId) })(callApi)
   * ```
   */
  onFull?: 'throw' | AnyFunction
}

/** What a call on a full pool resolves to, by `onFull`. */
export type OnFullResult<O> = O extends { onFull: (...args: any[]) => infer R } ? Awaited<R> : never

/** A function wrapped by `pooled`: always async, with `size(...)` and `key(...)`. */
export type PooledFunction<F extends AnyFunction, R> = ((
  this: ThisParameterType<F>,
  ...args: Parameters<F>
) => Promise<Awaited<ReturnType<F>> | R>) & {
  /** The pool's capacity. */
  readonly maxSize: number
  /** How many calls with these arguments' key are running now (anywhere sharing the store). */
  size(...args: Parameters<F>): Promise<number>
  /** The rendered pool key for these arguments (without the instance prefix). */
  key(...args: Parameters<F>): string
}

/** The `pooled` function of an instance (see {@link createPooled}). */
export type Pooled = <const O extends PooledOptions>(options: O) => PooledDecorator<OnFullResult<O>>

/**
 * What `pooled(options)` returns: wraps a function, or decorates a method. `R` is what a call on
 * a full pool resolves to (`onFull`'s result).
 *
 * @example
 * ```ts
 * class Api {
 *   @pooled({ key: 'api:{userId}', maxSize: 5 })
 *   async profile(userId: string) { … }
 * }
 * ```
 */
export interface PooledDecorator<R> extends CoordinationMethodDecorator<R> {
  /** Wraps a function. */
  <F extends AnyFunction>(fn: F): PooledFunction<F, R>
}

/**
 * Builds the `pooled` function of an instance: at most `maxSize` calls per key run at once; a call
 * on a full pool throws or calls `onFull` instead. The slot is released when the call settles.
 *
 * @example
 * ```ts
 * const pooled = createPooled(defaults)
 * const call = pooled({ key: 'api:{0}', maxSize: 5 })(async (userId: string) => fetchProfile(userId))
 * await call.size('u1') // calls for u1 running now
 * ```
 */
export function createPooled(defaults: InstanceDefaults): Pooled {
  return ((options: PooledOptions) => {
    if (typeof options !== 'object' || options === null) {
      throw new CacheConfigError('pooled(options) expects an options object with "key" and "maxSize"', {
        option: 'key',
      })
    }
    const { onFull = 'throw' } = options
    if (onFull !== 'throw' && typeof onFull !== 'function') {
      throw new CacheConfigError(`Invalid "onFull": expected 'throw' or a function`, { option: 'onFull' })
    }
    const engine = new PoolEngine(defaults, options)
    return toDecorator((fn) => {
      const render = compileKey(options.key, fn, 'pooled')
      const run = fn as AnyFunction
      async function bounded(this: unknown, ...args: unknown[]) {
        const key = render(this, args)
        if (onFull === 'throw') return runWhileHeld(await engine.acquire(key), run, this, args)
        const slot = await engine.tryAcquire(key)
        return slot ? runWhileHeld(slot, run, this, args) : await onFull.apply(this, args)
      }
      return Object.assign(bounded, {
        maxSize: engine.maxSize,
        size: async (...args: unknown[]) => engine.size(render(undefined, args)),
        key: (...args: unknown[]) => render(undefined, args),
      })
    }, 'pooled')
  }) as Pooled
}

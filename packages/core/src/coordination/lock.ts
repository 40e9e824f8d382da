import type { AnyFunction } from '../cached/cached-function'
import { toDecorator } from '../cached/decorate'
import type { KeyBuilder, KeySpec } from '../cached/key-template'
import type { InstanceDefaults } from '../instance-defaults'
import { compileKey, validateKeySource } from './coordination-key'
import type { HeldHandle } from './held-handle'
import { LockEngine, type LockHandle, type LockOptions } from './lock-engine'
import type { TemplateArgs } from './template-args'

/** A lock over a key template; every method takes the template's arguments. */
export interface Lock<A extends unknown[] = unknown[]> {
  /**
   * Takes the lock, waiting if the lock was built with `wait: true`.
   * @throws {@link CacheLockError} (naming the key and the time waited) when it is not acquired
   * @example
   * ```ts
   * await using held = await reportLock.acquire(2026)
   * ```
   */
  acquire(...args: A): Promise<LockHandle>
  /**
   * Like {@link Lock.acquire}, but resolves `undefined` instead of throwing when the lock is held.
   * @example
   * ```ts
   * const held = await reportLock.tryAcquire(2026)
   * if (!held) return 'busy'
   * ```
   */
  tryAcquire(...args: A): Promise<LockHandle | undefined>
  /** Whether anyone (in any process sharing the store) holds the lock. */
  isLocked(...args: A): Promise<boolean>
  /** Frees the lock whoever holds it (an operator's escape hatch); `true` if a lock was freed. */
  forceRelease(...args: A): Promise<boolean>
  /** The rendered key, e.g. `'report:2026'` (without the instance prefix). */
  key(...args: A): string
}

/** Controls attached to a function wrapped by `lock` or `once`. */
export interface LockControls<A extends unknown[]> {
  /** Whether a call with these arguments is running (anywhere sharing the store). */
  isLocked(...args: A): Promise<boolean>
  /** Frees the lock for these arguments whoever holds it; `true` if a lock was freed. */
  forceRelease(...args: A): Promise<boolean>
  /** The rendered lock key for these arguments (without the instance prefix). */
  key(...args: A): string
}

/** A function run under a lock: always async, with {@link LockControls}. */
export type LockedFunction<F extends AnyFunction> = ((
  this: ThisParameterType<F>,
  ...args: Parameters<F>
) => Promise<Awaited<ReturnType<F>>>) &
  LockControls<Parameters<F>>

/**
 * The method-decorator forms of a coordination wrapper (`lock({ key })`, `once(…)`, `pooled(…)`):
 * TC39 decorators and legacy `experimentalDecorators` ones. `R` is what a decorated method's
 * promise may resolve to besides the method's own result.
 */
export interface CoordinationMethodDecorator<R = never> {
  /** TC39 method decorator. */
  <This, A extends any[], Result>(
    method: (this: This, ...args: A) => Result,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => Result>,
  ): (this: This, ...args: A) => Promise<Awaited<Result> | R>
  /** Legacy (`experimentalDecorators`) method decorator. */
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void
}

/**
 * What `lock({ key, … })` returns: wraps a function, or decorates a method.
 *
 * @example
 * ```ts
 * class Billing {
 *   @lock({ key: 'invoice:{id}', wait: true, timeout: 5 })
 *   async settle(id: string) { … }
 * }
 * ```
 */
export interface LockDecorator extends CoordinationMethodDecorator {
  /** Wraps a function. */
  <F extends AnyFunction>(fn: F): LockedFunction<F>
}

/** Options of the wrapper form `lock({ key, … })(fn)`. */
export interface LockWrapperOptions extends LockOptions {
  /**
   * The lock key: a template over the function's arguments (`'report:{0}'`, `'user:{id}'`) or a
   * function of them.
   * @example
   * ```ts
   * lock({ key: 'order:{0}' })(processOrder)
   * ```
   */
  key: KeySpec
}

/** The `lock` function of an instance (see {@link createLock}). */
export interface LockFunction {
  /**
   * A lock over a key template; `acquire(...)` and the other methods take the arguments its
   * placeholders read (`'report:{0}'`: one), each of them required.
   * @example
   * ```ts
   * const reportLock = lock('report:{0}', { ttl: 30, wait: true, timeout: 10 })
   * await using held = await reportLock.acquire(2026)
   * ```
   */
  <const K extends string>(key: K, options?: LockOptions): Lock<TemplateArgs<K>>
  /**
   * A lock over a key function, or over a template with its argument types given:
   * `lock<[year: number]>('report:{0}')`.
   * @example
   * ```ts
   * const byYear = lock((year: number) => `report:${year}`)
   * await using held = await byYear.acquire(2026)
   * ```
   */
  <A extends unknown[]>(key: KeySpec<A>, options?: LockOptions): Lock<A>
  /**
   * A wrapper running `fn` under the lock, released when `fn` settles (returns or throws).
   * @example
   * ```ts
   * const settle = lock({ key: 'invoice:{0}', wait: true, timeout: 5 })(async (id: string) => …)
   * ```
   */
  (options: LockWrapperOptions): LockDecorator
}

/**
 * Attaches {@link LockControls} to `wrapped`.
 *
 * @example
 * ```ts
 * return withLockControls(wrapped, engine, render)
 * ```
 */
export function withLockControls<W extends AnyFunction>(
  wrapped: W,
  engine: LockEngine,
  render: KeyBuilder,
): W & LockControls<Parameters<W>> {
  return Object.assign(wrapped, {
    isLocked: async (...args: unknown[]) => engine.isLocked(render(undefined, args)),
    forceRelease: async (...args: unknown[]) => engine.forceRelease(render(undefined, args)),
    key: (...args: unknown[]) => render(undefined, args),
  })
}

/**
 * Calls `fn` and releases `held` when it settles (returns or throws).
 *
 * @example
 * ```ts
 * return runWhileHeld(await engine.acquire(key), fn, thisArg, args)
 * ```
 */
export async function runWhileHeld<F extends AnyFunction>(
  held: HeldHandle,
  fn: F,
  thisArg: ThisParameterType<F>,
  args: Parameters<F>,
): Promise<Awaited<ReturnType<F>>> {
  try {
    return await fn.apply(thisArg, args)
  } finally {
    await held.release()
  }
}

/**
 * Builds the `lock` function of an instance: locks and lock wrappers in the instance's store and
 * key prefix, on its clock.
 *
 * Semantics: a lock is owned by a random token, so only its holder's `release()` frees it
 * (`forceRelease` aside); it expires after `ttl` (default 30 s) so a crashed holder never wedges
 * the key; it is not reentrant (acquiring it again while holding it fails like any other caller).
 *
 * @example
 * ```ts
 * const lock = createLock(defaults)
 * const l = lock('report:{0}', { wait: true, timeout: 10 })
 * await using held = await l.acquire(2026)
 * ```
 */
export function createLock(defaults: InstanceDefaults): LockFunction {
  function lock(source: KeySpec | LockWrapperOptions, options: LockOptions = {}) {
    if (typeof source === 'object' && source !== null) {
      const { key, ...rest } = source
      const engine = new LockEngine(defaults, rest)
      validateKeySource(key)
      return toDecorator((fn) => {
        const render = compileKey(key, fn, 'lock')
        async function locked(this: unknown, ...args: unknown[]) {
          return runWhileHeld(await engine.acquire(render(this, args)), fn as AnyFunction, this, args)
        }
        return withLockControls(locked, engine, render)
      }, 'lock') as LockDecorator
    }
    const engine = new LockEngine(defaults, options)
    const render = compileKey(source, undefined, 'lock')
    const lockObject: Lock = {
      acquire: async (...args) => engine.acquire(render(undefined, args)),
      tryAcquire: async (...args) => engine.tryAcquire(render(undefined, args)),
      isLocked: async (...args) => engine.isLocked(render(undefined, args)),
      forceRelease: async (...args) => engine.forceRelease(render(undefined, args)),
      key: (...args) => render(undefined, args),
    }
    return lockObject
  }
  return lock as LockFunction
}

import { CacheConfigError } from '../errors'
import type { EvictOptionsFit, OptionsFit } from './cache-options'
import type { AnyFunction, AsyncCachedFunction, CachedFunction, CachedReturn } from './cached-function'

/**
 * The function `cache(options)` returns: wraps a plain function, or decorates a method as a TC39
 * decorator (TypeScript 5 default) or a legacy `experimentalDecorators` decorator (NestJS style).
 * The form is detected from the arguments at runtime.
 *
 * @typeParam O - the options it was built with: their `key`, `tags`, `cacheIf` and `ttl`
 * functions must fit the wrapped function's parameters and return type
 */
export interface CacheDecorator<Sync extends boolean, O = {}> {
  /**
   * Wraps a function: `cache({ ttl: 60 })(fn)`. Over a synchronous store it keeps `fn`'s return
   * type ({@link CachedFunction}); over an asynchronous one it returns a Promise ({@link AsyncCachedFunction}).
   */
  <F extends AnyFunction>(
    fn: F & OptionsFit<O, F>,
  ): Sync extends true ? CachedFunction<F> : AsyncCachedFunction<F>
  /** TC39 method decorator. */
  <This, A extends any[], R>(
    method: (this: This, ...args: A) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => R>,
  ): (this: This, ...args: A) => CachedReturn<R, Sync>
  /** Legacy (`experimentalDecorators`) method decorator. */
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void
}

/**
 * The function `cache.put(options)` and `cache.evict(options)` return: like {@link CacheDecorator}, without controls.
 *
 * @typeParam O - the options it was built with (their functions must fit the wrapped function)
 * @typeParam Evict - whether `O` are `cache.evict` options
 */
export interface WriteDecorator<Sync extends boolean, O = {}, Evict extends boolean = false> {
  /** Wraps a function. */
  <F extends AnyFunction>(
    fn: F & (Evict extends true ? EvictOptionsFit<O, F> : OptionsFit<O, F>),
  ): (this: ThisParameterType<F>, ...args: Parameters<F>) => CachedReturn<ReturnType<F>, Sync>
  /** TC39 method decorator. */
  <This, A extends any[], R>(
    method: (this: This, ...args: A) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => R>,
  ): (this: This, ...args: A) => CachedReturn<R, Sync>
  /** Legacy (`experimentalDecorators`) method decorator. */
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void
}

function isDecoratorContext(value: unknown): value is { kind: string; name: string | symbol } {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string'
}

/**
 * Turns `wrap(fn)` into a decorator that also accepts the TC39 `(method, context)` and the legacy
 * `(target, propertyKey, descriptor)` forms.
 *
 * @param what - the API name for error messages, e.g. `'cache'`
 */
export function toDecorator(wrap: (fn: Function) => Function, what: string): (...args: unknown[]) => unknown {
  return function decorate(target: unknown, context?: unknown, descriptor?: unknown): unknown {
    if (typeof target === 'function' && context === undefined && descriptor === undefined) return wrap(target)
    if (isDecoratorContext(context)) {
      if (context.kind !== 'method' || typeof target !== 'function') {
        throw new CacheConfigError(
          `${what}() decorates methods, not the ${context.kind} ${JSON.stringify(String(context.name))}`,
        )
      }
      return wrap(target)
    }
    const legacy = descriptor as PropertyDescriptor | undefined
    if (typeof legacy === 'object' && legacy !== null && typeof legacy.value === 'function') {
      legacy.value = wrap(legacy.value)
      return legacy
    }
    throw new CacheConfigError(
      `${what}() wraps a function or decorates a method${
        typeof context === 'string' || typeof context === 'symbol'
          ? `, and ${String(context)} is not a method`
          : ''
      }`,
    )
  }
}

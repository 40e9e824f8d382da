import { CacheConfigError, CacheKeyError } from '../errors'
import { compileKeyTemplate } from './temporary-key-template'

/**
 * A lock or pool key: a template such as `'report:{0}'` (placeholders as in `cache()`), or a
 * function receiving the same arguments and returning the key.
 *
 * @example
 * ```ts
 * lock('report:{0}')
 * lock((year: number) => `report:${year}`)
 * ```
 */
export type KeySource<A extends unknown[] = any[]> = string | ((...args: A) => string)

/** Renders a key from the call's `this` and arguments. */
export type KeyRenderer = (thisArg: unknown, args: readonly unknown[]) => string

/**
 * Checks that `source` is a non-empty template string or a function.
 *
 * @throws {@link CacheConfigError} naming `key` otherwise
 * @example
 * ```ts
 * validateKeySource(options.key)
 * ```
 */
export function validateKeySource(source: unknown): asserts source is KeySource {
  if (typeof source !== 'function' && (typeof source !== 'string' || source === '')) {
    throw new CacheConfigError('Invalid "key": expected a non-empty template string or a function', {
      option: 'key',
    })
  }
}

/**
 * Validates `source` once and compiles it. `fn`, when given, is the wrapped function (templates
 * may then name its parameters).
 *
 * @throws {@link CacheConfigError} naming `key` when it is missing or empty
 * @throws {@link CacheKeyError} when a template placeholder cannot be resolved
 * @example
 * ```ts
 * const render = compileKey('report:{0}')
 * render(undefined, [2026]) // 'report:2026'
 * ```
 */
export function compileKey(source: KeySource, _fn?: (...args: any[]) => unknown): KeyRenderer {
  validateKeySource(source)
  if (typeof source === 'function') {
    return (thisArg, args) => {
      const key: unknown = source.apply(thisArg, args as unknown[])
      if (typeof key !== 'string' || key === '') {
        throw new CacheKeyError(
          `The key function returned ${JSON.stringify(key)} (expected a non-empty string)`,
        )
      }
      return key
    }
  }
  const template = compileKeyTemplate(source)
  return (_thisArg, args) => template(args)
}

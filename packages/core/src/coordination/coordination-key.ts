import { compileKey as compileKeySpec, type KeyBuilder, type KeySpec } from '../cached/key-template'
import { CacheConfigError } from '../errors'

/**
 * Checks that a lock or pool `key` is a non-empty template string or a function (unlike
 * `cache()`, coordination has no default key).
 *
 * @throws {@link CacheConfigError} naming `key` otherwise
 * @example
 * ```ts
 * validateKeySource(options.key)
 * ```
 */
export function validateKeySource(source: unknown): asserts source is KeySpec {
  if (typeof source !== 'function' && (typeof source !== 'string' || source === '')) {
    throw new CacheConfigError('Invalid "key": expected a non-empty template string or a function', {
      option: 'key',
    })
  }
}

/**
 * Validates `source` once and compiles it with the shared key-template compiler (placeholders
 * as in `cache()`) into a builder of the rendered key, without the instance prefix.
 *
 * @param source - the `key` option
 * @param fn - the wrapped function, whose parameter names resolve `{name}` placeholders; absent
 *   for `lock(key)` / `pool({ key })`, which then take positional placeholders only, every one of
 *   them required at call time (`lock('report:{0}').acquire()` throws rather than lock `report:`)
 * @param what - names the lock or pool in key errors, e.g. `'lock'`
 * @throws {@link CacheConfigError} naming `key` when it is missing or empty
 * @throws {@link CacheKeyError} when a template placeholder cannot be resolved (the builder
 *   throws it for an absent argument without `fn`, and for a path that meets a primitive)
 * @example
 * ```ts
 * const render = compileKey('report:{0}', undefined, 'lock')
 * render(undefined, [2026]) // 'report:2026'
 * ```
 */
export function compileKey(source: unknown, fn: Function | undefined, what: string): KeyBuilder {
  validateKeySource(source)
  return compileKeySpec(source, fn, fn?.name || what, '').build
}

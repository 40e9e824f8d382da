/**
 * One grammar for option errors across core and every adapter:
 * `<owner>: invalid option "<option>": got <what was given>; expected <what is allowed>`.
 * @packageDocumentation
 */

import { CacheConfigError } from './errors'

/** A short, safe rendering of a value someone passed as an option. */
export function describeGiven(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return 'an array'
  if (value instanceof URL) return 'a URL'
  return typeof value === 'object' ? 'an object' : String(value)
}

/**
 * The `CacheConfigError` for an option whose value is not allowed, naming the option, what was
 * given and what is allowed.
 *
 * @param owner - who reads the option, e.g. `'FileStore'` or `'cache()'`
 * @param option - the option's name (a path for nested ones: `'compress.minBytes'`)
 * @param given - the value given
 * @param allowed - what is allowed, e.g. `'a positive integer number of bytes'`
 * @example
 * ```ts
 * throw invalidOption('FileStore', 'maxBytes', -1, 'a positive integer number of bytes')
 * // FileStore: invalid option "maxBytes": got -1; expected a positive integer number of bytes
 * ```
 */
export function invalidOption(
  owner: string,
  option: string,
  given: unknown,
  allowed: string,
): CacheConfigError {
  return new CacheConfigError(
    `${owner}: invalid option "${option}": got ${describeGiven(given)}; expected ${allowed}`,
    { option },
  )
}

/**
 * Checks that `options` is an object whose every own key is one of `known` (a misspelt option
 * must not be silently ignored), and returns it as a record.
 *
 * @throws {@link CacheConfigError} naming the unknown option and the known ones
 * @example
 * ```ts
 * checkOptionNames('FileStore', options, ['dir', 'maxBytes', 'compress'])
 * ```
 */
export function checkOptionNames(
  owner: string,
  options: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CacheConfigError(
      `${owner}: invalid options: got ${describeGiven(options)}; expected an object`,
      {
        option: 'options',
      },
    )
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new CacheConfigError(
        `${owner}: unknown option "${name}"; expected one of ${known.map((option) => `"${option}"`).join(', ')}`,
        { option: name },
      )
    }
  }
  return options as Record<string, unknown>
}

/**
 * The option names of an options type, checked by the compiler: the record must name every
 * option of `T`, so an option added to the interface and forgotten here fails to compile instead
 * of being rejected as unknown at run time.
 *
 * @example
 * ```ts
 * import { checkOptionNames, optionNames } from '@stratacache/core'
 *
 * const NAMES = optionNames<{ dir: string; maxBytes?: number }>({ dir: true, maxBytes: true })
 * checkOptionNames('FileStore', options, NAMES)
 * ```
 */
export function optionNames<T>(names: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.freeze(Object.keys(names))
}

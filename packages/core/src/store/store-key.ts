import { CacheKeyError } from '../errors'

/** A UTF-16 surrogate that is not half of a pair (`u` mode reads a well-formed pair as one code point). */
const LONE_SURROGATE = /\p{Surrogate}/u

/**
 * Checks a key (or a `deleteMatching` pattern) before a byte store uses it: a string, and
 * well-formed UTF-16. Byte stores name entries by the key's UTF-8, and UTF-8 cannot hold a lone
 * surrogate: encoding turns `'q:\uD800'` and `'q:\uDC00'` alike into `'q:\uFFFD'`, so two
 * distinct keys would share one entry and one caller would get another's value. Such keys are
 * refused instead, by every byte store through this one helper.
 *
 * @param key - the key or pattern
 * @param store - the store's name, for the message
 * @throws {@link CacheKeyError} when `key` is not a string or holds a lone surrogate
 * @example
 * ```ts
 * assertStoreKey('user:42', 'redis')     // fine
 * assertStoreKey('q:\uD800', 'redis')    // throws CacheKeyError
 * ```
 */
export function assertStoreKey(key: string, store: string): void {
  if (typeof key !== 'string') {
    throw new CacheKeyError(`${store}: a key must be a string, got ${typeof key}`)
  }
  if (LONE_SURROGATE.test(key)) {
    const at = key.search(LONE_SURROGATE)
    throw new CacheKeyError(
      `${store}: the key ${JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key)} holds a lone UTF-16 surrogate at index ${at}; byte stores need well-formed Unicode keys (distinct keys would otherwise share one entry)`,
    )
  }
}

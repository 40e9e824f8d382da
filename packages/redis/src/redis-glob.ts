import { escapeGlob, globToRegExp } from '@stratacache/core'

/** A `deleteMatching` glob translated for Redis `SCAN MATCH`. */
export interface RedisMatch {
  /** The `MATCH` argument: the escaped prefix followed by the translated pattern. */
  readonly match: string
  /**
   * An exact test of the key (prefix removed) when `MATCH` alone is looser than the glob: Redis
   * `?` matches one byte, stratacache's `?` one Unicode character, so `?` is sent as `?*` and the
   * candidates are filtered with this expression. `undefined` when `MATCH` is exact.
   */
  readonly filter: RegExp | undefined
}

/**
 * Translates stratacache's glob dialect (`*` any run, `?` one character, `\x` a literal `x`,
 * everything else literal) to a Redis `SCAN MATCH` pattern confined to `prefix`. Characters that
 * are special only to Redis (`[`, `]`, `\`) are escaped, and so is every special character of
 * the prefix, so neither a prefix nor a key can widen the match.
 *
 * @example
 * ```ts
 * toRedisMatch('app:', 'user:*').match   // 'app:user:*'
 * toRedisMatch('a*b:', '[x]').match      // 'a\\*b:\\[x\\]'
 * ```
 */
export function toRedisMatch(prefix: string, pattern: string): RedisMatch {
  let match = escapeGlob(prefix)
  let loose = false
  const chars = Array.from(pattern)
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string
    if (char === '*') match += '*'
    else if (char === '?') {
      match += '?*'
      loose = true
    } else if (char === '\\' && i + 1 < chars.length) {
      i++
      match += escapeGlob(chars[i] as string)
    } else match += escapeGlob(char)
  }
  return { match, filter: loose ? globToRegExp(pattern) : undefined }
}

/**
 * The glob dialect of `deleteMatching`, shared by every store that matches keys in process.
 *
 * - `*` matches any run of characters (including none, and including `:` and `/`),
 * - `?` matches exactly one character (one Unicode code point),
 * - `\` makes the next character literal (`\*`, `\?`, `\\`),
 * - every other character, `[` and `]` included, matches itself.
 *
 * Stores whose backend matches natively (Redis `SCAN MATCH`) translate this dialect to theirs.
 * @packageDocumentation
 */

const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\]/g

function literal(char: string): string {
  return char.replace(REGEXP_SPECIAL, '\\$&')
}

/** Splits a glob into the segments between its unescaped `*`s, each compiled to regexp source. */
function segments(pattern: string): string[] {
  const parts: string[] = ['']
  const chars = Array.from(pattern)
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string
    if (char === '*') {
      parts.push('')
      continue
    }
    let source: string
    if (char === '?') source = '[\\s\\S]'
    else if (char === '\\' && i + 1 < chars.length) source = literal(chars[++i] as string)
    else source = literal(char)
    parts[parts.length - 1] += source
  }
  return parts
}

/**
 * Compiles a `deleteMatching` glob to an anchored regular expression that runs in time
 * proportional to key length × pattern length, whatever the pattern: each `*` but the last
 * advances to the first place where the next segment matches, inside a lookahead (which never
 * backtracks), so patterns such as `*a*a*a*b` cannot blow up on long keys.
 *
 * @param pattern - `*` any run, `?` one character, `\x` a literal `x`, anything else literal
 * @example
 * ```ts
 * globToRegExp('user:*').test('user:1:profile') // true
 * globToRegExp('user:?').test('user:10')        // false
 * globToRegExp(escapeGlob('a*b')).test('axb')   // false: the `*` is literal
 * ```
 */
export function globToRegExp(pattern: string): RegExp {
  const parts = segments(pattern)
  const first = parts[0] as string
  if (parts.length === 1) return new RegExp(`^${first}$`, 'u')
  const last = parts[parts.length - 1] as string
  let source = `^${first}`
  let group = 0
  for (const middle of parts.slice(1, -1)) {
    if (middle === '') continue
    group++
    source += `(?=([\\s\\S]*?${middle}))\\${group}`
  }
  return new RegExp(`${source}[\\s\\S]*${last}$`, 'u')
}

/**
 * Whether `pattern` contains a wildcard (`*` or `?` not escaped by `\`). A pattern without one
 * matches exactly one key, {@link unescapeGlob}`(pattern)`.
 *
 * @example
 * ```ts
 * hasWildcard('user:*')       // true
 * hasWildcard('user\\*')      // false
 * ```
 */
export function hasWildcard(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]
    if (char === '\\') i++
    else if (char === '*' || char === '?') return true
  }
  return false
}

/**
 * The key a wildcard-free pattern matches: the pattern with its `\` escapes removed.
 *
 * @example
 * ```ts
 * unescapeGlob('a\\*b') // 'a*b'
 * ```
 */
export function unescapeGlob(pattern: string): string {
  return pattern.replace(/\\([\s\S])/gu, '$1')
}

/**
 * Escapes `*`, `?`, `[`, `]` and `\` so that `text` matches only itself inside a glob, whatever
 * it contains. `[` and `]` are literal in stratacache's dialect already; escaping them keeps a
 * pattern literal for backends whose native dialect has character classes (Redis).
 *
 * @example
 * ```ts
 * await store.deleteMatching(`${escapeGlob(userInput)}:*`)
 * ```
 */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

/**
 * The literal text every key matching `pattern` starts with: the pattern up to its first
 * wildcard, unescaped. Stores that list keys by prefix list only these.
 *
 * @example
 * ```ts
 * globLiteralPrefix('user:*')      // 'user:'
 * globLiteralPrefix('a\\*b?')      // 'a*b'
 * globLiteralPrefix('*:1')         // ''
 * ```
 */
export function globLiteralPrefix(pattern: string): string {
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]
    if (char === '\\') i++
    else if (char === '*' || char === '?') return unescapeGlob(pattern.slice(0, i))
  }
  return unescapeGlob(pattern)
}

/**
 * Keeps credentials out of error messages and logs: the userinfo of every URL in a text
 * (`redis://user:secret@host` → `redis://user:***@host`), and of every string an error carries
 * (its message, Node's `input` on an invalid-URL `TypeError`, its causes).
 * @packageDocumentation
 */

// `scheme://` then the token up to its last `@` (passwords may hold a raw `@`, `/` or `:`);
// a token ends at whitespace, a quote or an angle bracket. The lookbehind starts a match only at
// the start of a scheme, so a long run of letters (a 10 KiB key in a message) is scanned once.
const USERINFO = /(?<![a-z\d+.-])([a-z][a-z\d+.-]{0,31}:\/\/)([^\s"'`<>]*)@/gi

function maskUserinfo(_match: string, scheme: string, userinfo: string): string {
  const colon = userinfo.indexOf(':')
  const user = colon > 0 ? userinfo.slice(0, colon) : ''
  // A lone name (`https://TOKEN@host`) may itself be the secret: it is masked whole.
  return colon > 0 && !user.includes('/') ? `${scheme}${user}:***@` : `${scheme}***@`
}

/**
 * Replaces the userinfo of every URL in `text` with `***` (keeping a user name written as
 * `user:password`). Works on strings that are not valid URLs too, such as a password holding a
 * raw `@` or `/`.
 *
 * @example
 * ```ts
 * redactUrls('cannot reach redis://app:pa@ss@cache:6379/0') // 'cannot reach redis://app:***@cache:6379/0'
 * ```
 */
export function redactUrls(text: string): string {
  return text.includes('://') ? text.replace(USERINFO, maskUserinfo) : text
}

/**
 * Redacts, in place, URL userinfo in every string property of `error` (message, stack, Node's
 * `input`, …) and of its `cause` and `errors` chain, and returns it. Anything that is not an
 * object is returned as it is; read-only properties are left alone.
 *
 * @example
 * ```ts
 * throw new CacheConfigError('Invalid store URL', { cause: redactError(parseError) })
 * ```
 */
export function redactError<T>(error: T, seen: Set<object> = new Set()): T {
  if (typeof error !== 'object' || error === null || seen.has(error)) return error
  seen.add(error)
  for (const key of Object.getOwnPropertyNames(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key)
    if (descriptor === undefined || !('value' in descriptor)) continue
    const value: unknown = descriptor.value
    if (typeof value === 'string') {
      const clean = redactUrls(value)
      if (clean !== value && descriptor.writable) (error as Record<string, unknown>)[key] = clean
    } else if (key === 'cause' || key === 'errors') {
      redactError(value, seen)
    } else if (Array.isArray(error)) {
      redactError(value, seen)
    }
  }
  return error
}

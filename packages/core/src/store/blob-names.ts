/**
 * How `BlobStore` names the object of a key, the same way on every backend.
 *
 * A key's **body** spells it one code point at a time: `a`–`z`, `0`–`9`, `_` and `-` stand for
 * themselves; every other code point is `~` and the lowercase hex of each of its UTF-8 bytes
 * (`:` → `~3a`, `A` → `~41`, `🔑` → `~f0~9f~94~91`). Upper case is escaped, so names stay distinct
 * on case-insensitive file systems. Every 200 bytes at most, the body breaks with `~/`, so no
 * segment outgrows a file name (255 bytes) on any file system, and no segment is `.` or `..`.
 * The empty key is `~`.
 *
 * The spelling is a homomorphism: the body of a key starts with the body of each of the key's
 * prefixes, so a glob's literal prefix lists exactly the names that can match it.
 *
 * A name is the store's prefix and the body, when that fits in 1,024 bytes (S3's and GCS's limit).
 * A longer key is named by the start of its body, a break, `~~` and the SHA-256 of its body; its
 * real key is then read from the entry's bytes (the codec's key section).
 * @packageDocumentation
 */

import { sha256Hex } from './sha256'

/** The most bytes of a name, prefix included (S3's and GCS's limit). */
export const MAX_NAME_BYTES = 1024
/** The most bytes of one `/`-separated segment of a body. */
const MAX_SEGMENT_BYTES = 200
/** The break between two segments of a body. */
const BREAK = '~/'
/** Marks the hash that ends the name of a long key: `~~` never occurs in a body. */
const HASH_MARK = '~~'
/** The hash part of a long key's name: a break, the mark and 64 hex digits. */
const HASH_SUFFIX_BYTES = BREAK.length + HASH_MARK.length + 64
/** How many key → name spellings {@link BlobNames} remembers. */
const RECENT_NAMES = 16_384
/** The body of the empty key. */
const EMPTY_BODY = '~'

const HEX = '0123456789abcdef'
const encoder = new TextEncoder()

/** Whether the UTF-16 code unit `code` is one of `a`–`z`, `0`–`9`, `_`, `-`. */
function isPlain(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 95 || code === 45
}

/** The spelling of the code point of `key` at `index` (and how many code units it spans). */
function token(key: string, index: number): string {
  const code = key.charCodeAt(index)
  if (isPlain(code)) return key[index] as string
  if (code < 0x80) return `~${HEX[code >> 4]}${HEX[code & 15]}`
  let spelled = ''
  for (const byte of encoder.encode(String.fromCodePoint(key.codePointAt(index) as number))) {
    spelled += `~${HEX[byte >> 4]}${HEX[byte & 15]}`
  }
  return spelled
}

/**
 * The body of `key`, stopping before the code point that would make it longer than `limit`
 * bytes. `complete` tells whether the whole key fit.
 */
function spell(key: string, limit: number): { body: string; complete: boolean } {
  let body = ''
  let segment = 0
  for (let i = 0; i < key.length; i++) {
    const spelled = token(key, i)
    if (spelled.length === 12) i++ // four UTF-8 bytes: a code point beyond U+FFFF, two code units
    const needsBreak = segment + spelled.length > MAX_SEGMENT_BYTES
    const grown = body.length + (needsBreak ? BREAK.length : 0) + spelled.length
    if (grown > limit) return { body, complete: false }
    if (needsBreak) {
      body += BREAK
      segment = 0
    }
    body += spelled
    segment += spelled.length
  }
  return { body, complete: true }
}

/**
 * The key ↔ name mapping of one store: its prefix and the room left for bodies.
 *
 * @example
 * ```ts
 * const names = new BlobNames('app/')
 * names.nameOf('user:42')       // 'app/user~3a42'
 * names.keyOf('app/user~3a42')  // 'user:42'
 * names.listPrefix('user:')     // 'app/user~3a'
 * ```
 */
export class BlobNames {
  /** The store's prefix: `''`, or segments each ending in `/`. */
  readonly prefix: string
  /** The most bytes a body may have in a name of its own. */
  readonly #bodyLimit: number
  /** The most bytes of the body start in a long key's name. */
  readonly #hashedLimit: number
  /**
   * Names of recently named keys: a hot key is spelled once, and the backend gets the same
   * string each time (its hash computed once). Emptied when full.
   */
  readonly #recent = new Map<string, string>()

  /** @param prefix - a prefix checked by {@link checkBlobPrefix} */
  constructor(prefix: string) {
    this.prefix = prefix
    this.#bodyLimit = MAX_NAME_BYTES - prefix.length
    this.#hashedLimit = this.#bodyLimit - HASH_SUFFIX_BYTES
  }

  /** The object name of `key` (a well-formed string). */
  nameOf(key: string): string {
    let name = this.#recent.get(key)
    if (name === undefined) {
      if (this.#recent.size >= RECENT_NAMES) this.#recent.clear()
      name = this.#spellName(key)
      this.#recent.set(key, name)
    }
    return name
  }

  #spellName(key: string): string {
    if (key === '') return this.prefix + EMPTY_BODY
    const { body, complete } = spell(key, this.#bodyLimit)
    if (complete) return this.prefix + body
    const start = spell(key, this.#hashedLimit).body
    return `${this.prefix}${start}${BREAK}${HASH_MARK}${sha256Hex(spell(key, Number.POSITIVE_INFINITY).body)}`
  }

  /** Whether `key`'s name carries the key whole (so {@link BlobNames.keyOf} recovers it). */
  isNameOnly(name: string): boolean {
    return !name.includes(HASH_MARK)
  }

  /**
   * The prefix every name of a key starting with `literal` starts with: the names to list for
   * a glob whose literal prefix is `literal`.
   */
  listPrefix(literal: string): string {
    const whole = spell(literal, this.#bodyLimit)
    return (
      this.prefix +
      (whole.body.length <= this.#hashedLimit ? whole.body : spell(literal, this.#hashedLimit).body)
    )
  }

  /**
   * The key a listed name stands for: the key itself for a name that spells it whole, `null`
   * for the name of a long key (read its key from the entry), `undefined` for a name this
   * store never makes (an object of someone else under the prefix: never touched).
   */
  keyOf(name: string): string | null | undefined {
    if (!name.startsWith(this.prefix)) return undefined
    const body = name.slice(this.prefix.length)
    if (body === EMPTY_BODY) return ''
    const hashAt = body.lastIndexOf(BREAK + HASH_MARK)
    if (hashAt >= 0) {
      const hash = body.slice(hashAt + BREAK.length + HASH_MARK.length)
      return /^[0-9a-f]{64}$/.test(hash) && unspell(body.slice(0, hashAt)) !== undefined ? null : undefined
    }
    return unspell(body)
  }
}

const ESCAPE = /~([0-9a-f]{2})/y

/** The key a body spells, or `undefined` when `body` is not one this module wrote. */
function unspell(body: string): string | undefined {
  const bytes: number[] = []
  let segment = 0
  for (let i = 0; i < body.length; ) {
    const char = body[i] as string
    if (char === '~' && body[i + 1] === '/') {
      if (segment === 0 || i + 2 >= body.length) return undefined
      segment = 0
      i += 2
      continue
    }
    if (char === '~') {
      ESCAPE.lastIndex = i
      const hex = ESCAPE.exec(body)?.[1]
      if (hex === undefined) return undefined
      bytes.push(Number.parseInt(hex, 16))
      segment += 3
      i += 3
    } else if (isPlain(char.charCodeAt(0))) {
      bytes.push(char.charCodeAt(0))
      segment += 1
      i += 1
    } else {
      return undefined
    }
    if (segment > MAX_SEGMENT_BYTES) return undefined
  }
  if (bytes.length === 0) return undefined
  try {
    const key = strictDecoder.decode(Uint8Array.from(bytes))
    return spell(key, Number.POSITIVE_INFINITY).body === body ? key : undefined
  } catch {
    return undefined
  }
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Checks a `BlobStore` prefix: `''`, or `/`-separated segments of `[A-Za-z0-9._-]` ending in `/`,
 * none of them `.` or `..`, at most 200 bytes each and 512 in all. Returns the problem, or
 * `undefined` when the prefix is valid.
 *
 * @example
 * ```ts
 * checkBlobPrefix('cache/app/') // undefined
 * checkBlobPrefix('../x/')      // 'has a "." or ".." segment'
 * ```
 */
export function checkBlobPrefix(prefix: string): string | undefined {
  if (prefix === '') return undefined
  if (!prefix.endsWith('/')) return 'must end with "/"'
  if (prefix.length > 512) return 'is longer than 512 bytes'
  for (const segment of prefix.slice(0, -1).split('/')) {
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(segment)) {
      return 'must be segments of A-Z, a-z, 0-9, ".", "_" and "-" (1 to 200 each) separated by "/"'
    }
    if (segment === '.' || segment === '..') return 'has a "." or ".." segment'
  }
  return undefined
}

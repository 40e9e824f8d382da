import { describe, expect, it } from 'vitest'
import { escapeGlob, globToRegExp, hasWildcard, unescapeGlob } from './glob'

describe('globToRegExp', () => {
  it.each([
    ['user:*', 'user:', true],
    ['user:*', 'user:1:profile/x', true],
    ['user:*', 'users:1', false],
    ['*', '', true],
    ['*', 'multi\nline', true],
    ['a*b*c', 'a-b-c', true],
    ['a*b*c', 'a-c-b', false],
    ['a**b', 'ab', true],
    ['user:?', 'user:1', true],
    ['user:?', 'user:', false],
    ['user:?', 'user:10', false],
    ['?', '🔑', true],
    ['??', '🔑', false],
    ['key', 'key', true],
    ['key', 'key2', false],
    ['key', 'xkey', false],
  ])('%s against %j is %s', (pattern, key, expected) => {
    expect(globToRegExp(pattern).test(key)).toBe(expected)
  })

  it('treats regular-expression characters and brackets as literals', () => {
    for (const special of ['.', '+', '^', '$', '(', ')', '|', '{', '}', '[', ']', '/', '-']) {
      const regexp = globToRegExp(`a${special}b`)
      expect(regexp.test(`a${special}b`), special).toBe(true)
      expect(regexp.test('axb'), special).toBe(false)
    }
    expect(globToRegExp('a[12]b').test('a1b')).toBe(false)
    expect(globToRegExp('a[12]b').test('a[12]b')).toBe(true)
  })

  it('makes the character after a backslash literal, and keeps a trailing backslash', () => {
    expect(globToRegExp('a\\*b').test('a*b')).toBe(true)
    expect(globToRegExp('a\\*b').test('axb')).toBe(false)
    expect(globToRegExp('a\\?').test('a?')).toBe(true)
    expect(globToRegExp('a\\?').test('ax')).toBe(false)
    expect(globToRegExp('a\\\\b').test('a\\b')).toBe(true)
    expect(globToRegExp('a\\').test('a\\')).toBe(true)
    expect(globToRegExp('\\🔑*').test('🔑x')).toBe(true)
  })
})

describe('globToRegExp on long keys', () => {
  it('does not backtrack catastrophically (each star but the last is atomic)', () => {
    const key = 'a'.repeat(10 * 1024)
    expect(globToRegExp(`${'*a'.repeat(20)}*b`).test(key)).toBe(false)
    expect(globToRegExp(`${'*a'.repeat(20)}*`).test(key)).toBe(true)
    expect(globToRegExp('*?*?*?*?*?*?*?*?*b').test(key)).toBe(false)
    expect(globToRegExp('*aa*aa*aa*a').test(`${key}`)).toBe(true)
  })
})

describe('escapeGlob', () => {
  const samples = ['plain', 'a*b', 'a?b', '[x]', 'back\\slash', '*?[]\\', 'tenant/1:🔑/..', '', 'new\nline']

  it.each(samples)('%j matches only itself once escaped', (text) => {
    const regexp = globToRegExp(escapeGlob(text))
    expect(regexp.test(text)).toBe(true)
    expect(regexp.test(`${text}x`)).toBe(false)
    expect(regexp.test(`x${text}`)).toBe(false)
    expect(hasWildcard(escapeGlob(text))).toBe(false)
    expect(unescapeGlob(escapeGlob(text))).toBe(text)
  })

  it('escapes exactly * ? [ ] and \\', () => {
    expect(escapeGlob('a*b?c[d]e\\f:g/h')).toBe('a\\*b\\?c\\[d\\]e\\\\f:g/h')
  })

  it('embeds a literal prefix in a wider pattern', () => {
    const regexp = globToRegExp(`${escapeGlob('a*')}*`)
    expect(regexp.test('a*')).toBe(true)
    expect(regexp.test('a*xyz')).toBe(true)
    expect(regexp.test('abc')).toBe(false)
  })
})

describe('hasWildcard and unescapeGlob', () => {
  it.each([
    ['user:*', true],
    ['user:?', true],
    ['user:1', false],
    ['user\\*', false],
    ['user\\\\*', true],
    ['[abc]', false],
  ])('hasWildcard(%j) is %s', (pattern, expected) => {
    expect(hasWildcard(pattern)).toBe(expected)
  })

  it('removes escapes', () => {
    expect(unescapeGlob('a\\*b\\?c\\\\d')).toBe('a*b?c\\d')
  })
})

describe('globToRegExp against a reference matcher', () => {
  /** A direct backtracking matcher of the dialect, over code points. */
  function reference(pattern: string[], key: string[]): boolean {
    if (pattern.length === 0) return key.length === 0
    const [head, ...rest] = pattern
    if (head === '*') return reference(rest, key) || (key.length > 0 && reference(pattern, key.slice(1)))
    if (key.length === 0) return false
    if (head === '?') return reference(rest, key.slice(1))
    if (head === '\\' && rest.length > 0) return rest[0] === key[0] && reference(rest.slice(1), key.slice(1))
    return head === key[0] && reference(rest, key.slice(1))
  }

  it('agrees on 5,000 random patterns and keys', () => {
    const alphabet = ['a', 'b', ':', '/', '*', '?', '\\', '[', ']', '.', '🔑']
    let seed = 12_345
    const random = (below: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0
      return (seed >>> 8) % below
    }
    const randomText = (maxLength: number) =>
      Array.from({ length: random(maxLength + 1) }, () => alphabet[random(alphabet.length)] as string)
    let matches = 0
    for (let i = 0; i < 5000; i++) {
      const pattern = randomText(6)
      const key = randomText(6)
      const expected = reference(pattern, key)
      if (expected) matches++
      expect(
        globToRegExp(pattern.join('')).test(key.join('')),
        `${pattern.join('')} vs ${key.join('')}`,
      ).toBe(expected)
    }
    expect(matches).toBeGreaterThan(100)
  })
})

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

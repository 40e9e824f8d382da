import { describe, expect, it } from 'vitest'
import { toRedisMatch } from './redis-glob'

describe('toRedisMatch', () => {
  it('keeps * and escapes the prefix and the characters only Redis treats specially', () => {
    expect(toRedisMatch('app:', 'user:*')).toEqual({ match: 'app:user:*', filter: undefined })
    expect(toRedisMatch('a*b?[c]\\:', '*').match).toBe('a\\*b\\?\\[c\\]\\\\:*')
    expect(toRedisMatch('p:', 'k[1]').match).toBe('p:k\\[1\\]')
    expect(toRedisMatch('p:', 'a\\b').match).toBe('p:ab') // \b is a literal b in the glob dialect
  })

  it('turns \\x escapes of the glob into literal matches', () => {
    expect(toRedisMatch('p:', 'k\\*').match).toBe('p:k\\*')
    expect(toRedisMatch('p:', 'k\\?').match).toBe('p:k\\?')
    expect(toRedisMatch('p:', 'k\\\\').match).toBe('p:k\\\\')
    expect(toRedisMatch('p:', 'trailing\\').match).toBe('p:trailing\\\\')
  })

  it('sends ? as ?* with an exact filter, since Redis ? matches one byte', () => {
    const { match, filter } = toRedisMatch('p:', 'k?')
    expect(match).toBe('p:k?*')
    expect(filter?.test('k😀')).toBe(true)
    expect(filter?.test('ké')).toBe(true)
    expect(filter?.test('k😀😀')).toBe(false)
    expect(filter?.test('k')).toBe(false)
  })
})

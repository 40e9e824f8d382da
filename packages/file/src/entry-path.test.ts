import { isAbsolute, relative, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { classifyOwnFile, hashKey, locateEntry, readablePrefix, tempPathFor } from './entry-path'

const dir = '/var/cache/app'
const hostileKeys = [
  '../../etc/passwd',
  '..',
  '.',
  '/abs/path',
  'C:\\x',
  '\\\\server\\share',
  'nul\u0000byte',
  '🔑 ключ 日本',
  'x'.repeat(10 * 1024),
  '',
]

describe('entry paths', () => {
  it.each(hostileKeys.map((key) => [JSON.stringify(key).slice(0, 40), key]))(
    '%s stays two shard levels under dir with a safe name',
    (_label, key) => {
      const location = locateEntry(dir, key)
      const rel = relative(dir, location.path)
      expect(isAbsolute(rel)).toBe(false)
      const parts = rel.split(sep)
      expect(parts).toHaveLength(3)
      expect(parts[0]).toMatch(/^[0-9a-f]{2}$/)
      expect(parts[1]).toMatch(/^[0-9a-f]{2}$/)
      expect(parts[2]).toMatch(/^[A-Za-z0-9_-]{0,32}\.[0-9a-f]{64}\.entry$/)
      expect(Buffer.byteLength(parts[2] as string)).toBeLessThan(255)
      expect(relative(dir, location.lockPath).split(sep).slice(0, 2)).toEqual(parts.slice(0, 2))
      expect(relative(dir, tempPathFor(location)).split(sep).slice(0, 2)).toEqual(parts.slice(0, 2))
    },
  )

  it('keeps a readable, sanitised prefix of the key', () => {
    expect(readablePrefix('user:42/profile')).toBe('user_42_profile')
    expect(readablePrefix('../..')).toBe('_____')
    expect(readablePrefix('k'.repeat(100))).toHaveLength(32)
    expect(locateEntry(dir, 'user:42').path.endsWith(`user_42.${hashKey('user:42')}.entry`)).toBe(true)
  })

  it('gives keys that sanitise alike different files', () => {
    const paths = new Set(['a:b', 'a/b', 'a_b', 'a b', 'A:b'].map((key) => locateEntry(dir, key).path))
    expect(paths.size).toBe(5)
  })

  it('recognises only its own files, in the right shard', () => {
    const location = locateEntry(dir, 'k')
    const [shard1, shard2, name] = relative(dir, location.path).split(sep) as [string, string, string]
    const temp = tempPathFor(location).split(sep).at(-1) as string
    const lock = location.lockPath.split(sep).at(-1) as string
    expect(classifyOwnFile(shard1, shard2, name)).toEqual({ kind: 'entry', hash: location.hash })
    expect(classifyOwnFile(shard1, shard2, temp)).toEqual({ kind: 'temp', hash: location.hash })
    expect(classifyOwnFile(shard1, shard2, lock)).toEqual({ kind: 'lock', hash: location.hash })
    expect(classifyOwnFile(shard1 === '00' ? '01' : '00', shard2, name)).toBeUndefined()
    expect(classifyOwnFile(shard1, shard2, 'notes.txt')).toBeUndefined()
    expect(classifyOwnFile(shard1, shard2, `${name}.bak`)).toBeUndefined()
  })
})

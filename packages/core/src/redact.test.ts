import { describe, expect, it } from 'vitest'
import { CacheConfigError, CacheStoreError } from './errors'
import { redactError, redactUrls } from './redact'

// Passwords that defeat a naive `[^@/]*` pattern: a raw `@`, `/` or `:`, and percent-encoding.
const SECRETS = ['pa@ss', 'pa/ss', 'pa:ss', 'p%40ss%2Fw0rd', 'a@b/c:d@e', 's3cr3t']

describe('redactUrls', () => {
  it.each(SECRETS)('masks the password %s and keeps the user, host and path', (secret) => {
    const text = `cannot reach redis://app:${secret}@cache.internal:6379/0 (retrying)`
    const redacted = redactUrls(text)
    expect(redacted).toBe('cannot reach redis://app:***@cache.internal:6379/0 (retrying)')
    for (const part of secret.split(/[@/:%]/).filter((p) => p.length > 2))
      expect(redacted).not.toContain(part)
  })

  it('masks a lone user name (it may be a token), every URL in the text, and quoted URLs', () => {
    expect(redactUrls('https://ghp_TOKEN@github.com/x')).toBe('https://***@github.com/x')
    expect(redactUrls('"rediss://:hunter2@a" and s3://k:v@b/p')).toBe('"rediss://***@a" and s3://k:***@b/p')
    expect(redactUrls('redis://127.0.0.1:6379/0')).toBe('redis://127.0.0.1:6379/0')
    expect(redactUrls('no url here: a@b')).toBe('no url here: a@b')
  })

  it('stays linear on long messages (a 1 MiB key next to a URL)', () => {
    const key = 'k'.repeat(1 << 20)
    const started = performance.now()
    expect(redactUrls(`${key} redis://u:p@h ${key}://x`)).toContain('redis://u:***@h')
    expect(performance.now() - started).toBeLessThan(500)
  })
})

describe('redactError', () => {
  it("redacts Node's invalid-URL TypeError, whose `input` holds the raw URL", () => {
    let parseError: unknown
    try {
      new URL('redis://app:pa/ss@cache:6379')
    } catch (error) {
      parseError = error
    }
    expect((parseError as { input: string }).input).toContain('pa/ss')
    redactError(parseError)
    expect((parseError as { input: string }).input).toBe('redis://app:***@cache:6379')
  })

  it('follows cause and AggregateError chains, and ignores non-objects', () => {
    const inner = Object.assign(new Error('dial redis://u:p%40ss@h failed'), { url: 'redis://u:p%40ss@h' })
    const outer = new AggregateError([new Error('redis://x:y@z')], 'all failed', { cause: inner })
    redactError(outer)
    expect(inner.message).toBe('dial redis://u:***@h failed')
    expect(inner.url).toBe('redis://u:***@h')
    expect((outer.errors[0] as Error).message).toBe('redis://x:***@z')
    expect(redactError('redis://u:p@h')).toBe('redis://u:p@h')
    expect(redactError(undefined)).toBeUndefined()
  })
})

describe('every CacheError', () => {
  it.each(SECRETS)('keeps the password %s out of its message, stack and causes', (secret) => {
    const url = `redis://app:${secret}@cache:6379`
    const cause = Object.assign(new TypeError('Invalid URL'), { input: url })
    const error = new CacheConfigError(`Invalid url ${url}`, { cause })
    const store = new CacheStoreError(`cannot reach ${url}`, { store: 'redis', operation: 'get' })
    for (const text of [
      error.message,
      error.stack,
      (error.cause as { input: string }).input,
      store.message,
    ]) {
      expect(text).toContain('app:***@cache')
      expect(text).not.toContain(secret)
    }
  })
})

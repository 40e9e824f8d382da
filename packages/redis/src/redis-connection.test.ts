import { CacheConfigError } from '@stratacache/core'
import { describe, expect, it } from 'vitest'
import { RedisBus } from './redis-bus'
import { RedisStore } from './redis-store'

// Passwords that defeat a naive pattern: a raw `@`, `/` or `:`, and percent-encoding.
const SECRETS = ['pa@ss', 'pa/ss', 'pa:ss@x', 'p%40ss%3A']

function thrown(run: () => unknown): CacheConfigError {
  try {
    run()
  } catch (error) {
    if (CacheConfigError.isInstance(error)) return error
    throw error
  }
  throw new Error('expected a CacheConfigError')
}

describe('an invalid Redis URL never shows its password', () => {
  it.each(SECRETS)('RedisStore and RedisBus, password %s, in the message and the cause', (secret) => {
    for (const url of [`redis://app:${secret}@cache:port/0`, `http://app:${secret}@cache:6379`]) {
      for (const error of [thrown(() => new RedisStore({ url })), thrown(() => new RedisBus({ url }))]) {
        expect(error.message).toMatch(/app:\*\*\*@cache|must start with redis/)
        expect(error.message).not.toContain(secret)
        const cause = error.cause as { message?: string; input?: string } | undefined
        expect(`${cause?.message} ${cause?.input}`).not.toContain(secret)
      }
    }
  })
})

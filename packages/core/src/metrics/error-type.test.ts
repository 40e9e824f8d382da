import { describe, expect, it } from 'vitest'
import { CacheTimeoutError } from '../errors'
import { errorTypeOf } from './error-type'

class UnnamedError extends Error {}

describe('errorTypeOf', () => {
  it('uses the error name, or the class name when the name is the generic one', () => {
    const timeout = new CacheTimeoutError('slow', { store: 'redis', operation: 'get', timeoutMs: 50 })
    expect(errorTypeOf(timeout)).toBe('CacheTimeoutError')
    expect(errorTypeOf(new TypeError('x'))).toBe('TypeError')
    expect(errorTypeOf(new DOMException('aborted', 'AbortError'))).toBe('AbortError')
    expect(errorTypeOf(new UnnamedError('x'))).toBe('UnnamedError')
    expect(errorTypeOf(new Error('x'))).toBe('Error')
  })

  it('names values that are not errors by their type, and never throws', () => {
    expect(errorTypeOf('boom')).toBe('string')
    expect(errorTypeOf(undefined)).toBe('undefined')
    expect(errorTypeOf(null)).toBe('object')
    expect(errorTypeOf({})).toBe('Object')
    expect(errorTypeOf(Object.create(null))).toBe('Object')
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no')
        },
      },
    )
    expect(errorTypeOf(hostile)).toBe('Object')
  })
})

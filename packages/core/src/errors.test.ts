import { describe, expect, it } from 'vitest'
import {
  CacheConfigError,
  CacheError,
  CacheKeyError,
  CacheLockError,
  CachePoolFullError,
  CacheSerializationError,
  CacheStoreError,
  CacheTimeoutError,
} from './errors'

describe('errors', () => {
  it('carry code, cause and name', () => {
    const cause = new Error('boom')
    const error = new CacheStoreError('get failed', { store: 'redis', operation: 'get', key: 'k', cause })
    expect(error.code).toBe('E_CACHE_STORE')
    expect(error.cause).toBe(cause)
    expect(error.name).toBe('CacheStoreError')
    expect(error.store).toBe('redis')
    expect(error.operation).toBe('get')
    expect(error.key).toBe('k')
    expect(error).toBeInstanceOf(CacheError)
    expect(error).toBeInstanceOf(Error)
  })

  it('isInstance follows the class hierarchy', () => {
    const timeout = new CacheTimeoutError('slow', { store: 'redis', operation: 'get', timeoutMs: 50 })
    expect(CacheTimeoutError.isInstance(timeout)).toBe(true)
    expect(CacheStoreError.isInstance(timeout)).toBe(true)
    expect(CacheError.isInstance(timeout)).toBe(true)
    expect(CacheConfigError.isInstance(timeout)).toBe(false)
    expect(CacheTimeoutError.isInstance(new CacheStoreError('x', { store: 's', operation: 'get' }))).toBe(
      false,
    )
    expect(CacheError.isInstance(new Error('plain'))).toBe(false)
    expect(CacheError.isInstance(null)).toBe(false)
    expect(CacheError.isInstance('CacheError')).toBe(false)
  })

  it('isInstance recognises errors from another copy of the package', () => {
    // A second install has its own classes but marks instances with the same global symbols.
    const foreign = Object.create(Error.prototype) as Record<symbol, unknown>
    Object.defineProperty(foreign, Symbol.for('stratacache.error.CacheError'), { value: true })
    Object.defineProperty(foreign, Symbol.for('stratacache.error.CacheLockError'), { value: true })
    expect(CacheLockError.isInstance(foreign)).toBe(true)
    expect(CacheError.isInstance(foreign)).toBe(true)
    expect(CachePoolFullError.isInstance(foreign)).toBe(false)
  })

  it('every subclass has its own code', () => {
    const errors = [
      new CacheConfigError('c', { option: 'ttl' }),
      new CacheKeyError('k', { template: '{x}', placeholder: '{x}' }),
      new CacheStoreError('s', { store: 'm', operation: 'get' }),
      new CacheTimeoutError('t', { store: 'm', operation: 'get', timeoutMs: 1 }),
      new CacheLockError('l', { key: 'k', waitedMs: 10 }),
      new CachePoolFullError('p', { key: 'k', maxSize: 2 }),
      new CacheSerializationError('z', { key: 'k' }),
    ]
    expect(new Set(errors.map((e) => e.code)).size).toBe(errors.length)
    expect(errors.map((e) => e.name)).toEqual([
      'CacheConfigError',
      'CacheKeyError',
      'CacheStoreError',
      'CacheTimeoutError',
      'CacheLockError',
      'CachePoolFullError',
      'CacheSerializationError',
    ])
  })
})

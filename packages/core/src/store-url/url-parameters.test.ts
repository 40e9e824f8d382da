import { describe, expect, it } from 'vitest'
import { CacheConfigError } from '../errors'
import { prefixFromUrlPath, readUrlParameters } from './url-parameters'

const KINDS = {
  region: 'string',
  compress: 'boolean',
  concurrency: 'integer',
  maxBytes: 'number',
  operationTimeout: 'duration',
} as const

const read = (query: string, shown?: string) =>
  readUrlParameters('TestStore', new URL(`test://bucket/p?${query}`), KINDS, shown)

function configError(run: () => unknown): CacheConfigError {
  try {
    run()
  } catch (error) {
    if (CacheConfigError.isInstance(error)) return error
    throw error
  }
  throw new Error('expected a CacheConfigError')
}

describe('readUrlParameters', () => {
  it('converts each parameter by its kind and leaves absent ones out', () => {
    expect(read('region=eu-west-1&compress=1&concurrency=8&maxBytes=1e6&operationTimeout=2.5')).toEqual({
      region: 'eu-west-1',
      compress: true,
      concurrency: 8,
      maxBytes: 1_000_000,
      operationTimeout: 2.5,
    })
    expect(read('compress=false&operationTimeout=250ms')).toEqual({
      compress: false,
      operationTimeout: '250ms',
    })
    expect(read('')).toEqual({})
  })

  it('names the parameter, the expected form and the URL for a value of the wrong kind', () => {
    const notBoolean = configError(() => read('compress=maybe'))
    expect(notBoolean.message).toBe(
      'TestStore URL test://bucket/p?compress=maybe: parameter "compress" must be true or false, got "maybe"',
    )
    expect(notBoolean.option).toBe('compress')
    expect(configError(() => read('concurrency=-1')).message).toMatch(
      /"concurrency" must be an integer, got "-1"/,
    )
    expect(configError(() => read('concurrency=2.5')).option).toBe('concurrency')
  })

  it('refuses an unknown parameter, listing the known ones, and shows the URL as given', () => {
    const unknown = configError(() => read('colour=blue&secret=x', 'test://bucket/p'))
    expect(unknown.message).toBe(
      'TestStore URL test://bucket/p: unknown parameter "colour" (known: region, compress, concurrency, maxBytes, operationTimeout)',
    )
    expect(unknown.option).toBe('colour')
    expect(configError(() => read('constructor=1')).message).toMatch(/unknown parameter "constructor"/)
  })
})

describe('prefixFromUrlPath', () => {
  it('is the decoded path without its leading slash, ending in a slash unless empty', () => {
    expect(prefixFromUrlPath(new URL('s3://b'))).toBe('')
    expect(prefixFromUrlPath(new URL('s3://b/'))).toBe('')
    expect(prefixFromUrlPath(new URL('s3://b/app'))).toBe('app/')
    expect(prefixFromUrlPath(new URL('s3://b/app/'))).toBe('app/')
    expect(prefixFromUrlPath(new URL('gs://b//a%20b/c'))).toBe('a b/c/')
  })
})

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

/** The `CacheConfigError` a call throws, as its message and `option`. */
const refusal = (message: string | RegExp, option: string) =>
  expect.objectContaining({ name: 'CacheConfigError', message: expect.stringMatching(message), option })

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
    expect(() => read('compress=maybe')).toThrow(CacheConfigError)
    expect(() => read('compress=maybe')).toThrow(
      refusal(
        /^TestStore URL test:\/\/bucket\/p\?compress=maybe: parameter "compress" must be true or false, got "maybe"$/,
        'compress',
      ),
    )
    expect(() => read('concurrency=-1')).toThrow(
      refusal(/"concurrency" must be an integer, got "-1"/, 'concurrency'),
    )
    expect(() => read('concurrency=2.5')).toThrow(refusal(/"concurrency" must be an integer/, 'concurrency'))
  })

  it('refuses an unknown parameter, listing the known ones, and shows the URL as given', () => {
    expect(() => read('colour=blue&secret=x', 'test://bucket/p')).toThrow(
      refusal(
        /^TestStore URL test:\/\/bucket\/p: unknown parameter "colour" \(known: region, compress, concurrency, maxBytes, operationTimeout\)$/,
        'colour',
      ),
    )
    expect(() => read('constructor=1')).toThrow(refusal(/unknown parameter "constructor"/, 'constructor'))
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

import { CacheConfigError } from '@stratacache/core'
import { describe, expect, it } from 'vitest'
import { fromUrl } from './from-url'

const open = (url: string, options = {}) => fromUrl(new URL(url), options)

describe('fromUrl', () => {
  it('reads the bucket from the host, the prefix from the path and settings from the query', async () => {
    const store = open(
      's3://my-cache/app/v1/?region=eu-west-1&endpoint=http://127.0.0.1:9000&forcePathStyle=true',
    )
    expect(store.bucket).toBe('my-cache')
    expect(store.prefix).toBe('app/v1/')
    await store.close()
  })

  it('adds the closing / of a prefix and reads durations', async () => {
    const store = open('s3://b/app?operationTimeout=250ms&pruneInterval=3600&concurrency=4&compress=false')
    expect(store.prefix).toBe('app/')
    await store.close()
    expect(() => open('s3://b/app?operationTimeout=soon')).toThrow(/operationTimeout/)
    expect(() => open('s3://b/app?concurrency=0')).toThrow(/invalid option "concurrency": got 0/)
  })

  it('lets explicit options win over the URL', async () => {
    const store = open('s3://from-url/p?region=eu-west-1', { bucket: 'explicit', prefix: 'q/' })
    expect(store.bucket).toBe('explicit')
    expect(store.prefix).toBe('q/')
    await store.close()
  })

  it('rejects another scheme, a missing bucket, unknown or invalid parameters', () => {
    expect(() => open('gs://b/p')).toThrow(CacheConfigError)
    expect(() => open('s3:///p')).toThrow(/the bucket is missing/)
    expect(() => open('s3://b/p?colour=blue')).toThrow(/unknown parameter "colour" \(known: region, endpoint/)
    expect(() => open('s3://b/p?forcePathStyle=maybe')).toThrow(/"forcePathStyle" must be true or false/)
  })

  it('refuses credentials in the URL without repeating them', () => {
    let message = ''
    try {
      open('s3://AKIAEXAMPLE:hunter2@bucket/p')
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/credentials do not belong in the URL/)
    expect(message).not.toContain('hunter2')
    expect(message).not.toContain('AKIAEXAMPLE')
  })
})

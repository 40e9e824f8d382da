import { Storage } from '@google-cloud/storage'
import { CacheConfigError } from '@stratacache/core'
import { describe, expect, it } from 'vitest'
import { fromUrl } from './from-url'
import { GcsStore } from './gcs-store'

describe('fromUrl (gs://bucket/prefix)', () => {
  it('takes the bucket from the host and the prefix from the path', () => {
    const store = fromUrl(new URL('gs://my-cache/users'))
    expect(store).toBeInstanceOf(GcsStore)
    expect([store.bucket, store.prefix]).toEqual(['my-cache', 'users/'])
    expect(fromUrl(new URL('gs://my-cache/a/b/')).prefix).toBe('a/b/')
    expect(fromUrl(new URL('gs://my-cache')).prefix).toBe('')
  })

  it('reads its parameters; explicit options win', () => {
    const store = fromUrl(
      new URL(
        'gs://my-cache/p?projectId=proj&apiEndpoint=http%3A%2F%2F127.0.0.1%3A1&operationTimeout=2s&concurrency=8&pageSize=50&compress=false',
      ),
    )
    expect(store.storage.apiEndpoint).toBe('http://127.0.0.1:1')
    expect(store.storage.projectId).toBe('proj')
    const given = new Storage({ projectId: 'x' })
    const withClient = fromUrl(new URL('gs://my-cache/p?concurrency=8'), { storage: given, prefix: 'other/' })
    expect(withClient.storage).toBe(given)
    expect(withClient.prefix).toBe('other/')
  })

  it('rejects another scheme, a missing bucket and unknown or invalid parameters, naming them', () => {
    expect(() => fromUrl(new URL('s3://b/p'))).toThrow(CacheConfigError)
    expect(() => fromUrl(new URL('gs:///p'))).toThrow(/names no bucket/)
    expect(() => fromUrl(new URL('gs://b/p?colour=red'))).toThrow(/unknown parameter "colour"/)
    expect(() => fromUrl(new URL('gs://b/p?concurrency=many'))).toThrow(/"concurrency" must be an integer/)
    expect(() => fromUrl(new URL('gs://b/p?compress=maybe'))).toThrow(/"compress" must be true or false/)
    expect(() => fromUrl(new URL('gs://b/p?operationTimeout=soon'))).toThrow(CacheConfigError)
    expect(() => fromUrl(new URL('gs://Bad_Bucket!/p'))).toThrow(CacheConfigError)
  })
})

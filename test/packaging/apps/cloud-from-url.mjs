// Installed from the tarballs into a fresh application (ESM): storeFromUrl('s3://…') and
// storeFromUrl('gs://…') find the installed adapters and hand back their classes, which work
// against the servers the URLs name (S3_URL, GCS_URL).
import assert from 'node:assert/strict'
import { CacheConfigError, createCache, storeFromUrl } from '@stratacache/core'
import { GcsStore } from '@stratacache/gcs'
import { S3Store } from '@stratacache/s3'

const { S3_URL: s3Url, GCS_URL: gcsUrl } = process.env

for (const [url, Store] of [
  [s3Url, S3Store],
  [gcsUrl, GcsStore],
]) {
  const store = await storeFromUrl(url)
  assert.ok(store instanceof Store, `expected a ${Store.name}, got ${store.constructor.name}`)
  const errors = []
  const remote = createCache({ store, prefix: `esm-${process.pid}`, onError: (error) => errors.push(error) })
  const user = { id: 42, name: 'Ada', seen: new Date(0) }
  await remote.set('user:42', user, { ttl: '1m' })
  assert.deepEqual(await remote.get('user:42'), user)
  assert.equal(await remote.delete('user:42'), true)
  assert.equal(await remote.get('user:42'), undefined)
  assert.deepEqual(errors, [])
  await store.close()
  // An adapter's own error is an instance of the application's core classes.
  await assert.rejects(storeFromUrl(`${url}&bogus=1`), (error) => error instanceof CacheConfigError)
}
console.log('cloud-from-url.mjs: ok')

// Installed from the tarballs into a fresh application (CommonJS): `require` loads the CommonJS
// builds, and storeFromUrl('s3://…') / storeFromUrl('gs://…') must hand back the same CommonJS
// classes, working against the servers the URLs name (S3_URL, GCS_URL).
const assert = require('node:assert/strict')
const { CacheConfigError, createCache, storeFromUrl } = require('@stratacache/core')
const { GcsStore } = require('@stratacache/gcs')
const { S3Store } = require('@stratacache/s3')
const { S3_URL: s3Url, GCS_URL: gcsUrl } = process.env

async function main() {
  for (const [url, Store] of [
    [s3Url, S3Store],
    [gcsUrl, GcsStore],
  ]) {
    const store = await storeFromUrl(url)
    assert.ok(store instanceof Store, `storeFromUrl returned the ESM ${Store.name} to a CommonJS app`)
    const errors = []
    const remote = createCache({
      store,
      prefix: `cjs-${process.pid}`,
      onError: (error) => errors.push(error),
    })
    const user = { id: 42, name: 'Ada', seen: new Date(0) }
    await remote.set('user:42', user, { ttl: '1m' })
    assert.deepEqual(await remote.get('user:42'), user)
    assert.equal(await remote.delete('user:42'), true)
    assert.equal(await remote.get('user:42'), undefined)
    assert.deepEqual(errors, [])
    await store.close()
    await assert.rejects(storeFromUrl(`${url}&bogus=1`), (error) => error instanceof CacheConfigError)
  }
  console.log('cloud-from-url.cjs: ok')
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})

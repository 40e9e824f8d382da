// Installed from the tarballs into a fresh CommonJS application: `require` loads the CommonJS
// builds, and storeFromUrl must hand back the same CommonJS classes.
const assert = require('node:assert/strict')
const { mkdtempSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')
const { CacheConfigError, cache, createCache, storeFromUrl } = require('@stratacache/core')
const { FileStore } = require('@stratacache/file')
const { RedisStore } = require('@stratacache/redis')
const { REDIS_URL: redisUrl } = process.env

async function main() {
  let calls = 0
  const getUser = cache({ ttl: '1m', key: 'user:{0}' })(async (id) => {
    calls++
    return { id }
  })
  await getUser(1)
  await getUser(1)
  assert.equal(calls, 1)

  const redis = await storeFromUrl(redisUrl)
  assert.ok(redis instanceof RedisStore, 'storeFromUrl returned the ESM RedisStore to a CommonJS app')
  const remote = createCache({ store: redis, prefix: `pack-cjs-${process.pid}` })
  const square = remote.cache({ ttl: 60, key: 'sq:{0}' })(async (n) => n * n)
  assert.equal(await square(9), 81)
  await redis.close()

  assert.ok((await storeFromUrl(`file://${mkdtempSync(join(tmpdir(), 'pack-file-'))}`)) instanceof FileStore)
  await assert.rejects(storeFromUrl('file:///tmp/x?bogus=1'), (error) => error instanceof CacheConfigError)

  console.log('quick-start.cjs: ok')
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})

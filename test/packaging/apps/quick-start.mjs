// Installed from the tarballs into a fresh ESM application: the README's quick start, and
// storeFromUrl finding the adapters this application installed.
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CacheConfigError, CacheError, cache, createCache, storeFromUrl } from '@stratacache/core'
import { FileStore } from '@stratacache/file'
import { RedisStore } from '@stratacache/redis'

const { REDIS_URL: redisUrl } = process.env

// README: wrap an expensive function once.
const db = { user: async (id) => ({ id, name: `user ${id}` }) }
let calls = 0
const getUser = cache({ ttl: '1m', stale: '5m', key: 'user:{0}' })(async (id) => {
  calls++
  return db.user(id)
})
assert.deepEqual(await getUser(42), { id: 42, name: 'user 42' })
await getUser(42)
assert.equal(calls, 1)
assert.equal(await getUser.invalidate(42), true)

// storeFromUrl: the adapter classes are the application's own.
const redis = await storeFromUrl(redisUrl)
assert.ok(redis instanceof RedisStore, `expected a RedisStore, got ${redis.constructor.name}`)
const remote = createCache({ store: redis, prefix: `pack-${process.pid}` })
const square = remote.cache({ ttl: 60, key: 'sq:{0}' })(async (n) => n * n)
assert.equal(await square(7), 49)
assert.equal(await square.peek(7), 49)
await redis.close()

const file = await storeFromUrl(`file://${await mkdtemp(join(tmpdir(), 'pack-file-'))}`)
assert.ok(file instanceof FileStore)
// An adapter's own error is an instance of the application's core classes.
await assert.rejects(storeFromUrl('file:///tmp/x?bogus=1'), (error) => error instanceof CacheConfigError)
await assert.rejects(
  storeFromUrl('redis://app:pa@ss@h:port'),
  (error) => error instanceof CacheError && !error.message.includes('pa@ss'),
)
console.log('quick-start: ok')

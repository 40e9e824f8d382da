// Bundled with esbuild (adapters imported statically), then run from a folder without
// node_modules: storeFromUrl cannot import the adapter by name, and says to register it;
// registered, it serves the bundled RedisStore itself.
import assert from 'node:assert/strict'
import { CacheConfigError, registerStoreAdapter, storeFromUrl } from '@stratacache/core'
import { fromUrl, RedisStore } from '@stratacache/redis'

const { REDIS_URL: redisUrl } = process.env

async function main() {
  await assert.rejects(
    storeFromUrl(redisUrl),
    (error) => error instanceof CacheConfigError && error.message.includes('registerStoreAdapter'),
  )
  registerStoreAdapter(['redis', 'rediss'], fromUrl)
  const store = await storeFromUrl(redisUrl)
  assert.ok(store instanceof RedisStore)
  await store.set('bundled', { value: 1, createdAt: Date.now(), freshUntil: Infinity, staleUntil: Infinity })
  assert.equal((await store.get('bundled'))?.value, 1)
  await store.delete('bundled')
  await store.close()
  console.log('bundled: ok')
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})

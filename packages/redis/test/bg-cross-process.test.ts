import { fileURLToPath } from 'node:url'
import { afterAll, describe, inject, it } from 'vitest'
import { expectReaderFollowsWriter } from '../../core/test/background/reader-follows-writer'
import { RedisStore } from '../src/redis-store'
import { standaloneClient } from './support/clients'

const storeModule = fileURLToPath(new URL('./fixtures/bg-store.ts', import.meta.url))
const client = standaloneClient()
afterAll(async () => {
  await client.quit()
})

describe('bg.write in one process, bg.read in another, over Redis', () => {
  it('the reader mirrors each new value of the writer within one reader interval', async () => {
    const prefix = `bg-cross-${process.pid}-${Date.now()}`
    await expectReaderFollowsWriter({
      readerStore: new RedisStore({ client, prefix }),
      storeModule,
      env: { BG_REDIS_URL: `redis://127.0.0.1:${inject('redisPort')}`, BG_PREFIX: prefix },
      key: 'rates',
    })
  })
})

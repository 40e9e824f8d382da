import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, it } from 'vitest'
import { createJsonFileStore } from './fixtures/json-file-store'
import { expectReaderFollowsWriter } from './reader-follows-writer'

const storeModule = fileURLToPath(new URL('./fixtures/json-file-store.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'stratacache-bg-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('bg.write in one process, bg.read in another', () => {
  it('the reader mirrors each new value within one reader interval (JSON file test store)', async () => {
    const path = join(dir, 'store.json')
    await expectReaderFollowsWriter({
      readerStore: createJsonFileStore(path),
      storeModule,
      env: { BG_JSON_STORE_PATH: path },
      key: 'rates',
    })
  })
})

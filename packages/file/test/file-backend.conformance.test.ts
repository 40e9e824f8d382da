import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeBlobBackendConformance } from '@stratacache/core/testing'
import { afterAll, beforeAll } from 'vitest'
import { FileBackend } from '../src/file-backend'
import { nodeFileSystem } from '../src/file-system'

let root = ''
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stratacache-file-backend-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describeBlobBackendConformance({
  name: 'FileBackend',
  createBackend: () => new FileBackend({ dir: root, fs: nodeFileSystem, dedupeWrites: false, fsync: false }),
})

/**
 * `pnpm demo`: the stratacache tour on embedded defaults (memory over a file tier in a temp dir).
 * Set REDIS_URL=redis://127.0.0.1:6379 to add a Redis tier.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runTour } from './tour'

const dir = await mkdtemp(join(tmpdir(), 'stratacache-demo-'))
try {
  await runTour({ dir, redisUrl: process.env.REDIS_URL })
} finally {
  await rm(dir, { recursive: true, force: true })
}

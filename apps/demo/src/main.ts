/**
 * `pnpm demo`: the stratacache tour on embedded defaults (memory over a file tier in a temp dir).
 * Set REDIS_URL=redis://127.0.0.1:6379 to add a Redis tier, and
 * S3_URL=s3://bucket/prefix?region=eu-west-1 (credentials from the AWS provider chain) to add an S3 tier.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runTour } from './tour'

const dir = await mkdtemp(join(tmpdir(), 'stratacache-demo-'))
try {
  await runTour({ dir, redisUrl: process.env.REDIS_URL, s3Url: process.env.S3_URL })
} finally {
  await rm(dir, { recursive: true, force: true })
}

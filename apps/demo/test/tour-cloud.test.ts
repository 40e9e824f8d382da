// The tour with its cold tiers: S3_URL and GCS_URL add an S3 and a GCS tier below memory and
// file, opened from their URLs as `pnpm demo` does, against fauxqs and the Cloud Storage emulator
// (the test harnesses of packages/s3 and packages/gcs, on 127.0.0.1 and free ports).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { type GcsEmulator, startGcsEmulator } from '../../../packages/gcs/test/support/gcs-emulator'
import {
  type S3TestServer,
  startS3TestServer,
  TEST_CREDENTIALS,
} from '../../../packages/s3/test/support/s3-server'
import { runTour } from '../src/tour'

let s3: S3TestServer
let gcs: GcsEmulator
let dir: string
beforeAll(async () => {
  ;[s3, gcs] = await Promise.all([startS3TestServer(), startGcsEmulator()])
  s3.createBucket('tour-s3')
  await gcs.createBucket('tour-gcs')
  dir = await mkdtemp(join(tmpdir(), 'stratacache-demo-cloud-'))
  // What S3_URL leaves to the AWS provider chain: the environment's credentials.
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId)
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey)
}, 60_000)
afterAll(async () => {
  vi.unstubAllEnvs()
  await Promise.all([s3?.stop(), gcs?.close(), dir && rm(dir, { recursive: true, force: true })])
})

it('adds the S3 and GCS tiers of S3_URL and GCS_URL at the bottom of the chain, and they hold the entries', async () => {
  const s3Url = `s3://tour-s3/demo/?region=us-east-1&forcePathStyle=true&endpoint=${encodeURIComponent(s3.endpoint)}`
  const gcsUrl = `gs://tour-gcs/demo?projectId=${gcs.projectId}&apiEndpoint=${encodeURIComponent(gcs.apiEndpoint)}`
  const lines: string[] = []
  const summary = await runTour({ dir, s3Url, gcsUrl, print: (line) => lines.push(line) })

  expect(summary.tiers).toEqual(['L1:memory', 'L2:file', 'L3:s3', 'L4:gcs'])
  expect(summary.stampedeLoaderCalls).toBe(1)
  expect(summary.survivedRestart).toBe(true)
  expect(summary.stats).toMatch(/^L3:s3\s+\d+\s+\d+\s+[1-9]/m) // the S3 tier took writes
  expect(summary.stats).toMatch(/^L4:gcs\s+\d+\s+\d+\s+[1-9]/m)
  expect(lines.join('\n')).not.toContain('(handled)')
  const written = await gcs.storage().bucket('tour-gcs').getFiles({ prefix: 'demo/' })
  expect(written[0].length).toBeGreaterThan(0)
}, 60_000)

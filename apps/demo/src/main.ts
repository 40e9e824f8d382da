/**
 * `pnpm demo`: the stratacache tour on embedded defaults (memory over a file tier in a temp dir);
 * set REDIS_URL=redis://127.0.0.1:6379 to add a Redis tier, S3_URL=s3://bucket/prefix/?region=…
 * (credentials from the AWS provider chain) to add an S3 tier, and GCS_URL=gs://bucket/prefix
 * (application default credentials) to add a GCS tier. It exits by itself.
 *
 * `pnpm demo --serve` (or `pnpm demo:serve`): the live service on 127.0.0.1 (PORT, default a free
 * port) over the tiers of CACHE_TIERS (default memory over file); TRACES=console prints its spans.
 * Stops on Ctrl-C (SIGINT) or SIGTERM, leaving no process, timer, port or file behind.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from './serve/server'
import { runTour } from './tour'

const dir = await mkdtemp(join(tmpdir(), 'stratacache-demo-'))

if (process.argv.includes('--serve')) {
  let server: Awaited<ReturnType<typeof startServer>>
  try {
    server = await startServer({
      dir,
      port: Number(process.env.PORT ?? 0),
      cacheTiers: process.env.CACHE_TIERS,
      printTraces: process.env.TRACES === 'console',
    })
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  console.log(`stratacache demo: ${server.url}  (Ctrl-C to stop)`)
  // A second Ctrl-C while stopping ends the process at once.
  const force = (): never => process.exit(130)
  const stop = async (): Promise<void> => {
    process.off('SIGINT', stop).off('SIGTERM', stop).on('SIGINT', force).on('SIGTERM', force)
    await server.close()
    await rm(dir, { recursive: true, force: true })
    console.log('stratacache demo: stopped')
    // Nothing is left to keep the process alive: it exits by itself.
    process.off('SIGINT', force).off('SIGTERM', force)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
} else {
  try {
    await runTour({
      dir,
      redisUrl: process.env.REDIS_URL,
      s3Url: process.env.S3_URL,
      gcsUrl: process.env.GCS_URL,
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

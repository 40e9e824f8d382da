import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MetricsStats } from '@stratacache/core'
import { afterEach, describe, expect, it } from 'vitest'
import { type DemoServer, startServer } from '../src/serve/server'
import type { SpanSummary } from '../src/serve/span-ring'

const APP_DIR = fileURLToPath(new URL('..', import.meta.url))

let server: DemoServer | undefined
const dirs: string[] = []
afterEach(async () => {
  await server?.close()
  server = undefined
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stratacache-serve-test-'))
  dirs.push(dir)
  return dir
}

const getJson = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>
const post = async <T>(url: string): Promise<T> => (await fetch(url, { method: 'POST' })).json() as Promise<T>

/** Polls `/stats` until `done` holds (a miss's write completes after the caller got its value). */
async function statsWhen(url: string, done: (stats: MetricsStats) => boolean): Promise<MetricsStats> {
  const started = Date.now()
  for (;;) {
    const stats = await getJson<MetricsStats>(`${url}/stats`)
    if (done(stats)) return stats
    if (Date.now() - started > 5000) throw new Error(`stats never matched: ${JSON.stringify(stats)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Whether something accepts connections on `port` of 127.0.0.1. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

describe('the demo service', () => {
  it('serves cached products, /stats, /metrics and /traces, and stops every part on close()', async () => {
    server = await startServer({ dir: await tempDir(), latencyMs: 5 })
    const { url } = server
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await getJson(`${url}/api/products/7`)).toMatchObject({ id: 7, version: 1 })
    await statsWhen(url, (stats) => stats.caches['L2:file']?.sets === 1)
    expect(await getJson(`${url}/api/products/7`)).toMatchObject({ id: 7, version: 1 })

    const stats = await getJson<MetricsStats>(`${url}/stats`)
    expect(stats.caches.getProduct).toMatchObject({ hits: 1, misses: 1, hitRatePercent: 50 })
    expect(stats.caches['L1:memory']?.hits).toBe(1)
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metrics).toContain('stratacache_hits_total{cache="getProduct"} 1')
    expect(metrics).toContain('stratacache_entry_size_bytes_count{cache="L1:memory"} 1')
    const lookups = (await getJson<SpanSummary[]>(`${url}/traces`)).filter(
      (s) => s.name === 'lookup getProduct',
    )
    expect(lookups.map((span) => span.attributes['cache.result'])).toEqual(['miss', 'hit'])
    expect(lookups[1]?.attributes['cache.tier']).toBe('L1:memory')
    expect(lookups[1]?.parentSpanId).toBeDefined()

    const state = await getJson<{ tiers: { name: string }[] }>(`${url}/state`)
    expect(state.tiers.map((tier) => tier.name)).toEqual(['L1:memory', 'L2:file'])
    expect(await (await fetch(`${url}/`)).text()).toContain('<title>stratacache live demo</title>')

    const port = Number(new URL(url).port)
    await server.close()
    expect(await listening(port)).toBe(false)
  })

  it('falls back to the next tier while one is down, and invalidates by tag', async () => {
    server = await startServer({ dir: await tempDir(), latencyMs: 5 })
    const { url } = server
    await getJson(`${url}/api/products/1`)
    await statsWhen(url, (stats) => stats.caches['L2:file']?.sets === 1)
    await post(`${url}/outage?tier=L1:memory&down=true`)
    expect(await getJson(`${url}/api/products/1`)).toMatchObject({ id: 1, version: 1 }) // from L2
    const during = await getJson<MetricsStats>(`${url}/stats`)
    expect(during.errors['L1:memory.get']).toEqual({ CacheStoreError: 1 })
    expect(during.caches['L2:file']?.hits).toBeGreaterThanOrEqual(1)
    expect(during.caches.getProduct).toMatchObject({ hits: 1, misses: 1 })
    await post(`${url}/outage?tier=L1:memory&down=false`)
    expect(await getJson(`${url}/api/products/1`)).toMatchObject({ version: 1 })

    await statsWhen(url, (stats) => stats.caches['L1:memory']?.sets === 2) // promoted again after the outage
    expect(await post(`${url}/invalidate?tag=products`)).toEqual({ invalidated: 'products' })
    expect(await getJson(`${url}/api/products/1`)).toMatchObject({ version: 2 })
    expect(await post(`${url}/outage?tier=nope&down=true`)).toEqual({ error: 'unknown tier' })
  })

  it('builds its tiers from CACHE_TIERS, and refuses a URL no adapter serves', async () => {
    const dir = await tempDir()
    server = await startServer({
      dir,
      cacheTiers: ` memory://, file://${dir}/a ,file://${dir}/b`,
      latencyMs: 1,
    })
    const state = await getJson<{ tiers: { name: string; url: string }[] }>(`${server.url}/state`)
    expect(state.tiers.map((tier) => tier.name)).toEqual(['L1:memory', 'L2:file', 'L3:file'])
    expect(await getJson(`${server.url}/api/products/3`)).toMatchObject({ id: 3 })
    await expect(startServer({ dir, cacheTiers: 'memory://,ftp://nowhere' })).rejects.toThrow(
      /Unsupported store URL/,
    )
  })

  it('drives load through the endpoint', async () => {
    server = await startServer({ dir: await tempDir(), latencyMs: 1 })
    const result = await post<{ requests: number; failed: number }>(`${server.url}/load?requests=100`)
    expect(result).toMatchObject({ requests: 100, failed: 0 })
    const stats = await getJson<MetricsStats>(`${server.url}/stats`)
    const fn = stats.caches.getProduct
    expect((fn?.hits ?? 0) + (fn?.misses ?? 0)).toBe(100)
  })

  it('as `pnpm demo --serve`: stops on Ctrl-C (SIGINT), leaving no process, port or file behind', async () => {
    const tmp = await tempDir()
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'src/main.ts', '--serve'],
      {
        cwd: APP_DIR,
        env: { ...process.env, PORT: '0', TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      const started = Date.now()
      while (!/http:\/\/127\.0\.0\.1:\d+/.test(output)) {
        if (Date.now() - started > 30_000 || child.exitCode !== null)
          throw new Error(`no URL printed:\n${output}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(output)?.[0] as string
      const demoDirs = async () => (await readdir(tmp)).filter((name) => name.startsWith('stratacache-demo-'))
      expect(await demoDirs()).toHaveLength(1) // the file tier's directory
      await post(`${url}/load?requests=50`)
      child.kill('SIGINT')
      const code = await Promise.race([
        exited,
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000)),
      ])
      expect(code, output).toBe(0) // it ended by itself: nothing kept it alive
      expect(output).toContain('stratacache demo: stopped')
      expect(await listening(Number(new URL(url).port))).toBe(false)
      expect(await demoDirs()).toEqual([])
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }, 45_000)
})

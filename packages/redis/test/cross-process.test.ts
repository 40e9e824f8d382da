import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { lock } from '@stratacache/core'
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest'
import { RedisStore } from '../src/redis-store'
import { standaloneClient } from './support/clients'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const workerScript = fileURLToPath(new URL('./fixtures/coordination-worker.ts', import.meta.url))
const PROCESSES = 4

interface Worker {
  process: ChildProcess
  /** Resolves on the worker's `ready` line. */
  ready: Promise<void>
  /** Resolves on the first JSON line it prints. */
  result: Promise<Record<string, unknown>>
  /** Resolves when it exits. */
  exited: Promise<number | null>
}

const client = standaloneClient()
let workers: Worker[] = []
let run = 0

afterEach(async () => {
  for (const worker of workers) if (worker.process.exitCode === null) worker.process.kill('SIGKILL')
  await Promise.all(workers.map((worker) => worker.exited))
  workers = []
})

afterAll(async () => {
  await client.quit()
})

function startWorker(mode: string, prefix: string, id: number): Worker {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=source',
      workerScript,
      mode,
      String(inject('redisPort')),
      prefix,
      String(id),
    ],
    { cwd: packageDir, stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk)
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const failed = exited.then((code) => {
    throw new Error(`worker ${id} (${mode}) exited with ${code}: ${stderr}`)
  })
  failed.catch(() => {})
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const ready = new Promise<void>((resolve) => lines.on('line', (line) => line === 'ready' && resolve()))
  const result = new Promise<Record<string, unknown>>((resolve) =>
    lines.on('line', (line) => line.startsWith('{') && resolve(JSON.parse(line) as Record<string, unknown>)),
  )
  const worker = {
    process: child,
    ready: Promise.race([ready, failed]),
    result: Promise.race([result, failed]),
    exited,
  }
  workers.push(worker)
  return worker
}

/** Starts `PROCESSES` workers in `mode`, releases them together, and collects their results. */
async function runAll(mode: string): Promise<{ prefix: string; results: Record<string, unknown>[] }> {
  const prefix = `xproc-${process.pid}-${++run}:`
  const started = Array.from({ length: PROCESSES }, (_, i) => startWorker(mode, prefix, i))
  await Promise.all(started.map((worker) => worker.ready))
  for (const worker of started) worker.process.stdin?.write('go\n')
  return { prefix, results: await Promise.all(started.map((worker) => worker.result)) }
}

describe('coordination across 4 processes on one RedisStore', () => {
  it('lock: read-modify-write increments under the lock never interleave', async () => {
    const { prefix } = await runAll('counter')
    expect(await client.get(`${prefix}observed:counter`)).toBe(String(PROCESSES * 25))
  }, 60_000)

  it('pool: never more holders than maxSize at once', async () => {
    const { prefix } = await runAll('pool')
    expect(Number(await client.get(`${prefix}observed:max`))).toBeGreaterThan(1)
    expect(Number(await client.get(`${prefix}observed:max`))).toBeLessThanOrEqual(3)
    expect(await client.get(`${prefix}observed:active`)).toBe('0')
  }, 60_000)

  it('a killed holder frees the lock after its ttl', async () => {
    const prefix = `xproc-${process.pid}-${++run}:`
    const holder = startWorker('holder', prefix, 0)
    await holder.ready
    holder.process.stdin?.write('go\n')
    expect(await holder.result).toMatchObject({ held: true })
    holder.process.kill('SIGKILL')
    await holder.exited

    const store = new RedisStore({ client, prefix })
    const crashLock = lock('crash', { store, ttl: 5 })
    await expect(crashLock.acquire()).rejects.toThrow()
    const waited = Date.now()
    const held = await lock('crash', {
      store,
      ttl: 5,
      wait: true,
      timeout: 3,
      pollInterval: '20ms',
    }).acquire()
    expect(Date.now() - waited).toBeLessThan(1_000)
    await held.release()
    await store.clear()
  }, 60_000)

  it("cache() with singleFlight: 'cluster': 4 processes × 50 callers on one cold key run the function once", async () => {
    const { prefix, results } = await runAll('singleflight')
    for (const result of results) expect(result).toMatchObject({ values: ['value'], count: 50, errors: [] })
    expect(await client.get(`${prefix}observed:calls`)).toBe('1')
  }, 60_000)
})

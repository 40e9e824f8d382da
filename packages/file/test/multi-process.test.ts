import { type ChildProcess, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileStore } from '../src/file-store'
import { listTree, payloadOf, scratchDir, type WorkerPayload } from './helpers'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const workerScript = fileURLToPath(new URL('./fixtures/store-worker.ts', import.meta.url))

interface Worker {
  process: ChildProcess
  ready: Promise<void>
  /** Every JSON line the worker printed, once it exited with code 0. */
  results: Promise<Record<string, unknown>[]>
}

let root: string
let cleanup: () => Promise<void>
let workers: Worker[]

beforeEach(async () => {
  ;({ root, cleanup } = await scratchDir('processes'))
  workers = []
})

afterEach(async () => {
  for (const worker of workers) if (worker.process.exitCode === null) worker.process.kill('SIGKILL')
  await Promise.allSettled(workers.map((worker) => worker.results))
  await cleanup()
})

function startWorker(mode: string, dir: string, key: string, id: string, stopFile?: string): Worker {
  const args = [
    '--import',
    'tsx',
    '--conditions=source',
    workerScript,
    mode,
    dir,
    key,
    id,
    join(root, 'start'),
  ]
  if (stopFile !== undefined) args.push(stopFile)
  const child = spawn(process.execPath, args, { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk)
  })
  let markReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => {
    markReady = resolve
  })
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line === 'ready') markReady()
    else lines.push(line)
  })
  const results = new Promise<Record<string, unknown>[]>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(lines.map((line) => JSON.parse(line) as Record<string, unknown>))
      else reject(new Error(`worker ${id} (${mode}) exited with ${code}: ${stderr}`))
    })
  })
  const worker = { process: child, ready: Promise.race([ready, results.then(() => undefined)]), results }
  workers.push(worker)
  return worker
}

/** Starts every worker at once: waits until all are ready, then releases them together. */
async function go(started: Worker[]): Promise<Record<string, unknown>[][]> {
  await Promise.all(started.map((worker) => worker.ready))
  await writeFile(join(root, 'start'), '')
  return Promise.all(started.map((worker) => worker.results))
}

describe('FileStore across processes', () => {
  it('setIfAbsent: exactly one of several processes wins', { timeout: 60_000 }, async () => {
    const dir = join(root, 'cache')
    const results = await go(
      Array.from({ length: 6 }, (_, i) => startWorker('setIfAbsent', dir, 'lease', `w${i}`)),
    )
    const winners = results.filter((lines) => lines[0]?.won === true)
    expect(winners).toHaveLength(1)
    const store = new FileStore({ dir })
    const winner = results.indexOf(winners[0] as Record<string, unknown>[])
    expect((await store.get('lease'))?.value).toEqual({ writer: `w${winner}` })
  })

  it('setIfAbsent: exactly one process reclaims a dead entry', { timeout: 60_000 }, async () => {
    const dir = join(root, 'cache')
    const store = new FileStore({ dir })
    const past = Date.now() - 10_000
    await store.set('lease', {
      value: 'old',
      createdAt: past,
      freshUntil: past + 1,
      staleUntil: Date.now() + 1,
    })
    await new Promise((resolve) => setTimeout(resolve, 5))
    const results = await go(
      Array.from({ length: 6 }, (_, i) => startWorker('setIfAbsent', dir, 'lease', `w${i}`)),
    )
    expect(results.filter((lines) => lines[0]?.won === true)).toHaveLength(1)
    expect((await listTree(dir)).filter((path) => /\.(tmp|lock)$/.test(path))).toEqual([])
  })

  it('concurrent writers leave one whole entry; readers never see a torn one', {
    timeout: 60_000,
  }, async () => {
    const dir = join(root, 'cache')
    const stopFile = join(root, 'stop')
    const writers = Array.from({ length: 3 }, (_, i) => startWorker('set', dir, 'shared', `w${i}`))
    const readers = Array.from({ length: 2 }, (_, i) => startWorker('read', dir, 'shared', `r${i}`, stopFile))
    await Promise.all([...writers, ...readers].map((worker) => worker.ready))
    await writeFile(join(root, 'start'), '')
    const written = await Promise.all(writers.map((worker) => worker.results))
    await writeFile(stopFile, '')
    const read = await Promise.all(readers.map((worker) => worker.results))

    for (const lines of [...written, ...read]) expect(lines.at(-1)).toEqual({ corrupt: 0 })
    for (const lines of read) {
      expect(lines[0]?.torn).toBe(0)
      expect(lines[0]?.reads).toBeGreaterThan(0)
    }
    const final = (await new FileStore({ dir }).get('shared'))?.value as WorkerPayload
    expect(final.round).toBe(24)
    expect(final).toEqual(payloadOf(final.writer, 24))
    expect((await listTree(dir)).filter((path) => path.endsWith('.tmp'))).toEqual([])
  })
})

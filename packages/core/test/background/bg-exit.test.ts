import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packageRoot = fileURLToPath(new URL('../..', import.meta.url))
const fixture = fileURLToPath(new URL('./fixtures/bg-exit-process.ts', import.meta.url))
/** Far above a normal run (about 1.5 s, mostly tsx start-up), far below "kept alive by a 1 h timer". */
const EXIT_BOUND_MS = 10_000

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  elapsedMs: number
  stdout: string
  stderr: string
}

/** Runs the fixture in a child Node process; kills it (and reports the kill) if it outlives the bound. */
function runFixture(mode: 'idle' | 'shutdown'): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now()
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture, mode], {
      cwd: packageRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), EXIT_BOUND_MS * 1.5)
    child.on('error', (error) => {
      clearTimeout(killer)
      reject(error)
    })
    child.on('exit', (code, signal) => {
      clearTimeout(killer)
      resolve({ code, signal, elapsedMs: performance.now() - startedAt, stdout, stderr })
    })
  })
}

describe('bg timers never keep a process alive', () => {
  it('a process with running loaders, a writer and a reader exits by itself', async () => {
    const exit = await runFixture('idle')
    expect(exit.stderr).toBe('')
    expect(exit.signal).toBeNull()
    expect(exit.code).toBe(0)
    expect(exit.elapsedMs).toBeLessThan(EXIT_BOUND_MS)
    expect(JSON.parse(exit.stdout)).toMatchObject({ flags: { dark: true }, mirror: { eur: 1.1 } })
  })

  it('bg.shutdown() leaves no timer behind, even with a hung refresh, and the process exits', async () => {
    const exit = await runFixture('shutdown')
    expect(exit.stderr).toBe('')
    expect(exit.code).toBe(0)
    expect(exit.elapsedMs).toBeLessThan(EXIT_BOUND_MS)
    const report = JSON.parse(exit.stdout) as { timersBefore: number; timersAfter: number }
    expect(report.timersBefore).toBeGreaterThan(0)
    expect(report.timersAfter).toBe(0)
  })
})

/**
 * Child processes for the fault tests: each runs `fixtures/acquire-worker.ts` against a server,
 * answers one JSON line per `go`, and exits when told to.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const packageDir = fileURLToPath(new URL('../..', import.meta.url))
const script = fileURLToPath(new URL('../fixtures/acquire-worker.ts', import.meta.url))

/** One running worker process. */
export interface AcquireWorker {
  /** Starts one round of attempts and resolves what each attempt ended in. */
  attempt(): Promise<string[]>
  /** Closes its stdin and waits for it to exit (killing it after 5 s). */
  stop(): Promise<void>
}

/**
 * Starts a worker in `mode` against 127.0.0.1:`port`, its store built from a URL or over a client
 * with ioredis' default options, and resolves once it is ready.
 */
export async function startAcquireWorker(
  mode: 'lock' | 'pool',
  port: number,
  prefix: string,
  connect: 'url' | 'client' = 'url',
): Promise<AcquireWorker> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', script, mode, String(port), prefix, connect],
    { cwd: packageDir, stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const lines: string[] = []
  const waiting: ((line: string) => void)[] = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const next = waiting.shift()
    if (next) next(line)
    else lines.push(line)
  })
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const line = lines.shift()
      if (line !== undefined) return resolve(line)
      waiting.push(resolve)
      void exited.then(() => reject(new Error(`worker (${mode}) exited: ${stderr}`)))
    })
  const ready = await nextLine()
  if (ready !== 'ready') throw new Error(`worker (${mode}) said ${ready}: ${stderr}`)
  return {
    async attempt() {
      child.stdin!.write('go\n')
      return (JSON.parse(await nextLine()) as { outcomes: string[] }).outcomes
    },
    async stop() {
      child.stdin!.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const packageRoot = fileURLToPath(new URL('../..', import.meta.url))
const script = fileURLToPath(new URL('./fixtures/bg-writer-process.ts', import.meta.url))

/** Options of {@link spawnBgWriter}. */
export interface SpawnBgWriterOptions {
  /** Absolute path of a module exporting `createStore(): CacheStore | Promise<CacheStore>`. */
  storeModule: string
  /** The key the writer refreshes. */
  key: string
  /** The writer's interval, e.g. `'100ms'`. */
  interval: string
  /** Extra environment for the child (e.g. the URL of the Redis server its store connects to). */
  env?: Record<string, string>
}

/** A `bg.write` writer running in a child process. */
export interface BgWriterProcess {
  /** The child's pid: the `pid` field of every value it writes. */
  readonly pid: number
  /** Resolves with the `seq` of the next value the writer stores (rejects after `timeoutMs`). */
  nextWrite(timeoutMs?: number): Promise<number>
  /** Asks the writer to shut down (SIGTERM) and resolves with its exit code; kills it after 5 s. */
  stop(): Promise<number | null>
}

/**
 * Starts `fixtures/bg-writer-process.ts` in a child Node process (through tsx, importing core's
 * `src`). The conformance hook for writer/reader tests across processes: the child writes
 * `{ seq, pid }` under `key` every `interval` into the store its module creates; the test reads
 * it back with `bg.read` in its own process.
 *
 * @example
 * ```ts
 * const writer = await spawnBgWriter({ storeModule, key: 'rates', interval: '100ms', env: { REDIS_URL } })
 * const seq = await writer.nextWrite()
 * expect(await writer.stop()).toBe(0)
 * ```
 */
export async function spawnBgWriter(options: SpawnBgWriterOptions): Promise<BgWriterProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', script, options.storeModule, options.key, options.interval],
    { cwd: packageRoot, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] },
  )
  const waiters: ((seq: number) => void)[] = []
  let stderr = ''
  let buffered = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      const match = /^wrote (\d+)$/.exec(line)
      if (match) for (const waiter of waiters.splice(0)) waiter(Number(match[1]))
    }
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })

  return {
    pid: child.pid ?? -1,
    nextWrite: (timeoutMs = 5000) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(onWrite), 1)
          reject(new Error(`the bg writer process wrote nothing in ${timeoutMs} ms; stderr: ${stderr}`))
        }, timeoutMs)
        const onWrite = (seq: number) => {
          clearTimeout(timer)
          resolve(seq)
        }
        waiters.push(onWrite)
        void exited.then((code) => {
          clearTimeout(timer)
          reject(new Error(`the bg writer process exited (${code}); stderr: ${stderr}`))
        })
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
      const code = await exited
      clearTimeout(killer)
      return code
    },
  }
}

/**
 * Real `redis-server` processes for the tests: bound to 127.0.0.1, on free ports, in a temp dir,
 * without persistence. Every process started here is stopped by `stop()` (and killed if the test
 * process exits first).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

const SERVER_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server'
const CLI_BIN = process.env.REDIS_CLI_BIN ?? '/usr/bin/redis-cli'
const INSTALL_HINT = 'install it with `apt-get install -y redis-server` (Debian/Ubuntu)'

/** Fails loudly (never skips) when the Redis binaries are missing. */
export function requireRedisBinaries(): void {
  for (const bin of [SERVER_BIN, CLI_BIN]) {
    if (!existsSync(bin)) throw new Error(`redis tests need ${bin}, which is missing: ${INSTALL_HINT}`)
  }
}

/** A port nobody listens on right now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port)
        else reject(new Error('could not allocate a free port'))
      })
    })
  })
}

/** Runs `redis-cli -p port ...args` and returns its output. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(CLI_BIN, ['-h', '127.0.0.1', '-p', String(port), ...args])
  return stdout
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** One running `redis-server`. */
export interface RedisServer {
  readonly port: number
  /** Kills the process at once (SIGKILL), as a crash would. */
  kill(): Promise<void>
  /** Starts the server again on the same port (after `kill`). */
  restart(): Promise<void>
  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  freeze(): void
  /** Resumes a frozen process (SIGCONT); it then answers what it received meanwhile. */
  thaw(): void
  /** Stops the process and removes its temp dir. */
  stop(): Promise<void>
}

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** Extra `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
  args?: string[]
}

/**
 * Starts a `redis-server` on a free port of 127.0.0.1 and resolves once it answers PING.
 *
 * @example
 * ```ts
 * const server = await startRedisServer()
 * try { ... } finally { await server.stop() }
 * ```
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServer> {
  requireRedisBinaries()
  const dir = await mkdtemp(join(tmpdir(), 'stratacache-redis-'))
  const port = await freePort()
  let child: ChildProcess | undefined

  const launch = async (): Promise<void> => {
    const args = [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--protected-mode',
      'yes',
      ...(options.args ?? []),
    ]
    const proc = spawn(SERVER_BIN, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    live.add(proc)
    proc.once('exit', () => live.delete(proc))
    child = proc
    try {
      await waitFor(`redis-server on port ${port} to answer PING`, async () => {
        if (proc.exitCode !== null) throw new Error(`redis-server exited: ${stderr}`)
        return (await redisCli(port, 'ping')).trim() === 'PONG'
      })
    } catch (error) {
      proc.kill('SIGKILL')
      throw new Error(`redis-server failed to start on port ${port}: ${stderr}`, { cause: error })
    }
  }

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child
    child = undefined
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    proc.kill(signal)
    await exited
  }

  await launch()
  let frozen = false
  return {
    port,
    kill: () => terminate('SIGKILL'),
    freeze: () => {
      frozen = child?.kill('SIGSTOP') === true
    },
    thaw: () => {
      if (frozen) child?.kill('SIGCONT')
      frozen = false
    },
    restart: async () => {
      await terminate('SIGKILL')
      await launch()
    },
    stop: async () => {
      // A frozen process would never act on SIGTERM.
      if (frozen) child?.kill('SIGCONT')
      frozen = false
      await terminate('SIGTERM')
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** A running Redis Cluster of masters only. */
export interface RedisCluster {
  /** The client ports of the masters. */
  readonly ports: number[]
  /** The masters' processes, in the order of `ports` (to kill or freeze one). */
  readonly nodes: RedisServer[]
  /** Stops every node and removes their temp dirs. */
  stop(): Promise<void>
}

/**
 * Starts `masters` cluster-enabled servers on 127.0.0.1, joins them with
 * `redis-cli --cluster create`, and resolves once every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const nodes: RedisServer[] = []
  try {
    for (let i = 0; i < masters; i++) {
      const busPort = await freePort()
      nodes.push(
        await startRedisServer({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${i}.conf`,
            '--cluster-port',
            String(busPort),
            '--cluster-announce-ip',
            '127.0.0.1',
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      )
    }
    const ports = nodes.map((node) => node.port)
    const first = ports[0]!
    await execFileAsync(CLI_BIN, [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ])
    await waitFor(
      'the redis cluster to report cluster_state:ok',
      async () => {
        for (const port of ports) {
          const info = await redisCli(port, 'cluster', 'info')
          if (!info.includes('cluster_state:ok')) return false
        }
        return (await redisCli(first, 'cluster', 'slots')).trim() !== ''
      },
      30_000,
    )
    return {
      ports,
      nodes,
      stop: async () => {
        await Promise.all(nodes.map((node) => node.stop()))
      },
    }
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()))
    throw error
  }
}

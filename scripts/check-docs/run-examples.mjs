// Runs the self-contained examples against real servers: each in its own Node process (through
// tsx), with REDIS_URL pointing at a redis-server started here on a free port of 127.0.0.1.
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function answersPing(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('error', () => resolve(false))
    socket.once('data', (data) => {
      socket.destroy()
      resolve(data.toString().startsWith('+PONG'))
    })
    socket.write('PING\r\n')
  })
}

/** Starts a throwaway redis-server; fails (never skips) when it is not installed. */
export async function startRedis() {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'doc-check-redis-'))
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  )
  const failed = new Promise((_, reject) =>
    child.once('error', (error) =>
      reject(
        new Error(
          `the runnable examples need redis-server (${error.message}): run \`bash scripts/setup.sh\` or \`apt-get install -y redis-server\``,
        ),
      ),
    ),
  )
  const deadline = Date.now() + 10_000
  for (;;) {
    if (await Promise.race([answersPing(port), failed])) break
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop() {
      child.kill('SIGTERM')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Runs one example module; resolves `undefined` when it completes, else what it printed. The
 * process exits once the module's top level has run (an open client does not keep it waiting).
 */
export async function runExample(dir, path, env) {
  const script = 'await import(process.argv[1]); process.exit(0)'
  try {
    await run('node', ['--import', 'tsx', '--input-type=module', '-e', script, path], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: '', NODE_PATH: '', ...env },
      timeout: 30_000,
    })
    return undefined
  } catch (error) {
    return `${error.stderr || error.stdout || error.message}`.trim().split('\n').slice(0, 12).join('\n')
  }
}

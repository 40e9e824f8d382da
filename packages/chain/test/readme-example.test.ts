// The README example exits by itself (issue 16): run as its own process against a real
// redis-server, it must end on its own once it closed the chain, without a kill.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type RedisServer, startRedisServer } from '../../redis/test/support/redis-server'

let server: RedisServer
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await server?.stop()
})

it('the README example prints its value and exits by itself', async () => {
  const script = fileURLToPath(new URL('./fixtures/readme-example.ts', import.meta.url))
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', '--conditions=source', script],
        {
          cwd: fileURLToPath(new URL('..', import.meta.url)),
          env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${server.port}` },
          timeout: 15_000, // killed (code null) if it hangs
        },
        (error, out, err) =>
          resolve({
            code: error ? ((error as { code?: number }).code ?? null) : 0,
            stdout: out,
            stderr: err,
          }),
      )
      child.stdin?.end()
    },
  )
  expect(stderr).toBe('')
  expect(stdout).toContain("{ id: 42, name: 'user 42' }")
  expect(code).toBe(0)
})

import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { pnpmCommand } from '../../scripts/pnpm.mjs'

const root = fileURLToPath(new URL('../../', import.meta.url))

it('every README block and TSDoc @example type-checks (strict, nodenext), and the runnable ones run', () => {
  execFileSync(...pnpmCommand(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']), {
    cwd: root,
    stdio: 'ignore',
  })
  const { NODE_PATH: _nodePath, ...env } = process.env
  const result = spawnSync('node', ['scripts/check-docs.mjs'], { cwd: root, env, encoding: 'utf8' })
  // On failure the message is the checker's report: one `file:line:column  code  message` per problem.
  expect(result.status, `${result.stdout}${result.stderr}`).toBe(0)
  expect(result.stdout).toMatch(/check-docs: \d+ examples type-checked, [1-9]\d* run; 0 problems/)
})

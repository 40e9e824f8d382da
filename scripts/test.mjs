#!/usr/bin/env node
// `pnpm test`: every test in the workspace, the way CI runs it.
//  0. checks the system packages the tests need (scripts/setup.sh: installs them as root with
//     apt-get, otherwise stops at once with the command to run),
//  1. builds every package and checks what would be published (publint + attw),
//  2. runs every vitest project (unit, integration against real servers, type tests),
//  3. prints one closing line `N passed, N failed` computed from vitest's JSON report.
// Extra arguments go to vitest, e.g. `pnpm test packages/redis`.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { pnpmCommand } from './pnpm.mjs'
import { summarize } from './test-summary.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const report = `${root}.vitest-report.json`
const run = (command, args) =>
  spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: false }).status ?? 1

const pnpm = (args) => run(...pnpmCommand(args))
const vitestArgs = process.argv.slice(2)
let failed = false

if (run('bash', ['scripts/setup.sh']) !== 0) process.exit(1)

if (vitestArgs.length === 0) {
  failed = pnpm(['exec', 'turbo', 'run', 'build', 'test:build', '--output-logs=errors-only']) !== 0 || failed
}

rmSync(report, { force: true })
failed =
  pnpm([
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...vitestArgs,
  ]) !== 0 || failed

const line = summarize(report)
console.log(line.text)
process.exit(failed || line.failed > 0 ? 1 : 0)

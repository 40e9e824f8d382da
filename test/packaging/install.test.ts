import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { pnpmCommand } from '../../scripts/pnpm.mjs'
import {
  esbuild,
  npmInstall,
  npmTree,
  run,
  runNode,
  tarballDependencies,
  userEnv,
  writeApp as writeUserApp,
} from './user-app'
import { ROOT } from './workspace-packages'

// Fresh applications outside the workspace, installed from the packed tarballs, in the layouts
// users have: npm (flat, ESM and CommonJS), a pnpm workspace with `hoist=false`, an esbuild
// bundle; and this repository's own demo. Each runs against a real redis-server.

const work = mkdtempSync(join(tmpdir(), 'stratacache-apps-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

// What the applications import: core and the adapters the README example and storeFromUrl use
// (other packages would bring their peers along, and the install would slow down for nothing).
const USED = ['@stratacache/core', '@stratacache/redis', '@stratacache/file']
const IOREDIS = '6.0.0'

function writeApp(dir: string, type: 'module' | 'commonjs', files: string[]): void {
  writeUserApp(dir, { type, files, dependencies: { ioredis: IOREDIS, ...tarballDependencies(USED) } })
}

const node = (dir: string, file: string, options: { args?: string[] } = {}) =>
  runNode(dir, file, { ...options, env: { REDIS_URL: inject('redisUrl') } })

const pnpmInstall = (dir: string) =>
  run(...pnpmCommand(['install', '--prefer-offline', '--config.confirmModulesPurge=false']), {
    cwd: dir,
    env: userEnv(),
    timeout: 60_000,
  })

describe('installed from the tarballs', () => {
  it('an ESM application (pnpm) runs the README quick start; storeFromUrl returns its adapter classes', async () => {
    const dir = join(work, 'esm')
    writeApp(dir, 'module', ['quick-start.mjs'])
    await pnpmInstall(dir)
    expect(await node(dir, 'quick-start.mjs')).toContain('quick-start: ok')
    // a user's `--conditions=source` finds no TypeScript sources in the published packages
    expect(await node(dir, 'quick-start.mjs', { args: ['--conditions=source'] })).toContain('quick-start: ok')
  })

  it('a CommonJS application (npm) gets the CommonJS classes from storeFromUrl, with no npm warning', async () => {
    const dir = join(work, 'cjs')
    writeApp(dir, 'commonjs', ['quick-start.cjs'])
    expect(await npmInstall(dir)).not.toMatch(/UNMET|ERESOLVE|peer dep/i)
    expect(await npmTree(dir)).not.toMatch(/UNMET|invalid|missing/i)
    expect(await node(dir, 'quick-start.cjs')).toContain('quick-start.cjs: ok')
  })

  it('a pnpm workspace with hoist=false: storeFromUrl finds the adapter the application depends on', async () => {
    const root = join(work, 'workspace')
    mkdirSync(root, { recursive: true })
    writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - app\nhoist: false\n')
    writeFileSync(join(root, '.npmrc'), 'hoist=false\n')
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'ws', private: true }))
    writeApp(join(root, 'app'), 'module', ['quick-start.mjs'])
    await pnpmInstall(root)
    expect(await node(join(root, 'app'), 'quick-start.mjs')).toContain('quick-start: ok')
  })

  it('an esbuild bundle run without node_modules: registerStoreAdapter serves the bundled adapter', async () => {
    const dir = join(work, 'bundle')
    writeApp(dir, 'module', ['bundled.mjs'])
    await pnpmInstall(dir)
    const out = join(work, 'bundle-out')
    await esbuild.build({
      entryPoints: [join(dir, 'bundled.mjs')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: join(out, 'bundle.cjs'),
      logLevel: 'error',
    })
    expect(await node(out, 'bundle.cjs')).toContain('bundled: ok')
  })
})

describe("this repository's demo", () => {
  it('adds a Redis tier from REDIS_URL (storeFromUrl finds @stratacache/redis in the workspace)', async () => {
    const { stdout } = await run(...pnpmCommand(['demo']), {
      cwd: ROOT,
      env: userEnv({ REDIS_URL: inject('redisUrl') }),
      timeout: 60_000,
    })
    expect(stdout).toMatch(/^L3:redis\s/m)
  })
})

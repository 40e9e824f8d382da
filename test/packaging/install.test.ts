import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { pnpmCommand } from '../../scripts/pnpm.mjs'
import { ROOT } from './workspace-packages'

// Fresh applications outside the workspace, installed from the packed tarballs, in the layouts
// users have: npm (flat, ESM and CommonJS), a pnpm workspace with `hoist=false`, an esbuild
// bundle; and this repository's own demo. Each runs against a real redis-server.

const run = promisify(execFile)
const APPS = join(ROOT, 'test/packaging/apps')
const work = mkdtempSync(join(tmpdir(), 'stratacache-apps-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

// What the applications import: core and the adapters the README example and storeFromUrl use
// (other packages would bring their peers along, and the install would slow down for nothing).
const USED = ['@stratacache/core', '@stratacache/redis', '@stratacache/file']
const IOREDIS = '6.0.0'

/** `package.json` dependencies on the packed packages the applications use, by `file:` path. */
function tarballDependencies(): Record<string, string> {
  const dependencies: Record<string, string> = { ioredis: IOREDIS }
  for (const name of USED) dependencies[name] = `file:${inject('tarballs')[name]}`
  return dependencies
}

function writeApp(dir: string, type: 'module' | 'commonjs', files: string[]): void {
  mkdirSync(dir, { recursive: true })
  const manifest = { name: `app-${type}`, private: true, type, dependencies: tarballDependencies() }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2))
  for (const file of files) cpSync(join(APPS, file), join(dir, file))
}

/**
 * The environment of a user's shell: without what the test runner adds (the `NODE_PATH` of
 * pnpm's bin shims reaches into this workspace and would let the applications find its packages).
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const {
    NODE_PATH: _nodePath,
    NODE_OPTIONS: _nodeOptions,
    VITEST: _vitest,
    NODE_ENV: _nodeEnv,
    ...env
  } = process.env
  return { ...env, ...extra }
}

async function node(dir: string, file: string, options: { args?: string[] } = {}): Promise<string> {
  const env = userEnv({ REDIS_URL: inject('redisUrl') })
  const { stdout } = await run('node', [...(options.args ?? []), file], { cwd: dir, env, timeout: 30_000 })
  return stdout
}

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
    const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: dir,
      env: userEnv(),
      timeout: 90_000,
    })
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/UNMET|ERESOLVE|peer dep/i)
    const tree = await run('npm', ['ls', '--all'], { cwd: dir, env: userEnv() })
    expect(tree.stdout).not.toMatch(/UNMET|invalid|missing/i)
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
    const esbuild = createRequire(createRequire(join(ROOT, 'package.json')).resolve('tsup'))('esbuild')
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

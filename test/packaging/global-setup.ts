/**
 * Builds every publishable package (turbo: cached when nothing changed), packs each with
 * `pnpm pack` (so the `beforePacking` hook of `.pnpmfile.cjs` applies, as on publish), and starts
 * one `redis-server` for the installed applications. Tests read both through `inject`.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startRedisServer } from '../../packages/redis/test/support/redis-server'
import { pnpmCommand } from '../../scripts/pnpm.mjs'
import { publishablePackages, ROOT } from './workspace-packages'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Package name → absolute path of its tarball. */
    tarballs: Record<string, string>
    /** `redis://127.0.0.1:<port>` of a server started for these tests. */
    redisUrl: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  execFileSync(...pnpmCommand(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']), {
    cwd: ROOT,
    stdio: 'inherit',
  })
  const out = mkdtempSync(join(tmpdir(), 'stratacache-tarballs-'))
  const tarballs: Record<string, string> = {}
  for (const pkg of publishablePackages()) {
    const before = new Set(readdirSync(out))
    execFileSync(...pnpmCommand(['pack', '--pack-destination', out]), { cwd: pkg.dir, stdio: 'ignore' })
    const made = readdirSync(out).find((file) => !before.has(file))
    if (made === undefined) throw new Error(`pnpm pack made no tarball for ${pkg.name}`)
    tarballs[pkg.name] = join(out, made)
  }
  const redis = await startRedisServer()
  project.provide('tarballs', tarballs)
  project.provide('redisUrl', `redis://127.0.0.1:${redis.port}`)
  return async () => {
    await redis.stop()
    rmSync(out, { recursive: true, force: true })
  }
}

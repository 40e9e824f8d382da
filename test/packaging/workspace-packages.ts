/**
 * The publishable packages of the workspace, read from `packages/<name>/package.json`: a new package
 * is covered by the packaging tests without being listed anywhere.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** One publishable package. */
export interface WorkspacePackage {
  /** `@stratacache/redis` */
  readonly name: string
  /** Absolute folder. */
  readonly dir: string
  /** The folder relative to the root, e.g. `packages/redis`. */
  readonly folder: string
  /** Its `package.json` as in the repository. */
  readonly manifest: Record<string, unknown>
}

/**
 * Every non-private package under `packages/`.
 *
 * @example
 * ```ts
 * for (const pkg of publishablePackages()) console.log(pkg.name)
 * ```
 */
export function publishablePackages(): WorkspacePackage[] {
  const base = join(ROOT, 'packages')
  return readdirSync(base)
    .filter((dir) => existsSync(join(base, dir, 'package.json')))
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(base, dir, 'package.json'), 'utf8')) as Record<
        string,
        unknown
      >
      return { name: String(manifest.name), dir: join(base, dir), folder: `packages/${dir}`, manifest }
    })
    .filter((pkg) => pkg.manifest.private !== true)
}

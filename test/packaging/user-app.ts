/**
 * What the packaging tests share to build a user's application outside the workspace: its
 * `package.json` depending on the packed tarballs, the environment of a user's shell, `node` and
 * `npm` run in it, and the examples of a README as the application's own code.
 */
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { inject } from 'vitest'
import { ROOT } from './workspace-packages'

export const run = promisify(execFile)

/** The application files copied into the applications. */
export const APPS = join(ROOT, 'test/packaging/apps')

/** `package.json` dependencies on the packed packages `names`, by `file:` path of their tarballs. */
export function tarballDependencies(names: readonly string[]): Record<string, string> {
  const dependencies: Record<string, string> = {}
  for (const name of names) {
    const tarball = inject('tarballs')[name]
    if (tarball === undefined) throw new Error(`no tarball was packed for ${name}`)
    dependencies[name] = `file:${tarball}`
  }
  return dependencies
}

/**
 * Writes an application into `dir`: a `package.json` (`type`, `dependencies`) and `files` copied
 * from `test/packaging/apps/`.
 */
export function writeApp(
  dir: string,
  app: { type: 'module' | 'commonjs'; dependencies: Record<string, string>; files: readonly string[] },
): void {
  mkdirSync(dir, { recursive: true })
  const manifest = { name: `app-${app.type}`, private: true, type: app.type, dependencies: app.dependencies }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2))
  for (const file of app.files) cpSync(join(APPS, file), join(dir, file))
}

/**
 * The environment of a user's shell: without what the test runner adds (the `NODE_PATH` of
 * pnpm's bin shims reaches into this workspace and would let the applications find its packages).
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const {
    NODE_PATH: _nodePath,
    NODE_OPTIONS: _nodeOptions,
    VITEST: _vitest,
    NODE_ENV: _nodeEnv,
    ...env
  } = process.env
  return { ...env, ...extra }
}

/** Runs `node [args] file` in the application `dir` with the user's environment plus `env`; its stdout. */
export async function runNode(
  dir: string,
  file: string,
  options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<string> {
  const { stdout } = await run('node', [...(options.args ?? []), file], {
    cwd: dir,
    env: userEnv(options.env),
    timeout: 30_000,
  })
  return stdout
}

/** `npm install` in `dir` (npm's cache first); what npm printed. */
export async function npmInstall(dir: string): Promise<string> {
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
    env: userEnv(),
    timeout: 90_000,
  })
  return `${install.stdout}${install.stderr}`
}

/** `npm ls --all` in `dir`: the installed tree, with npm's UNMET/invalid/missing marks. */
export async function npmTree(dir: string): Promise<string> {
  return (await run('npm', ['ls', '--all'], { cwd: dir, env: userEnv() })).stdout
}

/** The first ` ```ts ` block of a Markdown file (a README's main example), as written. */
export function firstTsExample(path: string): string {
  const match = /^```ts[^\n]*\n([\s\S]*?)^```/m.exec(readFileSync(path, 'utf8'))
  if (match?.[1] === undefined) throw new Error(`${path} has no \`\`\`ts example`)
  return match[1]
}

/** The parts of esbuild the packaging tests use (it is tsup's dependency, not the root's: no types here). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>
  transformSync(code: string, options: Record<string, unknown>): { code: string }
}

/** The esbuild that tsup brings (the workspace's own). */
export const esbuild: Esbuild = createRequire(createRequire(join(ROOT, 'package.json')).resolve('tsup'))(
  'esbuild',
)

/**
 * A README example as the files an ESM (`.mjs`) and a CommonJS (`.cjs`) application would hold:
 * the example's code as written (when it uses TypeScript syntax, with the types removed by
 * esbuild), with `prelude` (what the example leaves to the application, e.g. the function it
 * caches) before it and `epilogue` after it, in the same scope. In CommonJS its
 * `import { a, b as c } from 'x'` are `const { a, b: c } = require('x')` and the rest runs in an
 * async function (no top-level await there).
 */
export function exampleModules(
  example: string,
  { prelude, epilogue }: { prelude: string; epilogue: string },
): { mjs: string; cjs: string } {
  let code = example
  try {
    esbuild.transformSync(code, { loader: 'js', format: 'esm' })
  } catch {
    code = esbuild.transformSync(code, { loader: 'ts', format: 'esm', target: 'node20' }).code
  }
  const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*(['"][^'"]+['"]);?[ \t]*$/gm
  const imports = code.match(IMPORT) ?? []
  const body = code.replace(IMPORT, '').trim()
  const other = /^import\b.*$/m.exec(body)
  if (other !== null) throw new Error(`exampleModules: an import it cannot require: ${other[0]}`)
  const requires = imports.map((line) =>
    line.replace(IMPORT, (_, names: string, from: string) => {
      const bindings = names.split(',').map((name) => name.trim().replace(/\s+as\s+/, ': '))
      return `const { ${bindings.filter(Boolean).join(', ')} } = require(${from})`
    }),
  )
  return {
    mjs: [...imports, prelude, body, epilogue].join('\n'),
    cjs: [
      ...requires,
      'async function main() {',
      prelude,
      body,
      epilogue,
      '}',
      'main().catch((error) => {\n  console.error(error)\n  process.exit(1)\n})',
    ].join('\n'),
  }
}

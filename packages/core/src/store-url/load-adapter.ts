/**
 * Loading an adapter package by name the way the application would import it. `import(name)`
 * from core resolves from core's own folder, which does not see the application's packages under
 * pnpm without hoisting or in a workspace, and the ESM build it loads is not the one a CommonJS
 * application `require`s. So: the CommonJS build of core loads adapters with `require` (their
 * classes are the application's), and a failed lookup is retried from the application's entry
 * script and working directory.
 * @packageDocumentation
 */

/** Loads a module by name; {@link loadAdapter} in production, a stand-in in tests. */
export type ModuleImporter = (name: string) => Promise<unknown>

type Require = ((id: string) => unknown) & { resolve(id: string): string }

interface NodeProcess {
  argv?: string[]
  execArgv?: string[]
  env?: Record<string, string | undefined>
  cwd?: () => string
  getBuiltinModule?: (id: string) => unknown
}

/** Set by the build (`tsup.base.ts`): `true` in the CommonJS build; absent when run from source. */
declare const __STRATACACHE_CJS__: boolean | undefined

// The CommonJS build loads adapters with its own `require`; the ESM build (and a bundle made from
// it, where a `require` shim may exist but cannot load anything) with `import()`.
const ownRequire: ((id: string) => unknown) | undefined =
  typeof __STRATACACHE_CJS__ !== 'undefined' && __STRATACACHE_CJS__
    ? (require as (id: string) => unknown)
    : undefined

/**
 * The specifier a module-not-found error names (`Cannot find package 'ioredis' …`), if it is one.
 *
 * @example
 * ```ts
 * missingSpecifier(error) === 'ioredis' // the adapter loaded, its peer is not installed
 * ```
 */
export function missingSpecifier(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (typeof message !== 'string') return undefined
  // Node sets a code; bundlers and other runtimes only say so in the message.
  const notFound =
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    /cannot find (module|package)|failed to resolve module/i.test(message)
  return notFound ? /(?:module|package|import) ['"]([^'"]+)['"]/i.exec(message)?.[1] : undefined
}

/**
 * Whether `specifier` is `name` or a path inside it.
 *
 * @example
 * ```ts
 * isWithin('@stratacache/redis/package.json', '@stratacache/redis') // true
 * ```
 */
export function isWithin(specifier: string | undefined, name: string): boolean {
  return specifier === name || (specifier?.startsWith(`${name}/`) ?? false)
}

/** The conditions Node resolves `import` with in this process: its `--conditions`, then the defaults. */
function importConditions(process: NodeProcess): Set<string> {
  const conditions = new Set<string>()
  const args = [...(process.execArgv ?? []), ...(process.env?.NODE_OPTIONS?.split(/\s+/) ?? [])]
  for (const [at, arg] of args.entries()) {
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(arg)
    if (inline?.[1] !== undefined) conditions.add(inline[1])
    else if ((arg === '--conditions' || arg === '-C') && args[at + 1] !== undefined)
      conditions.add(args[at + 1]!)
  }
  for (const condition of ['import', 'node', 'default']) conditions.add(condition)
  return conditions
}

/** Node's reading of an `exports` target: the first key (in order) that is an active condition. */
function exportsTarget(target: unknown, conditions: Set<string>): string | undefined {
  if (typeof target === 'string') return target
  if (Array.isArray(target)) return exportsTarget(target[0], conditions)
  if (typeof target !== 'object' || target === null) return undefined
  for (const [key, value] of Object.entries(target)) {
    if (!conditions.has(key)) continue
    const found = exportsTarget(value, conditions)
    if (found !== undefined) return found
  }
  return undefined
}

/** The ESM entry of a manifest for `.`: its `exports`, else `module`, else `main`. */
function esmEntry(manifest: Record<string, unknown>, conditions: Set<string>): string {
  const exports = manifest.exports
  const root =
    typeof exports === 'object' && exports !== null && '.' in exports
      ? (exports as Record<string, unknown>)['.']
      : exports
  return exportsTarget(root, conditions) ?? String(manifest.module ?? manifest.main ?? 'index.js')
}

/** Imports `name` as seen from `base` (a file path), in the module system of this build of core. */
async function importFrom(
  base: string,
  name: string,
  process: NodeProcess,
  builtin: (id: string) => unknown,
): Promise<unknown> {
  const { createRequire } = builtin('node:module') as { createRequire(path: string): Require }
  const requireFrom = createRequire(base)
  if (ownRequire !== undefined) return requireFrom(name)
  const manifestPath = requireFrom.resolve(`${name}/package.json`)
  const manifest = requireFrom(manifestPath) as Record<string, unknown>
  const { pathToFileURL } = builtin('node:url') as { pathToFileURL(path: string): URL }
  const folder = manifestPath.slice(0, -'package.json'.length)
  return import(
    /* @vite-ignore */ /* webpackIgnore: true */ pathToFileURL(
      folder + esmEntry(manifest, importConditions(process)),
    ).href
  )
}

/** Where the application is: its entry script, then its working directory. */
function applicationBases(process: NodeProcess): string[] {
  const bases: string[] = []
  const entry = process.argv?.[1]
  if (typeof entry === 'string' && entry !== '') bases.push(entry)
  if (typeof process.cwd === 'function') bases.push(`${process.cwd()}/noop.js`)
  return bases
}

/**
 * Loads the adapter package `name`: first as `@stratacache/core` itself resolves it, then as the
 * application does (from its entry script, then its working directory; Node 20.16+). Rejects with
 * the first module-not-found error when every attempt misses it, and with any other error at once.
 *
 * @example
 * ```ts
 * const { fromUrl } = (await loadAdapter('@stratacache/redis')) as { fromUrl: StoreUrlFactory }
 * ```
 */
export async function loadAdapter(name: string): Promise<unknown> {
  let firstMiss: unknown
  try {
    return ownRequire !== undefined
      ? ownRequire(name)
      : await import(/* @vite-ignore */ /* webpackIgnore: true */ name)
  } catch (error) {
    if (!isWithin(missingSpecifier(error), name)) throw error
    firstMiss = error
  }
  const process = (globalThis as { process?: NodeProcess }).process
  const builtin = process?.getBuiltinModule?.bind(process)
  if (process === undefined || builtin === undefined) throw firstMiss
  for (const base of applicationBases(process)) {
    try {
      return await importFrom(base, name, process, builtin)
    } catch (error) {
      if (!isWithin(missingSpecifier(error), name)) throw error
    }
  }
  throw firstMiss
}

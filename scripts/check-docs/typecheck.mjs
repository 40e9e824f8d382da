// Type-checks examples as users would compile them: each one a module of its own (`.mts`) in a
// project outside the sources, strict, `module`/`moduleResolution: nodenext`, importing the
// workspace packages through their published entry points (`dist/`, so build first).
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const ts = require('typescript')

/** "Cannot find name 'x'", "… did you mean", "No value exists in scope for the shorthand property 'x'". */
const UNDECLARED = new Set([2304, 2552, 18004])

/**
 * Implicit `any` parameters: in an example whose surroundings had to be declared `any`, a callback
 * passed to them has nothing to infer its parameters from; that is the stand-in's doing, not the example's.
 */
const IMPLICIT_ANY = new Set([7006, 7031])

/** Names an example may use without declaring them: the `…` of elided code. */
const PRELUDE = ['declare const __ellipsis: any']

const COMPILER_OPTIONS = {
  strict: true,
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'es2022',
  lib: ['es2022', 'esnext.disposable'],
  types: ['node'],
  skipLibCheck: true,
  noEmit: true,
}

/** The workspace's publishable packages: `{ name, dir }` from `packages/<dir>/package.json`. */
export function workspacePackages(root) {
  const base = join(root, 'packages')
  return readdirSync(base)
    .filter((dir) => existsSync(join(base, dir, 'package.json')))
    .map((dir) => ({
      dir: join(base, dir),
      manifest: JSON.parse(readFileSync(join(base, dir, 'package.json'), 'utf8')),
    }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ name: manifest.name, dir }))
}

function link(target, path) {
  if (existsSync(path)) return
  mkdirSync(dirname(path), { recursive: true })
  symlinkSync(realpathSync(target), path, 'dir')
}

/** Every dependency installed for the workspace's packages, apps and root: `name → folder`. */
function installedDependencies(root) {
  const folders = [
    root,
    ...['packages', 'apps'].flatMap((group) =>
      existsSync(join(root, group))
        ? readdirSync(join(root, group)).map((dir) => join(root, group, dir))
        : [],
    ),
  ]
  const found = new Map()
  for (const folder of folders) {
    const modules = join(folder, 'node_modules')
    if (!existsSync(modules)) continue
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue
      const names = entry.startsWith('@')
        ? readdirSync(join(modules, entry)).map((sub) => `${entry}/${sub}`)
        : [entry]
      for (const name of names) if (!found.has(name)) found.set(name, join(modules, name))
    }
  }
  return found
}

/**
 * A project folder (`<root>/.doc-check`) whose `node_modules` holds the workspace packages and
 * everything they install, so examples resolve imports as an application would.
 */
export function prepareProject(root) {
  const dir = join(root, '.doc-check')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'doc-check', private: true, type: 'module' }),
  )
  for (const pkg of workspacePackages(root)) link(pkg.dir, join(dir, 'node_modules', pkg.name))
  for (const [name, folder] of installedDependencies(root)) link(folder, join(dir, 'node_modules', name))
  return dir
}

/** `…` (elided code) as something that type-checks: `{ … }` → `{}`, else an `any` value. */
function fillEllipses(code) {
  return code.replace(/\{\s*…\s*\}/g, '{}').replace(/…/g, '__ellipsis')
}

/**
 * An example written as a function body (a top-level `return`): its imports stay at the top, the
 * rest goes inside an async function, on the same lines.
 */
function asFunctionBody(code) {
  const lines = code.split('\n')
  let importing = false
  const body = lines.map((line) => {
    if (importing || /^import\s/.test(line)) {
      importing = !/from\s+['"][^'"]+['"]|^import\s+['"]/.test(line)
      return line
    }
    return line
  })
  const firstBody = body.findIndex(
    (line, index) => !/^import\s/.test(line) && (index === 0 || !isImportContinuation(lines, index)),
  )
  return `${body.slice(0, firstBody).join('\n')}\nasync function __example() { ${body.slice(firstBody).join('\n')}\n}`
}

/** Whether line `index` continues a multi-line import statement. */
function isImportContinuation(lines, index) {
  for (let at = index - 1; at >= 0; at--) {
    if (/from\s+['"][^'"]+['"]/.test(lines[at])) return false
    if (/^import\s/.test(lines[at])) return true
  }
  return false
}

function compile(files) {
  const options = ts.convertCompilerOptionsFromJson(COMPILER_OPTIONS, '.').options
  return ts.createProgram([...files.keys()], options)
}

/** The `name → package` of every export of the workspace packages' main entries (core first). */
function exportedNames(dir, packages) {
  const file = join(dir, '__exports.mts')
  const ordered = [...packages].sort((a, b) =>
    a.name === '@stratacache/core' ? -1 : b.name === '@stratacache/core' ? 1 : 0,
  )
  writeFileSync(file, ordered.map((pkg, i) => `import * as p${i} from '${pkg.name}'`).join('\n'))
  const program = compile(new Map([[file, '']]))
  const checker = program.getTypeChecker()
  const names = new Map()
  for (const statement of program.getSourceFile(file).statements) {
    const symbol = checker.getSymbolAtLocation(statement.moduleSpecifier)
    if (symbol === undefined) continue
    for (const exported of checker.getExportsOfModule(symbol)) {
      if (!names.has(exported.name)) names.set(exported.name, statement.moduleSpecifier.text)
    }
  }
  return names
}

function message(diagnostic) {
  return ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
}

/** The names a program's diagnostics say are undeclared, per file. */
function undeclaredNames(program, files) {
  const byFile = new Map()
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    if (diagnostic.file === undefined || !files.has(diagnostic.file.fileName)) continue
    if (!UNDECLARED.has(diagnostic.code)) continue
    const name = /(?:Cannot find name|shorthand property) '([^']+)'/.exec(message(diagnostic))?.[1]
    if (name === undefined) continue
    const names = byFile.get(diagnostic.file.fileName) ?? new Set()
    names.add(name)
    byFile.set(diagnostic.file.fileName, names)
  }
  return byFile
}

/**
 * Type-checks `examples`. An example may leave out its imports of workspace exports (they are
 * added) and use free names for its surroundings (`db`, `user`: declared `any`); everything it
 * does with the packages' API is checked as written.
 *
 * @returns per example: `problems` (`{ line, column, code, text }`, lines in the example's file),
 *   and `selfContained` (nothing had to be added)
 */
export function typecheckExamples(dir, packages, examples) {
  const exports = exportedNames(dir, packages)
  const entries = examples.map((example, index) => ({
    example,
    path: join(dir, `example-${index}.mts`),
    added: [],
  }))
  const write = () => {
    const files = new Map()
    for (const entry of entries) {
      const head = [...PRELUDE, ...entry.added]
      entry.offset = head.length
      const code = fillEllipses(entry.example.code)
      const text = `${head.join('\n')}\n${entry.wrap ? asFunctionBody(code) : code}\nexport {}\n`
      writeFileSync(entry.path, text)
      files.set(entry.path, text)
    }
    return files
  }
  // Pass 1: which examples are function bodies; pass 2: which names they leave undeclared.
  let files = write()
  const first = compile(files)
  for (const entry of entries) {
    const source = first.getSourceFile(entry.path)
    entry.wrap = [...first.getSyntacticDiagnostics(source), ...first.getSemanticDiagnostics(source)].some(
      (d) => d.code === 1108,
    )
  }
  files = write()
  const missing = undeclaredNames(compile(files), files)
  for (const entry of entries) {
    for (const name of missing.get(entry.path) ?? []) {
      const from = exports.get(name)
      entry.added.push(
        from
          ? `import { ${name} } from '${from}'`
          : `declare const ${name}: any; type ${name}<A = any, B = any, C = any, D = any> = any`,
      )
    }
  }
  files = write()
  const program = compile(files)
  const byPath = new Map(entries.map((entry) => [entry.path, entry]))
  for (const entry of entries) entry.problems = []
  // An example that does not parse is reported once, at its first syntax error.
  const unparsed = new Set()
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((diagnostic) => {
    if (diagnostic.file === undefined || diagnostic.category !== ts.DiagnosticCategory.Error) return true
    const syntax = program.getSyntacticDiagnostics(diagnostic.file)
    if (syntax.length === 0) return true
    if (unparsed.has(diagnostic.file.fileName)) return false
    unparsed.add(diagnostic.file.fileName)
    return diagnostic === syntax[0] || (Object.assign(diagnostic, syntax[0]) && true)
  })
  for (const diagnostic of diagnostics) {
    const entry = diagnostic.file && byPath.get(diagnostic.file.fileName)
    if (!entry) continue
    if (IMPLICIT_ANY.has(diagnostic.code) && entry.added.some((line) => line.startsWith('declare'))) continue
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
    entry.problems.push({
      line: entry.example.line + line - entry.offset,
      column: character + 1,
      code: `TS${diagnostic.code}`,
      text: message(diagnostic),
    })
  }
  return entries.map((entry) => ({
    example: entry.example,
    path: entry.path,
    problems: entry.problems,
    selfContained: entry.added.length === 0,
  }))
}

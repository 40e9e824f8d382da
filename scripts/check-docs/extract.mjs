// Finds the TypeScript examples of the repository: fenced ```ts blocks in Markdown files, and
// ```ts blocks after `@example` in TSDoc comments, each with the file and line it starts at.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/**
 * @typedef {object} Example
 * @property {string} file   the file, relative to the repository root
 * @property {number} line   the 1-based line of the example's first code line
 * @property {string} code   the code
 * @property {'markdown' | 'tsdoc'} kind
 * @property {string[]} flags words after the language in the fence (` ```ts no-run `)
 */

const LANGUAGES = new Set(['ts', 'typescript', 'mts'])
const SKIP_DIRS = new Set(['node_modules', 'dist', '.turbo', '.git', '.doc-check', 'results'])

/** Every file under `dir` (recursively) whose name passes `keep`. */
function walk(dir, keep, found = []) {
  if (!existsSync(dir)) return found
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path, keep, found)
    else if (keep(name)) found.push(path)
  }
  return found
}

/** The workspace folders: `packages/*` and `apps/*`, so a new package is covered without a list. */
function workspaceFolders(root) {
  return ['packages', 'apps'].flatMap((group) =>
    existsSync(join(root, group)) ? readdirSync(join(root, group)).map((dir) => join(root, group, dir)) : [],
  )
}

/** The Markdown files that document the project: the root's, `docs/`, and every workspace folder's. */
export function markdownFiles(root) {
  const top = readdirSync(root)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, name))
  const docs = walk(join(root, 'docs'), (name) => name.endsWith('.md'))
  const folders = workspaceFolders(root).flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.md') && name !== 'CHANGELOG.md')
      .map((name) => join(dir, name)),
  )
  return [...top, ...docs, ...folders]
}

/** The source files whose TSDoc is published: `src/**` of every workspace folder, tests excluded. */
export function sourceFiles(root) {
  return workspaceFolders(root).flatMap((dir) =>
    walk(
      join(dir, 'src'),
      (name) => /\.m?ts$/.test(name) && !/\.test(-d)?\.ts$|\.fixture\.ts$|\.d\.ts$/.test(name),
    ),
  )
}

/** The fenced TypeScript blocks of a Markdown file. */
export function markdownExamples(root, path) {
  const lines = readFileSync(path, 'utf8').split('\n')
  const examples = []
  let open
  for (const [index, text] of lines.entries()) {
    const fence = /^(\s*)```\s*([\w-]*)\s*(.*)$/.exec(text)
    if (open === undefined) {
      if (fence)
        open = {
          language: fence[2],
          flags: fence[3].split(/\s+/).filter(Boolean),
          start: index + 1,
          body: [],
        }
    } else if (fence && fence[2] === '' && fence[3] === '') {
      if (LANGUAGES.has(open.language)) {
        examples.push({
          file: relative(root, path),
          line: open.start + 1,
          code: open.body.join('\n'),
          kind: 'markdown',
          flags: open.flags,
        })
      }
      open = undefined
    } else open.body.push(text)
  }
  return examples
}

/** The shell commands of a Markdown file's ```sh blocks (for the install-line check). */
export function shellLines(path) {
  const lines = readFileSync(path, 'utf8').split('\n')
  const commands = []
  let inShell = false
  for (const text of lines) {
    const fence = /^\s*```\s*([\w-]*)/.exec(text)
    if (fence) inShell = !inShell && ['sh', 'bash', 'shell', 'console'].includes(fence[1])
    else if (inShell) commands.push(text)
  }
  return commands
}

/** The ```ts blocks that follow `@example` in the TSDoc comments of a source file. */
export function tsdocExamples(root, path) {
  const lines = readFileSync(path, 'utf8').split('\n')
  const examples = []
  for (let index = 0; index < lines.length; index++) {
    if (!/^\s*\*\s*@example\b/.test(lines[index])) continue
    let at = index + 1
    while (at < lines.length && /^\s*\*\s*$/.test(lines[at])) at++
    const fence = /^\s*\*\s*```\s*([\w-]*)\s*(.*)$/.exec(lines[at] ?? '')
    if (!fence || !LANGUAGES.has(fence[1] || 'ts')) continue
    const body = []
    let end = at + 1
    for (; end < lines.length && !/^\s*\*\s*```\s*$/.test(lines[end]); end++) {
      body.push(lines[end].replace(/^\s*\* ?/, ''))
    }
    examples.push({
      file: relative(root, path),
      line: at + 2,
      code: body.join('\n'),
      kind: 'tsdoc',
      flags: fence[2].split(/\s+/).filter(Boolean),
    })
    index = end
  }
  return examples
}

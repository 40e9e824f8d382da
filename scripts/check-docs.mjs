#!/usr/bin/env node
// `pnpm check:docs`: every TypeScript example in the documentation, checked.
//  - every ```ts block of the Markdown files (root, docs/, packages/*, apps/*) and every ```ts
//    block after `@example` in the TSDoc of packages/*/src and apps/*/src is type-checked as an
//    application would compile it (strict, nodenext, against the built packages);
//  - a README that says what to install must install every package its examples import;
//  - the self-contained Markdown examples (all imports written out, no ` ```ts no-run ` flag)
//    are run against a real redis-server (REDIS_URL).
// Prints each problem as `file:line:column  code  message` and exits 1 when there is one.
// Needs the packages built (`pnpm build`).
import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  markdownExamples,
  markdownFiles,
  shellLines,
  sourceFiles,
  tsdocExamples,
} from './check-docs/extract.mjs'
import { runExample, startRedis } from './check-docs/run-examples.mjs'
import { prepareProject, typecheckExamples, workspacePackages } from './check-docs/typecheck.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The packages a README's install commands name (`npm install a b`, `pnpm add a`). */
function installed(path) {
  const names = new Set()
  for (const line of shellLines(path)) {
    const match = /\b(?:npm (?:install|i)|pnpm add|yarn add)\s+(.*)$/.exec(line)
    if (!match) continue
    for (const word of match[1].split(/\s+/))
      if (word && !word.startsWith('-') && !word.startsWith('#'))
        names.add(word.replace(/@[^@/]*$/, '') || word)
  }
  return names
}

/** Imports of packages that a README's install commands leave out. */
function installProblems(examples) {
  const problems = []
  for (const file of new Set(examples.filter((e) => e.kind === 'markdown').map((e) => e.file))) {
    const names = installed(join(root, file))
    if (names.size === 0) continue
    for (const example of examples.filter((e) => e.file === file)) {
      for (const [index, text] of example.code.split('\n').entries()) {
        if (/^\s*(\/\/|\*)/.test(text)) continue // a comment may name what to import from elsewhere
        const specifier = /\bfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/.exec(text)
        const name = specifier && (specifier[1] ?? specifier[2])
        if (!name || name.startsWith('.') || name.startsWith('node:')) continue
        const pkg = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]
        if (!names.has(pkg)) {
          problems.push({
            file,
            line: example.line + index,
            column: 1,
            code: 'install',
            text: `imports ${pkg}, which the README's install command leaves out`,
          })
        }
      }
    }
  }
  return problems
}

async function main() {
  const packages = workspacePackages(root)
  const unbuilt = packages.filter((pkg) => !existsSync(join(pkg.dir, 'dist', 'index.d.ts')))
  if (unbuilt.length > 0) {
    console.error(
      `check-docs: build first (\`pnpm build\`): no dist/ in ${unbuilt.map((pkg) => relative(root, pkg.dir)).join(', ')}`,
    )
    process.exit(1)
  }
  const examples = [
    ...markdownFiles(root).flatMap((path) => markdownExamples(root, path)),
    ...sourceFiles(root).flatMap((path) => tsdocExamples(root, path)),
  ]
  const dir = prepareProject(root)
  const checked = typecheckExamples(dir, packages, examples)
  const problems = [
    ...checked.flatMap((c) => c.problems.map((p) => ({ file: c.example.file, ...p }))),
    ...installProblems(examples),
  ]

  const runnable = checked.filter(
    (c) =>
      c.example.kind === 'markdown' &&
      c.selfContained &&
      c.problems.length === 0 &&
      !c.example.flags.includes('no-run'),
  )
  if (runnable.length > 0) {
    const redis = await startRedis()
    try {
      for (const c of runnable) {
        const failure = await runExample(dir, c.path, { REDIS_URL: redis.url })
        if (failure !== undefined)
          problems.push({ file: c.example.file, line: c.example.line, column: 1, code: 'run', text: failure })
      }
    } finally {
      redis.stop()
    }
  }

  for (const p of problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)) {
    console.log(`${p.file}:${p.line}:${p.column}  ${p.code}  ${p.text.replace(/\n/g, '\n    ')}`)
  }
  console.log(
    `check-docs: ${examples.length} examples type-checked, ${runnable.length} run; ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
  )
  process.exit(problems.length > 0 ? 1 : 0)
}

await main()

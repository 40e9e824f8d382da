/**
 * stratacache benchmarks against the floors and peers of issue 9.
 *
 *   pnpm bench                      every group
 *   pnpm bench memory-store 2       some groups (by id, id prefix or number: `2` runs 2a and 2b)
 *   pnpm bench --json out.json      also write machine-readable results
 *   pnpm bench --write-results      every group, then regenerate RESULTS.md (and results.json)
 *   pnpm bench --render-results     regenerate RESULTS.md from results.json (e.g. after editing findings.md)
 *   pnpm bench --rounds 3 --time 100 --list
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { describeEnvironment, type Environment } from './environment'
import { GROUPS } from './groups'
import { type BenchGroup, type GroupResult, type RunOptions, runGroup } from './harness'
import { renderGroup, renderResults } from './render'
import { RunContext } from './run-context'

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..')
const RESULTS_JSON = join(appDir, 'results.json')

/** What `--json` and `--write-results` save. */
interface SavedRun {
  environment: Environment
  options: RunOptions
  durationSeconds: number
  results: GroupResult[]
}

/** Writes RESULTS.md from a run and the hand-written findings (findings.md). */
function writeResults(run: SavedRun): void {
  const findingsFile = join(appDir, 'findings.md')
  const findings = existsSync(findingsFile) ? readFileSync(findingsFile, 'utf8') : ''
  const file = join(appDir, 'RESULTS.md')
  writeFileSync(file, renderResults({ ...run, findings }))
  process.stderr.write(`wrote ${file}\n`)
}

const USAGE = `usage: pnpm bench [group ...] [--json file] [--write-results | --render-results] [--rounds n] [--time ms] [--list]
groups: ${GROUPS.map((g) => `${g.number}:${g.id}`).join(', ')}`

function parsePositive(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback
  const parsed = Number(value)
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new Error(`--${option} expects a positive number, got ${value}`)
  return parsed
}

/** The groups a selector names: an exact id, else an id prefix or a number (`2` = `2a`, `2b`). */
function select(selectors: string[]): BenchGroup[] {
  if (selectors.length === 0) return GROUPS
  const chosen = new Set<BenchGroup>()
  for (const selector of selectors) {
    const exact = GROUPS.filter((g) => g.id === selector)
    const matches =
      exact.length > 0
        ? exact
        : GROUPS.filter(
            (g) =>
              g.id === selector ||
              g.id.startsWith(selector) ||
              g.number === selector ||
              g.number.replace(/[a-z]$/, '') === selector,
          )
    if (matches.length === 0) throw new Error(`no bench group matches "${selector}"\n${USAGE}`)
    for (const group of matches) chosen.add(group)
  }
  return GROUPS.filter((g) => chosen.has(g))
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'string' },
      'write-results': { type: 'boolean', default: false },
      'render-results': { type: 'boolean', default: false },
      rounds: { type: 'string' },
      time: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values['render-results']) {
    writeResults(JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as SavedRun)
    return
  }
  if (values.help || values.list) {
    console.log(USAGE)
    for (const group of GROUPS)
      console.log(`  ${group.number.padEnd(3)} ${group.id.padEnd(16)} ${group.title}`)
    return
  }
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    throw new Error('run with node --expose-gc (pnpm bench does): heap measurements and mitata need gc()')
  }
  const groups = select(positionals)
  if (values['write-results'] && groups.length !== GROUPS.length) {
    throw new Error('--write-results regenerates RESULTS.md from every group: do not name groups with it')
  }
  const options: RunOptions = {
    rounds: Math.round(parsePositive(values.rounds, 'rounds', 7)),
    caseTimeMs: parsePositive(values.time, 'time', 150),
    warmupTimeMs: 60,
  }

  const context = new RunContext()
  const interrupt = (signal: NodeJS.Signals) => {
    context.log(`${signal}: stopping`)
    void context.close().finally(() => process.exit(130))
  }
  process.once('SIGINT', interrupt)
  process.once('SIGTERM', interrupt)

  const environment = describeEnvironment()
  const started = performance.now()
  const results: GroupResult[] = []
  try {
    for (const group of groups) {
      context.log(`group ${group.number} ${group.id}…`)
      const result = await runGroup(group, context, options)
      results.push(result)
      console.log(renderGroup(result, false))
    }
  } finally {
    await context.close()
  }
  environment.redis = context.redisVersion
  const durationSeconds = (performance.now() - started) / 1000
  const targets = results.flatMap((r) => r.targets)
  console.log(
    `${targets.filter((t) => t.met).length}/${targets.length} targets met; ${Math.round(durationSeconds)} s in all`,
  )

  const run: SavedRun = { environment, options, durationSeconds, results }
  if (values.json !== undefined) {
    writeFileSync(values.json, `${JSON.stringify(run, null, 2)}\n`)
    context.log(`wrote ${values.json}`)
  }
  if (values['write-results']) {
    writeFileSync(RESULTS_JSON, `${JSON.stringify(run, null, 2)}\n`)
    writeResults(run)
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error)
    process.exit(1)
  },
)

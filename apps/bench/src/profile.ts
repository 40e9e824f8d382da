/**
 * Profiles one case of a group with V8's CPU profiler (the one behind `node --cpu-prof`), to find
 * why a target is missed. Runs the case in a loop for a bounded time, writes the `.cpuprofile`
 * (open it in Chrome DevTools or speedscope) and prints the functions with the most self time.
 *
 *   pnpm bench:profile cache-hit-sync "stratacache cache() sync, static key" [--seconds 3] [--no-inlining]
 *
 * When the JIT inlines the whole hit path into the loop, every sample lands in one frame:
 * `--no-inlining` (V8's `--no-turbo-inlining`) keeps functions apart, slower but attributable.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { SourceMap } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { GROUPS } from './groups'
import { RunContext } from './run-context'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  hitCount?: number
}

const sourceMaps = new Map<string, SourceMap | undefined>()

/** `file:line` of a frame, mapped back to the TypeScript source when the bundle has a source map. */
function location(url: string, line: number, column: number): string {
  if (url.startsWith('file://') && url.endsWith('.js')) {
    const file = fileURLToPath(url)
    if (!sourceMaps.has(file)) {
      const mapFile = `${file}.map`
      sourceMaps.set(
        file,
        existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined,
      )
    }
    const entry = sourceMaps.get(file)?.findEntry(line, column)
    if (entry && 'originalSource' in entry) {
      return `${entry.originalSource.replace(/^.*\/(packages|apps)\//, '$1/')}:${entry.originalLine + 1}`
    }
  }
  return `${url.replace(/^.*\/(node_modules|packages|apps)\//, '$1/')}:${line + 1}`
}

/** Self time per function (name and source line), largest first, as shares of all samples. */
function selfTimes(nodes: ProfileNode[]): [string, number][] {
  const total = nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0)
  const byFunction = new Map<string, number>()
  for (const { callFrame, hitCount = 0 } of nodes) {
    const name = `${callFrame.functionName || '(anonymous)'} ${location(callFrame.url, callFrame.lineNumber, callFrame.columnNumber)}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + hitCount)
  }
  return [...byFunction]
    .map(([name, hits]): [string, number] => [name, hits / total])
    .sort((a, b) => b[1] - a[1])
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      seconds: { type: 'string', default: '3' },
      top: { type: 'string', default: '25' },
      'no-inlining': { type: 'boolean', default: false },
    },
  })
  if (values['no-inlining']) setFlagsFromString('--no-turbo-inlining')
  const [groupId, caseName] = positionals
  const group = GROUPS.find((g) => g.id === groupId)
  if (!group?.setup || caseName === undefined) {
    throw new Error(
      `usage: pnpm bench:profile <timed group id> "<case name>"\ngroups: ${GROUPS.map((g) => g.id).join(', ')}`,
    )
  }
  const context = new RunContext()
  const { cases, teardown } = await group.setup(context)
  const session = new Session()
  try {
    const benchCase = cases.find((c) => c.name === caseName)
    if (!benchCase)
      throw new Error(`no case "${caseName}" in ${groupId}: ${cases.map((c) => `"${c.name}"`).join(', ')}`)
    // Bounded: stops at the deadline, checked after every batch (1,000 fast calls, or one slow call).
    const started = performance.now()
    const first = benchCase.fn()
    if (first instanceof Promise) await first
    const batch = performance.now() - started < 0.01 ? 1000 : 1
    const run = async (until: number) => {
      while (performance.now() < until) {
        for (let i = 0; i < batch; i++) {
          const result = benchCase.fn()
          if (result instanceof Promise) await result
        }
      }
    }
    await run(performance.now() + 500) // warm up: let the JIT settle before sampling
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 50 })
    await session.post('Profiler.start')
    await run(performance.now() + Number(values.seconds) * 1000)
    const { profile } = await session.post('Profiler.stop')
    const file = join(tmpdir(), `bench-${groupId}-${Date.now()}.cpuprofile`)
    writeFileSync(file, JSON.stringify(profile))
    console.log(`${caseName}: profile written to ${file}\nself time:`)
    for (const [name, share] of selfTimes(profile.nodes as ProfileNode[]).slice(0, Number(values.top))) {
      console.log(`${(share * 100).toFixed(1).padStart(5)}%  ${name}`)
    }
  } finally {
    session.disconnect()
    await teardown?.()
    await context.close()
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error)
    process.exit(1)
  },
)

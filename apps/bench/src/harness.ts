import { do_not_optimize, measure } from 'mitata'

/** One benchmarked case: an operation timed by mitata, sync or async. */
export interface BenchCase {
  /** Shown in the table and named by targets, e.g. `stratacache cache(), static key`. */
  name: string
  /** The operation measured, without parameters. May return a promise (then each call is awaited). */
  fn: () => unknown
  /** How many operations one call of `fn` performs (e.g. 1,000 Redis calls kept 100 in flight). @default 1 */
  opsPerCall?: number
  /**
   * Time every call on its own instead of in batches of 4,096, so p50/p99 are the latencies of single
   * calls. For calls of tens of microseconds (network round trips). @default false
   */
  perCall?: boolean
  /** Per-operation latencies the case records itself (when one call runs many operations). */
  latencies?: LatencyRecorder
}

/** Collects per-operation latencies (nanoseconds) inside a case that runs many operations per call. */
export class LatencyRecorder {
  #samples: number[] = []
  /** Keeps at most this many samples per round (the first ones). */
  readonly #limit: number

  constructor(limit = 200_000) {
    this.#limit = limit
  }

  /** Records one operation that started at `startedNs` (from {@link nowNs}). */
  record(startedNs: number): void {
    if (this.#samples.length < this.#limit) this.#samples.push(nowNs() - startedNs)
  }

  /** Returns the samples recorded since the last drain, sorted, and forgets them. */
  drain(): number[] {
    const samples = this.#samples.sort((a, b) => a - b)
    this.#samples = []
    return samples
  }
}

/** A monotonic time in nanoseconds, as a double. */
export function nowNs(): number {
  return performance.now() * 1e6
}

/** A ratio the project promises, checked and printed after the group's table. */
export interface BenchTarget {
  /** What is promised, in words, e.g. `async cache() hit ≤ 1.5× async Map memoizer`. */
  label: string
  /** Where the promise is made, e.g. `issue 3`. */
  source: string
  /** The case (or row) whose value is the numerator. */
  subject: string
  /**
   * The case (or row) whose value is the denominator; several names: the fastest (smallest value)
   * of them, e.g. the fastest peer.
   */
  baseline: string | readonly string[]
  /**
   * `atMost`: `subject / baseline` must not exceed `ratio` (time, bytes).
   * `atLeast`: for timed cases, throughput `subject / baseline` (= baseline time / subject time)
   * must reach `ratio`; for table columns, `subject / baseline` must reach it.
   */
  kind: 'atMost' | 'atLeast'
  ratio: number
  /** For table groups: the numeric column compared. Timed groups compare time per operation. */
  column?: string
}

/** What a group may need from the run. */
export interface BenchContext {
  /** The port of the `redis-server` this run started on 127.0.0.1 (started on first request). */
  redisPort(): Promise<number>
  /** Progress lines (stderr). */
  log(line: string): void
}

/** How long and how often each case is measured. */
export interface RunOptions {
  /** Measured rounds; the cases of a group are interleaved round by round and medians kept. */
  rounds: number
  /** CPU time mitata spends on one case in one round, in milliseconds. */
  caseTimeMs: number
  /** CPU time of the discarded warm-up round, in milliseconds. */
  warmupTimeMs: number
}

/** The cases of a timed group, ready to measure. */
export interface GroupSetup {
  cases: BenchCase[]
  /** Stops servers, closes clients, clears timers. Runs even when measuring fails. */
  teardown?: () => Promise<void> | void
  /** Lines added below the table (configuration found at setup, cases not measured and why). */
  notes?: string[]
}

/** A group measuring something other than time per call (heap bytes, loader calls). */
export interface TableResult {
  columns: string[]
  rows: TableRow[]
  notes?: string[]
}

/** One row of a {@link TableResult}. */
export interface TableRow {
  name: string
  values: Record<string, number | string>
}

/** A group of cases measured side by side. */
export interface BenchGroup {
  /** Short id used on the command line: `pnpm bench memory-store`. */
  id: string
  /** The group's number in issue 9 (`1`, `2a`, ...): `pnpm bench 2` runs `2a` and `2b`. */
  number: string
  /** Title printed above the table. */
  title: string
  /** Markdown: what is measured and how every contender is configured. */
  about: string
  /** The case every ratio of a timed group is computed against. */
  floor?: string
  /** Promised ratios. */
  targets?: BenchTarget[]
  /** Timed groups: builds the cases (servers started, caches warmed). */
  setup?(context: BenchContext): Promise<GroupSetup>
  /** Table groups: measures and returns the rows. */
  table?(context: BenchContext, options: RunOptions): Promise<TableResult>
  /** Headline observations computed from the results (e.g. the factor over the fastest peer). */
  summarize?(result: GroupResult): string[]
}

/** Measured numbers for one case, in nanoseconds per operation. */
export interface CaseResult {
  name: string
  /** Median over rounds of the mean time per operation. */
  avgNs: number
  p50Ns: number
  p99Ns: number
  opsPerSecond: number
  /** `avgNs / floor.avgNs`. */
  ratio: number
  /** Mean time per operation of each round, for judging the spread. */
  roundsNs: number[]
}

/** The verdict of one target. */
export interface TargetResult extends BenchTarget {
  measured: number
  met: boolean
}

/** The result of a group. */
export interface GroupResult {
  id: string
  number: string
  title: string
  about: string
  floor?: string
  cases: CaseResult[]
  table?: TableResult
  targets: TargetResult[]
  /** Headline observations from {@link BenchGroup.summarize}, listed with the targets in RESULTS.md. */
  observations: string[]
  notes: string[]
}

/** The middle value (the upper one of the two middles for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** The value at quantile `q` (0..1) of sorted samples (nearest rank below). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.floor(q * (sorted.length - 1))] as number
}

/**
 * Checks one target. Timed cases compare time per operation (`atMost`) or throughput (`atLeast`,
 * baseline time / subject time); table rows compare the target's column.
 */
export function evaluateTarget(target: BenchTarget, value: (name: string) => number): TargetResult {
  const subject = value(target.subject)
  const baseline =
    typeof target.baseline === 'string'
      ? value(target.baseline)
      : Math.min(...target.baseline.map((name) => value(name)))
  const inverse = target.column === undefined && target.kind === 'atLeast'
  const measured = inverse ? baseline / subject : subject / baseline
  const met = target.kind === 'atMost' ? measured <= target.ratio : measured >= target.ratio
  return { ...target, measured, met: Number.isFinite(measured) && met }
}

function lookup(group: BenchGroup, values: Map<string, number>): (name: string) => number {
  return (name) => {
    const value = values.get(name)
    if (value === undefined)
      throw new Error(`bench group ${group.id}: a target names "${name}", which was not measured`)
    return value
  }
}

interface RoundStats {
  avgNs: number
  p50Ns: number
  p99Ns: number
}

/** `fn` with its result kept alive, so the JIT cannot drop a side-effect-free read (e.g. `Map.get`). */
function consumed(fn: () => unknown): () => unknown {
  return () => {
    const result = fn()
    do_not_optimize(result)
    return result
  }
}

async function measureOnce(benchCase: BenchCase, timeMs: number): Promise<RoundStats> {
  const ops = benchCase.opsPerCall ?? 1
  const stats = await measure(consumed(benchCase.fn), {
    min_cpu_time: timeMs * 1e6,
    ...(benchCase.perCall ? { batch_threshold: 0 } : {}),
  })
  const recorded = benchCase.latencies?.drain()
  if (recorded !== undefined && recorded.length > 0) {
    return { avgNs: stats.avg / ops, p50Ns: quantile(recorded, 0.5), p99Ns: quantile(recorded, 0.99) }
  }
  return { avgNs: stats.avg / ops, p50Ns: stats.p50 / ops, p99Ns: stats.p99 / ops }
}

async function runTimed(group: BenchGroup, context: BenchContext, options: RunOptions): Promise<GroupResult> {
  if (!group.setup || group.floor === undefined) throw new Error(`bench group ${group.id}: no setup or floor`)
  const { cases, teardown, notes = [] } = await group.setup(context)
  for (const benchCase of cases) {
    if (benchCase.fn.length !== 0)
      throw new Error(`bench case "${benchCase.name}": fn must take no parameters`)
  }
  const rounds = new Map<string, RoundStats[]>(cases.map((c) => [c.name, []]))
  try {
    for (const benchCase of cases) await measureOnce(benchCase, options.warmupTimeMs)
    for (let round = 0; round < options.rounds; round++) {
      context.log(`  ${group.id}: round ${round + 1}/${options.rounds}`)
      for (const benchCase of cases)
        rounds.get(benchCase.name)?.push(await measureOnce(benchCase, options.caseTimeMs))
    }
  } finally {
    await teardown?.()
  }
  const measured = cases.map((c) => {
    const stats = rounds.get(c.name) ?? []
    const avgNs = median(stats.map((s) => s.avgNs))
    return {
      name: c.name,
      avgNs,
      p50Ns: median(stats.map((s) => s.p50Ns)),
      p99Ns: median(stats.map((s) => s.p99Ns)),
      opsPerSecond: 1e9 / avgNs,
      roundsNs: stats.map((s) => s.avgNs),
    }
  })
  const floor = measured.find((c) => c.name === group.floor)
  if (!floor) throw new Error(`bench group ${group.id}: floor case "${group.floor}" was not measured`)
  const results: CaseResult[] = measured.map((c) => ({ ...c, ratio: c.avgNs / floor.avgNs }))
  const value = lookup(group, new Map(results.map((c) => [c.name, c.avgNs])))
  return {
    id: group.id,
    number: group.number,
    title: group.title,
    about: group.about,
    floor: group.floor,
    cases: results,
    targets: (group.targets ?? []).map((target) => evaluateTarget(target, value)),
    observations: [],
    notes,
  }
}

async function runTable(group: BenchGroup, context: BenchContext, options: RunOptions): Promise<GroupResult> {
  if (!group.table) throw new Error(`bench group ${group.id}: no table`)
  const table = await group.table(context, options)
  const targets = (group.targets ?? []).map((target) => {
    const column = target.column
    if (column === undefined)
      throw new Error(`bench group ${group.id}: target "${target.label}" needs a column`)
    const values = new Map<string, number>()
    for (const row of table.rows) {
      const cell = row.values[column]
      if (typeof cell === 'number') values.set(row.name, cell)
    }
    return evaluateTarget(target, lookup(group, values))
  })
  return {
    id: group.id,
    number: group.number,
    title: group.title,
    about: group.about,
    cases: [],
    table,
    targets,
    observations: [],
    notes: table.notes ?? [],
  }
}

/** Measures every case of `group`: a discarded warm-up round, then interleaved rounds, medians kept. */
export async function runGroup(
  group: BenchGroup,
  context: BenchContext,
  options: RunOptions,
): Promise<GroupResult> {
  const result = group.table
    ? await runTable(group, context, options)
    : await runTimed(group, context, options)
  if (group.summarize) result.observations.push(...group.summarize(result))
  return result
}

import { MemoryStore } from '@stratacache/core'
import { type CountingLoader, countingLoader } from '../counting-loader'
import type { BenchCase, GroupResult } from '../harness'
import { MAX_ENTRIES, type SmallValue } from '../payload'
import { roundRobin } from '../round-robin'

/** The argument of every 1-key case: one hot key, so only the cost of building it differs from the static key. */
export const ID = 42

/** How many distinct arguments the round-robin cases read. */
export const ROUND_ROBIN_KEYS = 1_000

/** The object argument of the omitted-key cases: a query of a few fields, as a DTO would be. */
export interface Query {
  id: number
  org: string
  active: boolean
}

/** The query for `id` (fields created in a non-sorted order, as code usually writes them). */
export function queryOf(id: number): Query {
  return { id, org: 'acme', active: id % 2 === 0 }
}

/** How many keys a case reads, for case names. */
export type KeyCount = 1 | typeof ROUND_ROBIN_KEYS

/** Both key counts, in the order of the rows. */
export const KEY_COUNTS: readonly KeyCount[] = [1, ROUND_ROBIN_KEYS]

/** `, 1 key` or `, 1,000 keys`. */
export function keysLabel(count: KeyCount): string {
  return count === 1 ? ', 1 key' : `, ${count.toLocaleString('en')} keys`
}

/** The arguments a case reads: `[ID]`, or `0..999` round-robin. */
export function argumentsFor(count: KeyCount): number[] {
  return count === 1 ? [ID] : Array.from({ length: count }, (_, i) => i)
}

/** stratacache's store in the hit groups: a MemoryStore bounded like the peers. */
export const boundedStore = (): MemoryStore => new MemoryStore({ maxEntries: MAX_ENTRIES })

/**
 * Builds a case that reads `ids` round-robin through `read`, after proving it measures hits: every
 * id loads once on a first pass, then a second full pass calls the loader zero times (a case that
 * silently missed would look fast for the wrong reason).
 */
export async function hitCase<V>(
  name: string,
  ids: readonly V[],
  build: (loader: CountingLoader) => (id: V) => unknown,
): Promise<BenchCase> {
  const loader = countingLoader()
  const read = build(loader)
  for (const id of ids) await read(id)
  const loads = loader.calls
  for (const id of ids) await read(id)
  if (loads !== ids.length || loader.calls !== loads) {
    throw new Error(
      `bench case "${name}": the loader ran ${loader.calls} times for ${ids.length} keys read twice (expected ${ids.length})`,
    )
  }
  if (ids.length === 1) {
    const only = ids[0] as V
    return { name, fn: () => read(only) }
  }
  const next = roundRobin(ids)
  return { name, fn: () => read(next()) }
}

/** How many times faster than the fastest of `peers` the case `subject` is. */
export function fastestPeerNote(result: GroupResult, subject: string, peers: readonly string[]): string {
  const ours = result.cases.find((c) => c.name === subject)
  const rivals = result.cases.filter((c) => peers.includes(c.name)).sort((a, b) => a.avgNs - b.avgNs)
  const fastest = rivals[0]
  if (!ours || !fastest) return 'no peer measured'
  return `${subject} is **${(fastest.avgNs / ours.avgNs).toFixed(1)}× faster** than the fastest peer (${fastest.name}).`
}

export type { SmallValue }

/**
 * `SCAN` over a whole Redis Cluster, all or error: every slot range of the cluster's own slot map
 * (`CLUSTER SLOTS`) must be walked on the master serving it, or the walk ends in a
 * {@link ClusterCoverageError} naming what was missed. The masters the client happens to know are
 * not enough: after a master dies, ioredis drops it, and a `clear()` that skipped it would
 * resolve while its keys come back with it.
 * @packageDocumentation
 */
import type { Cluster, Redis } from 'ioredis'

const SLOT_COUNT = 16_384

/** How many keys one `SCAN` step asks for, and so the largest batch a caller deletes at once. */
export const SCAN_COUNT = 1000

/**
 * A master the walk could not cover, and the slots it serves.
 * @example
 * ```ts
 * const missed: UncoveredNode = { node: '10.0.0.3:6379', slots: ['10923-16383'], reason: 'Connection is closed.' }
 * ```
 */
export interface UncoveredNode {
  /** `host:port` as the cluster announces it; `'(unassigned)'` for slots no master serves. */
  readonly node: string
  /** The slot ranges it serves, e.g. `'0-5460'`. */
  readonly slots: string[]
  /** Why it was not covered. */
  readonly reason: string
}

/**
 * Not every slot of the cluster was scanned: the keys of {@link ClusterCoverageError.uncovered}
 * were neither seen nor removed. The message names each node, its slots and the reason.
 * @example
 * ```ts
 * if (error.cause instanceof ClusterCoverageError) alert(error.cause.uncovered.map((u) => u.node))
 * ```
 */
export class ClusterCoverageError extends Error {
  /** The masters (or unassigned ranges) not covered. */
  readonly uncovered: UncoveredNode[]
  /** How many of the 16384 slots were not covered. */
  readonly uncoveredSlots: number

  constructor(uncovered: UncoveredNode[], uncoveredSlots: number) {
    const parts = uncovered.map((u) => `${u.node} (slots ${u.slots.join(', ')}): ${u.reason}`)
    super(
      `${uncoveredSlots} of ${SLOT_COUNT} cluster slots were not scanned, so their keys were left in place: ${parts.join('; ')}`,
    )
    this.name = 'ClusterCoverageError'
    this.uncovered = uncovered
    this.uncoveredSlots = uncoveredSlots
  }
}

type SlotRange = [start: number, end: number, master: [host: string, port: number, ...rest: unknown[]]]

interface Master {
  readonly address: string
  readonly slots: [number, number][]
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The cluster's slot map from the first node that answers `CLUSTER SLOTS`. */
async function slotMap(
  cluster: Cluster,
  bound: <T>(operation: Promise<T>) => Promise<T>,
): Promise<SlotRange[]> {
  let lastError: unknown
  try {
    // Through the client first: it waits for the cluster to be ready (a fresh client knows no node yet).
    return (await bound(cluster.cluster('SLOTS'))) as unknown as SlotRange[]
  } catch (error) {
    lastError = error
  }
  for (const node of cluster.nodes('all')) {
    try {
      return (await bound(node.cluster('SLOTS'))) as unknown as SlotRange[]
    } catch (error) {
      lastError = error
    }
  }
  throw new Error(`no cluster node answered CLUSTER SLOTS: ${describeError(lastError)}`, { cause: lastError })
}

function mastersOf(ranges: SlotRange[]): { masters: Master[]; unassigned: [number, number][] } {
  const byAddress = new Map<string, Master>()
  const covered = new Uint8Array(SLOT_COUNT)
  for (const [start, end, [host, port]] of ranges) {
    const address = `${host}:${port}`
    const master = byAddress.get(address) ?? { address, slots: [] }
    byAddress.set(address, master)
    master.slots.push([start, end])
    covered.fill(1, start, end + 1)
  }
  const unassigned: [number, number][] = []
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    if (covered[slot]) continue
    let end = slot
    while (end + 1 < SLOT_COUNT && !covered[end + 1]) end++
    unassigned.push([slot, end])
    slot = end
  }
  return { masters: [...byAddress.values()], unassigned }
}

/** The client's connection to the master at `address`, if it has one. */
function connectionTo(cluster: Cluster, address: string): Redis | undefined {
  const nodes = cluster.nodes('master')
  const exact = nodes.find((node) => `${node.options.host}:${node.options.port}` === address)
  if (exact !== undefined) return exact
  // The client may know the node under another host name (natMap, DNS): match on the port alone
  // when exactly one master listens on it.
  const port = Number(address.slice(address.lastIndexOf(':') + 1))
  const byPort = nodes.filter((node) => node.options.port === port)
  return byPort.length === 1 ? byPort[0] : undefined
}

/** Asks the client to reload its slot map and connect to the masters it names. */
function refreshSlots(cluster: Cluster): Promise<void> {
  return new Promise((resolve, reject) =>
    cluster.refreshSlotsCache((error) => (error ? reject(error) : resolve())),
  )
}

const rangeText = ([start, end]: [number, number]) => (start === end ? `${start}` : `${start}-${end}`)
const slotCount = (ranges: [number, number][]) =>
  ranges.reduce((sum, [start, end]) => sum + end - start + 1, 0)

/**
 * Every key matching the Redis glob `match` on every master of `cluster`, in batches. Each Redis
 * call goes through `bound` (e.g. a timeout). After yielding what the reachable masters hold, it
 * throws a {@link ClusterCoverageError} if any slot range was not walked (its master unreachable
 * or failing mid-walk, or the slots unassigned); a failure to read the slot map throws at once.
 *
 * @example
 * ```ts
 * for await (const keys of scanCluster(cluster, 'app:*', (p) => p)) await unlinkBySlot(keys)
 * ```
 */
export async function* scanCluster(
  cluster: Cluster,
  match: string,
  bound: <T>(operation: Promise<T>) => Promise<T>,
): AsyncGenerator<string[]> {
  const { masters, unassigned } = mastersOf(await slotMap(cluster, bound))
  const uncovered: UncoveredNode[] = []
  if (unassigned.length > 0) {
    uncovered.push({
      node: '(unassigned)',
      slots: unassigned.map(rangeText),
      reason: 'no master serves them',
    })
  }
  let uncoveredSlots = slotCount(unassigned)
  if (masters.some((master) => connectionTo(cluster, master.address) === undefined)) {
    // A master came back (or moved) since the client last looked: let it reconnect first.
    await bound(refreshSlots(cluster)).catch(() => {})
  }
  for (const master of masters) {
    const node = connectionTo(cluster, master.address)
    let reason: string | undefined
    if (node === undefined) reason = 'the client has no connection to it'
    else {
      try {
        let cursor = '0'
        do {
          const [next, keys] = await bound(node.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT))
          cursor = next
          if (keys.length > 0) yield keys
        } while (cursor !== '0')
      } catch (error) {
        reason = describeError(error)
      }
    }
    if (reason !== undefined) {
      uncovered.push({ node: master.address, slots: master.slots.map(rangeText), reason })
      uncoveredSlots += slotCount(master.slots)
    }
  }
  if (uncovered.length > 0) throw new ClusterCoverageError(uncovered, uncoveredSlots)
}

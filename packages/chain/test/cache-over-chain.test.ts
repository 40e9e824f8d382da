// cache() end to end over chains: two "processes" (each its own memory tier) sharing one FileStore
// directory and one MemoryBus, as the demo runs them.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canTryGetSync, createCache, isSyncStore, MemoryBus, MemoryStore } from '@stratacache/core'
import { ManualClock } from '@stratacache/core/testing'
import { FileStore } from '@stratacache/file'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ChainStore } from '../src/chain-store'

describe('cache() over ChainStore (memory over file)', () => {
  let dir = ''
  const chains: ChainStore[] = []
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stratacache-chain-cache-'))
  })
  afterEach(async () => {
    await Promise.all(chains.splice(0).map((chain) => chain.close()))
    await rm(dir, { recursive: true, force: true })
  })

  /** The caller is not held on the store write: wait until it reached the shared (file) tier. */
  async function landed(chain: ChainStore, key: string): Promise<void> {
    await vi.waitFor(async () => expect(await chain.stores[1]?.has(key)).toBe(true))
  }

  function process(clock: ManualClock, bus: MemoryBus) {
    const l1 = new MemoryStore({ clock, maxEntries: 100 })
    const chain = new ChainStore([{ store: l1, ttl: 30 }, { store: new FileStore({ dir, clock }) }], {
      clock,
      bus,
      namespace: 'reports',
    })
    chains.push(chain)
    const { cache } = createCache({ store: chain, clock })
    const calls: number[] = []
    const report = cache({ ttl: '5m', key: 'report:{0}' })(async (year: number) => {
      calls.push(year)
      return { year, rows: calls.length }
    })
    return { l1, chain, report, calls }
  }

  it('computes once across processes, serves from the first tier, and invalidates the other process', async () => {
    const clock = new ManualClock()
    const bus = new MemoryBus()
    const a = process(clock, bus)
    const b = process(clock, bus)
    expect(isSyncStore(a.chain)).toBe(false)

    expect(await a.report(2026)).toEqual({ year: 2026, rows: 1 })
    // The caller is not held on the store write: it lands in the file tier just after.
    await landed(a.chain, 'report:2026')
    expect(await b.report(2026)).toEqual({ year: 2026, rows: 1 })
    expect([a.calls, b.calls]).toEqual([[2026], []])
    expect(b.l1.getSync('report:2026')?.value).toEqual({ year: 2026, rows: 1 })

    // The first tier's copy expires after its 30 s cap; the file tier still serves until 5 minutes.
    await clock.advance(30_000)
    expect(b.l1.getSync('report:2026')).toBeUndefined()
    expect(await b.report(2026)).toEqual({ year: 2026, rows: 1 })
    expect(b.calls).toEqual([])

    // Invalidation through one process reaches the other's first tier through the bus.
    expect(b.l1.getSync('report:2026')).toBeDefined()
    await a.report.invalidate(2026)
    expect(b.l1.getSync('report:2026')).toBeUndefined()
    expect(await b.report(2026)).toEqual({ year: 2026, rows: 1 })
    expect(b.calls).toEqual([2026])
  })

  it('a first-tier hit is answered at once, through tryGetSync, without the async get', async () => {
    const clock = new ManualClock()
    const { chain, report } = process(clock, new MemoryBus())
    expect(canTryGetSync(chain)).toBe(true)
    const first = await report(2026)
    const asyncReads: string[] = []
    const get = chain.get.bind(chain)
    chain.get = (key: string) => {
      asyncReads.push(key)
      return get(key)
    }
    expect(await report(2026)).toBe(first)
    expect(asyncReads).toEqual([])
    expect(await report(2027)).toEqual({ year: 2027, rows: 2 }) // a first-tier miss asks get()
    expect(asyncReads).toEqual(['report:2027'])
    await landed(chain, 'report:2027')
  })

  it('a synchronous function cached over an all-memory chain stays synchronous', () => {
    const clock = new ManualClock()
    const l1 = new MemoryStore({ clock, maxEntries: 10 })
    const l2 = new MemoryStore({ clock, maxEntries: 100 })
    const chain = new ChainStore([{ store: l1 }, { store: l2 }], { clock })
    chains.push(chain)
    const { cache } = createCache({ store: chain, clock })
    let calls = 0
    const square = cache({ ttl: 60, key: 'square:{0}' })((n: number) => {
      calls++
      return n * n
    })
    expect(square(3)).toBe(9)
    l1.deleteSync('square:3')
    expect(square(3)).toBe(9)
    expect(calls).toBe(1)
    expect(l1.size).toBe(1)
  })
})

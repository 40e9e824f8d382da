import { createCache, MemoryStore } from '@stratacache/core'
import { countingLoader, expectHits } from '../counting-loader'
import type { BenchGroup } from '../harness'
import { type SmallValue, smallValue, TTL_SECONDS } from '../payload'

const MAP = 'Map.get, static key'
const READ = 'bg.read getter'
const BG = 'bg() getter (awaited)'
const FRESH = 'cache() async, fresh hit'
const STALE = 'cache() async, stale entry served (SWR)'

/** Polls `check` every millisecond, at most `limitMs`; throws `what` when it never holds. */
async function waitUntil(what: string, check: () => boolean, limitMs = 5_000): Promise<void> {
  const deadline = Date.now() + limitMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/** Group 4: reading a value kept fresh in the background, and serving a stale entry. */
export const bgReadGroup: BenchGroup = {
  id: 'bg-read',
  number: '4',
  title: 'Background refresh: bg.read and the SWR stale serve',
  about: [
    '`bg.read` returns the local mirror of an entry a `bg.write` keeps fresh (interval 60 s, store: a `MemoryStore`), against',
    '`Map.get` with a static key. Also: awaiting the `bg()` getter, and a `cache()` hit on an entry past its `ttl` but',
    'within `stale` (`ttl: "1ms", stale: "1h"`): the stale value is served while the one background refresh it started',
    '(held pending for the whole measurement) is in flight, so every measured call is a stale serve.',
  ].join(' '),
  floor: MAP,
  targets: [
    {
      label: '`bg.read` getter ≤ 1.5× `Map.get`',
      source: 'issue 4',
      subject: READ,
      baseline: MAP,
      kind: 'atMost',
      ratio: 1.5,
    },
  ],
  async setup() {
    const map = new Map<string, SmallValue>([['rates', smallValue(1)]])
    const store = new MemoryStore({ maxEntries: 100 })
    const instance = createCache({ store })
    instance.bg.write({ interval: TTL_SECONDS, key: 'rates', store })(async () => smallValue(1))
    const read = instance.bg.read<SmallValue>('rates', { interval: TTL_SECONDS, store })
    await read.ready
    await waitUntil('the bg.read mirror', () => read() !== undefined)
    const flags = instance.bg({ interval: TTL_SECONDS, key: 'flags' })(async () => smallValue(2))
    await flags()

    const freshLoader = countingLoader()
    const fresh = instance.cache({ ttl: TTL_SECONDS, key: 'fresh' })(async () => freshLoader.load(3))
    await expectHits(FRESH, () => fresh(), freshLoader)

    // The first call loads; every later call hangs on `held` until teardown: one refresh stays in flight.
    let loads = 0
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const stale = instance.cache({ ttl: '1ms', stale: '1h', key: 'swr' })(async () => {
      loads++
      if (loads > 1) await held
      return smallValue(4)
    })
    await stale()
    await new Promise((resolve) => setTimeout(resolve, 5))
    for (let i = 0; i < 100; i++) await stale()
    if (loads !== 2)
      throw new Error(`bench case "${STALE}": ${loads} loads (expected 2: the first, then one refresh)`)

    const notes: string[] = []
    return {
      cases: [
        { name: MAP, fn: () => map.get('rates') },
        { name: READ, fn: () => read() },
        { name: BG, fn: () => flags() },
        { name: FRESH, fn: () => fresh() },
        { name: STALE, fn: () => stale() },
      ],
      notes,
      teardown: async () => {
        if (loads !== 2)
          notes.push(`${loads - 2} more refreshes started during the SWR measurement (expected none).`)
        release()
        await instance.bg.shutdown()
      },
    }
  },
}

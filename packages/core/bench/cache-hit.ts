/**
 * The cost of a `cache()` hit over the default MemoryStore, against hand-written Map memoizers
 * and lru-cache's `memo()`, printed in ns/op and as the ratios the project targets:
 *
 *   async static key   <= 1.5x  async Map memoizer
 *   async `{0}` key     <= 1.5x  async static key
 *   sync static key    <= 3x    sync Map memoizer, and <= lru-cache memo()
 *
 * Run from packages/core on a quiet machine (rounds are interleaved across contenders and the
 * median is kept, but a loaded machine still skews small numbers):
 *
 *   node --import tsx bench/cache-hit.ts
 */
import { LRUCache } from 'lru-cache'
import { createCache } from '../src/create-cache'

const OPS = 1_000_000
const ROUNDS = 9

const { cache } = createCache()

const asyncMap = new Map<string, number>()
async function asyncMapMemo(id: number): Promise<number> {
  const key = `k:${id}`
  const hit = asyncMap.get(key)
  if (hit !== undefined) return hit
  asyncMap.set(key, id * 2)
  return id * 2
}
const syncMap = new Map<string, number>()
function syncMapMemo(id: number): number {
  const key = `k:${id}`
  const hit = syncMap.get(key)
  if (hit !== undefined) return hit
  syncMap.set(key, id * 2)
  return id * 2
}
const lru = new LRUCache<string, number>({ max: 1000, ttl: 60_000, memoMethod: (key) => key.length })

const asyncStatic = cache({ ttl: 60, key: 'static' })(async () => 2)
const asyncTemplate = cache({ ttl: 60, key: 'k:{0}' })(async (id: number) => id * 2)
const syncStatic = cache({ ttl: 60, key: 'static' })(() => 2)
const syncTemplate = cache({ ttl: 60, key: 'k:{0}' })((id: number) => id * 2)

type Contender = { name: string; run(ops: number): Promise<number> | number }
let sink = 0
const contenders: Contender[] = [
  {
    name: 'async Map memoizer (floor)',
    async run(ops) {
      for (let i = 0; i < ops; i++) sink += await asyncMapMemo(1)
      return ops
    },
  },
  {
    name: 'cache() async, static key',
    async run(ops) {
      for (let i = 0; i < ops; i++) sink += await asyncStatic()
      return ops
    },
  },
  {
    name: 'cache() async, {0} key',
    async run(ops) {
      for (let i = 0; i < ops; i++) sink += await asyncTemplate(1)
      return ops
    },
  },
  {
    name: 'sync Map memoizer (floor)',
    run(ops) {
      for (let i = 0; i < ops; i++) sink += syncMapMemo(1)
      return ops
    },
  },
  {
    name: 'lru-cache memo()',
    run(ops) {
      for (let i = 0; i < ops; i++) sink += lru.memo('static')
      return ops
    },
  },
  {
    name: 'cache() sync, static key',
    run(ops) {
      for (let i = 0; i < ops; i++) sink += syncStatic()
      return ops
    },
  },
  {
    name: 'cache() sync, {0} key',
    run(ops) {
      for (let i = 0; i < ops; i++) sink += syncTemplate(1)
      return ops
    },
  },
]

const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
for (const contender of contenders) await contender.run(OPS / 10) // warm up
for (let round = 0; round < ROUNDS; round++) {
  for (const contender of contenders) {
    const started = performance.now()
    const ops = await contender.run(OPS)
    samples.get(contender.name)!.push(((performance.now() - started) * 1e6) / ops)
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const ns = new Map([...samples].map(([name, values]) => [name, median(values)]))
for (const [name, value] of ns) console.log(`${name.padEnd(30)} ${value.toFixed(1).padStart(8)} ns/op`)
const ratio = (a: string, b: string) => (ns.get(a)! / ns.get(b)!).toFixed(2)
console.log()
console.log(
  `async static / async Map   ${ratio('cache() async, static key', 'async Map memoizer (floor)')}  (target <= 1.5)`,
)
console.log(
  `async {0} / async static   ${ratio('cache() async, {0} key', 'cache() async, static key')}  (target <= 1.5)`,
)
console.log(
  `sync static / sync Map     ${ratio('cache() sync, static key', 'sync Map memoizer (floor)')}  (target <= 3)`,
)
console.log(
  `sync static / lru memo()   ${ratio('cache() sync, static key', 'lru-cache memo()')}  (target <= 1)`,
)
if (sink === 0) console.log('unreachable')

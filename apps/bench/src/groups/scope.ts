import { createCache, MemoryStore } from '@stratacache/core'
import { withCacheMode } from '@stratacache/core/scope'
import { countingLoader, expectHits } from '../counting-loader'
import type { BenchCase, BenchGroup } from '../harness'
import { MAX_ENTRIES, TTL_SECONDS } from '../payload'

const IDLE = 'stratacache cache() sync hit, scope module used, no scope running'
const BUSY = 'stratacache cache() sync hit, another call’s scope running'
const INSIDE = 'stratacache cache() sync hit inside withCacheMode("normal")'

/** The engine's link to the scope module (see core's `cache-mode.ts`): how many scopes run. */
const hook = (globalThis as Record<symbol, { active: number }>)[Symbol.for('stratacache.scope-hook')]

/** Group 16a: what `@stratacache/core/scope` costs a hit. */
export const scopeGroup: BenchGroup = {
  id: 'scope',
  number: '16a',
  title: 'Scoped modes: cost on a hit',
  about: [
    'A synchronous `cache()` hit over a `MemoryStore` after `@stratacache/core/scope` was used. Cached calls read one',
    'process-wide count of running scopes and consult `AsyncLocalStorage` only while it is not 0, so with no scope',
    'running a hit costs what it costs before the module is used (the floor). The second row sets the count as if',
    'another request’s scope were running (each row writes the count, so both pay the same write); the third runs',
    'each hit inside `withCacheMode("normal", …)`, the cost of entering a scope included.',
  ].join(' '),
  floor: IDLE,
  targets: [],
  async setup() {
    withCacheMode('normal', () => undefined)
    if (hook === undefined) throw new Error('the scope hook is not installed')
    const { cache } = createCache({ store: new MemoryStore({ maxEntries: MAX_ENTRIES }) })
    const cases: BenchCase[] = []
    const add = async (name: string, fn: () => unknown, loader: ReturnType<typeof countingLoader>) => {
      await expectHits(name, fn, loader)
      cases.push({ name, fn })
    }
    for (const [name, active] of [
      [IDLE, 0],
      [BUSY, 1],
    ] as const) {
      const loader = countingLoader()
      const cached = cache({ ttl: TTL_SECONDS, key: `static:${active}` })(() => loader.sync(1))
      await add(
        name,
        () => {
          hook.active = active
          const value = cached()
          hook.active = 0
          return value
        },
        loader,
      )
    }
    const loader = countingLoader()
    const cached = cache({ ttl: TTL_SECONDS, key: 'inside' })(() => loader.sync(1))
    await add(INSIDE, () => withCacheMode('normal', cached), loader)
    return { cases }
  },
}

// TEMPORARY test fixture until `store/memory-store.ts` (memory area) lands: a minimal
// Map-backed store judging expiry on the injected clock. Async-only on purpose (no sync twins),
// so the non-atomic fallback paths are exercised. Not exported from any entry.
import type { Clock } from '../clock'
import type { InstanceDefaults } from '../instance-defaults'
import { NULL_METRICS } from '../metrics/collector'
import { isDead } from '../store/entry'
import type { CacheEntry, CacheStore } from '../store/store'

export class MapStore implements CacheStore {
  readonly name = 'map'
  readonly #entries = new Map<string, CacheEntry>()
  constructor(private readonly clock: Clock) {}

  #live(key: string): CacheEntry | undefined {
    const entry = this.#entries.get(key)
    if (entry && isDead(entry, this.clock.now())) this.#entries.delete(key)
    return this.#entries.get(key)
  }
  async get(key: string) {
    return this.#live(key)
  }
  async set(key: string, entry: CacheEntry) {
    this.#entries.set(key, entry)
  }
  async delete(key: string) {
    const existed = this.#live(key) !== undefined
    this.#entries.delete(key)
    return existed
  }
  async has(key: string) {
    return this.#live(key) !== undefined
  }
  async getMany(keys: string[]) {
    return keys.map((key) => this.#live(key))
  }
  async setMany(items: [string, CacheEntry][]) {
    for (const [key, entry] of items) this.#entries.set(key, entry)
  }
  async deleteMany(keys: string[]) {
    let count = 0
    for (const key of keys) if (await this.delete(key)) count++
    return count
  }
  async setIfAbsent(key: string, entry: CacheEntry) {
    if (this.#live(key) !== undefined) return false
    this.#entries.set(key, entry)
    return true
  }
  async deleteMatching(): Promise<number> {
    throw new Error('not needed')
  }
  async clear() {
    this.#entries.clear()
  }
  async close() {}
  keys(): string[] {
    return [...this.#entries.keys()]
  }
}

/** Instance defaults over `store` and `clock`, for building lock/once/pool/pooled directly. */
export function defaultsFor(
  store: CacheStore,
  clock: Clock,
  overrides: Partial<InstanceDefaults> = {},
): InstanceDefaults {
  return {
    store: () => store,
    hasExplicitStore: true,
    prefix: 'app',
    ttl: undefined,
    metrics: NULL_METRICS,
    onError: () => {},
    clock,
    ...overrides,
  }
}

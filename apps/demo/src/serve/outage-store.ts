import { type CacheEntry, type CacheStore, CacheStoreError } from '@stratacache/core'

/**
 * A tier that can be switched off: while `down`, every operation rejects with a
 * `CacheStoreError`, as a backend that stopped answering does. The demo's outage button flips it.
 * Its data survives the outage (a Redis that comes back with its memory), except for a memory
 * tier, which the demo clears on the way back up (a restarted process starts cold).
 */
export class OutageStore implements CacheStore {
  readonly name: string
  /** Whether the tier is failing. */
  down = false
  readonly #inner: CacheStore

  constructor(inner: CacheStore) {
    this.#inner = inner
    this.name = inner.name
  }

  #check(operation: string): void {
    if (this.down) {
      throw new CacheStoreError(`${this.name}: simulated outage`, { store: this.name, operation })
    }
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    this.#check('get')
    return this.#inner.get(key)
  }
  async set(key: string, entry: CacheEntry): Promise<void> {
    this.#check('set')
    return this.#inner.set(key, entry)
  }
  async delete(key: string): Promise<boolean> {
    this.#check('delete')
    return this.#inner.delete(key)
  }
  async has(key: string): Promise<boolean> {
    this.#check('has')
    return this.#inner.has(key)
  }
  async getMany(keys: string[]): Promise<(CacheEntry | undefined)[]> {
    this.#check('getMany')
    return this.#inner.getMany(keys)
  }
  async setMany(items: [string, CacheEntry][]): Promise<void> {
    this.#check('setMany')
    return this.#inner.setMany(items)
  }
  async deleteMany(keys: string[]): Promise<number> {
    this.#check('deleteMany')
    return this.#inner.deleteMany(keys)
  }
  async setIfAbsent(key: string, entry: CacheEntry): Promise<boolean> {
    this.#check('setIfAbsent')
    return this.#inner.setIfAbsent(key, entry)
  }
  async deleteMatching(pattern: string): Promise<number> {
    this.#check('deleteMatching')
    return this.#inner.deleteMatching(pattern)
  }
  async clear(): Promise<void> {
    this.#check('clear')
    return this.#inner.clear()
  }
  /** The entries the tier holds, when it can tell (a memory tier): `instrument` then reports them. */
  get size(): number | undefined {
    return (this.#inner as { size?: number }).size
  }
  /** The approximate bytes the tier holds, when it can tell. */
  get bytes(): number | undefined {
    return (this.#inner as { bytes?: number }).bytes
  }
  /** Closes the tier, outage or not (shutdown must not fail). */
  close(): Promise<void> {
    return this.#inner.close()
  }
  /** Empties the tier behind the switch (a memory tier restarting cold). */
  wipe(): Promise<void> {
    return this.#inner.clear()
  }
}

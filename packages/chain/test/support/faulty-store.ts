// A test double for fault paths: real MemoryStore behaviour behind an async-only facade, whose
// operations can be switched to fail, or paused until released (to order concurrent operations).
import {
  type CacheEntry,
  type CacheStore,
  type Clock,
  MemoryStore,
  STORE_CAPABILITY_METHODS,
} from '@stratacache/core'

type Operation = Exclude<keyof CacheStore, 'name'>

/** An async-only store over a MemoryStore whose operations fail or pause on demand. */
export class FaultyStore implements CacheStore {
  readonly name: string
  readonly inner: MemoryStore
  /** Operations that reject with `Error('<name> <operation> exploded')`. */
  readonly failing = new Set<Operation>()
  /** How many times each operation was called. */
  readonly calls = new Map<Operation, number>()
  readonly #paused = new Map<Operation, Promise<void>>()

  constructor(clock: Clock, name = 'faulty') {
    this.name = name
    this.inner = new MemoryStore({ clock, maxEntries: Number.POSITIVE_INFINITY })
  }

  /** Makes every operation fail (`true`) or work again (`false`). */
  down(isDown: boolean): void {
    for (const operation of STORE_CAPABILITY_METHODS.protocol) {
      if (isDown) this.failing.add(operation)
      else this.failing.delete(operation)
    }
  }

  /**
   * Holds the answers of calls of `operation` made from now on (their work is done at once) until
   * the returned function is called.
   */
  pause(operation: Operation): () => void {
    let release = (): void => {}
    this.#paused.set(
      operation,
      new Promise<void>((resolve) => {
        release = resolve
      }),
    )
    return () => {
      this.#paused.delete(operation)
      release()
    }
  }

  async #run<T>(operation: Operation, run: () => Promise<T>): Promise<T> {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1)
    if (this.failing.has(operation)) throw new Error(`${this.name} ${operation} exploded`)
    const result = await run()
    // A paused operation has done its work; its answer arrives when released.
    const paused = this.#paused.get(operation)
    if (paused !== undefined) await paused
    return result
  }

  get(key: string): Promise<CacheEntry | undefined> {
    return this.#run('get', () => this.inner.get(key))
  }
  set(key: string, entry: CacheEntry): Promise<void> {
    return this.#run('set', () => this.inner.set(key, entry))
  }
  delete(key: string): Promise<boolean> {
    return this.#run('delete', () => this.inner.delete(key))
  }
  has(key: string): Promise<boolean> {
    return this.#run('has', () => this.inner.has(key))
  }
  getMany(keys: string[]): Promise<(CacheEntry | undefined)[]> {
    return this.#run('getMany', () => this.inner.getMany(keys))
  }
  setMany(items: [string, CacheEntry][]): Promise<void> {
    return this.#run('setMany', () => this.inner.setMany(items))
  }
  deleteMany(keys: string[]): Promise<number> {
    return this.#run('deleteMany', () => this.inner.deleteMany(keys))
  }
  setIfAbsent(key: string, entry: CacheEntry): Promise<boolean> {
    return this.#run('setIfAbsent', () => this.inner.setIfAbsent(key, entry))
  }
  deleteMatching(pattern: string): Promise<number> {
    return this.#run('deleteMatching', () => this.inner.deleteMatching(pattern))
  }
  clear(): Promise<void> {
    return this.#run('clear', () => this.inner.clear())
  }
  close(): Promise<void> {
    return this.#run('close', () => this.inner.close())
  }
}

// Test doubles for the cache wrapper's fault paths: real MemoryStore behaviour behind an
// async-only facade, with switches to make operations throw, hang, or count calls.
import type { Clock } from '../clock'
import { MemoryStore } from '../store/memory-store'
import type { CacheEntry, CacheStore } from '../store/store'

type Operation = 'get' | 'set' | 'delete' | 'setIfAbsent' | 'clear' | 'deleteMatching'

/** An async-only store (no sync twins) over a MemoryStore, whose operations can fail or hang on demand. */
export class FaultyStore implements CacheStore {
  readonly name = 'faulty'
  readonly inner: MemoryStore
  readonly calls: Record<Operation, number> = {
    get: 0,
    set: 0,
    delete: 0,
    setIfAbsent: 0,
    clear: 0,
    deleteMatching: 0,
  }
  /** Operations that throw. */
  readonly failing = new Set<Operation>()
  /** Operations that never settle. */
  readonly hanging = new Set<Operation>()

  constructor(clock: Clock) {
    this.inner = new MemoryStore({ clock, maxEntries: Number.POSITIVE_INFINITY })
  }

  #run<T>(operation: Operation, run: () => Promise<T>): Promise<T> {
    this.calls[operation]++
    if (this.failing.has(operation)) return Promise.reject(new Error(`${operation} exploded`))
    if (this.hanging.has(operation)) return new Promise<T>(() => {})
    return run()
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
    return this.inner.has(key)
  }
  getMany(keys: string[]): Promise<(CacheEntry | undefined)[]> {
    return this.inner.getMany(keys)
  }
  setMany(items: [string, CacheEntry][]): Promise<void> {
    return this.inner.setMany(items)
  }
  deleteMany(keys: string[]): Promise<number> {
    return this.inner.deleteMany(keys)
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
    return this.inner.close()
  }
}

/** A sync store whose synchronous read and write throw. */
export class ThrowingSyncStore extends MemoryStore {
  override getSync(): CacheEntry | undefined {
    throw new Error('getSync exploded')
  }
  override setSync(): void {
    throw new Error('setSync exploded')
  }
}

/** A promise whose settlement the test controls. */
export function deferred<T>(): {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (error: unknown) => void
} {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

// Test support (not published): a store whose backend can be frozen like a SIGSTOPped server.
import type { Clock } from '../../src/clock'
import type { CoordinationStore } from '../../src/coordination/coordination-store'
import { fallbackCoordination } from '../../src/coordination/fallback-coordination'
import { CacheTimeoutError } from '../../src/errors'
import type { CacheEntry, CacheStore } from '../../src/store/store'

/**
 * An asynchronous store over `inner` that behaves like a remote backend that can freeze: while
 * frozen, every command is queued and its caller is rejected with `CacheTimeoutError` after
 * `timeoutMs` (on `clock`), yet the command still runs, in order, when the backend thaws — as a
 * command already on the socket does when a frozen Redis resumes. Each coordination primitive is
 * one command (atomic on the synchronous `inner`), like a Redis `SET NX PX` or Lua script.
 */
export class FreezableStore implements CacheStore, CoordinationStore {
  readonly name = 'freezable'
  #frozen = false
  readonly #queue: (() => Promise<void>)[] = []
  readonly #primitives: CoordinationStore

  constructor(
    private readonly inner: CacheStore,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {
    this.#primitives = fallbackCoordination(inner, clock)
  }

  acquireLock(key: string, token: string, ttlMs: number) {
    return this.#run('acquireLock', () => this.#primitives.acquireLock(key, token, ttlMs))
  }
  releaseLock(key: string, token: string) {
    return this.#run('releaseLock', () => this.#primitives.releaseLock(key, token))
  }
  lockOwner(key: string) {
    return this.#run('lockOwner', () => this.#primitives.lockOwner(key))
  }
  acquireSlot(key: string, maxSize: number, token: string, ttlMs: number) {
    return this.#run('acquireSlot', () => this.#primitives.acquireSlot(key, maxSize, token, ttlMs))
  }
  releaseSlot(key: string, token: string, maxSize: number) {
    return this.#run('releaseSlot', () => this.#primitives.releaseSlot(key, token, maxSize))
  }
  countSlots(key: string, maxSize: number) {
    return this.#run('countSlots', () => this.#primitives.countSlots(key, maxSize))
  }

  freeze(): void {
    this.#frozen = true
  }

  /** Runs every queued command in order, then serves calls directly again. */
  async thaw(): Promise<void> {
    this.#frozen = false
    while (this.#queue.length > 0) await this.#queue.shift()!()
  }

  #run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    if (!this.#frozen) return command()
    return new Promise<T>((resolve, reject) => {
      let settled = false
      this.clock.setTimeout(() => {
        if (settled) return
        settled = true
        reject(
          new CacheTimeoutError(`freezable ${operation} timed out`, {
            store: this.name,
            operation,
            timeoutMs: this.timeoutMs,
          }),
        )
      }, this.timeoutMs)
      this.#queue.push(async () => {
        const result = await command().catch((error: unknown) => ({ failed: error }))
        if (settled) return
        settled = true
        if (typeof result === 'object' && result !== null && 'failed' in result) reject(result.failed)
        else resolve(result as T)
      })
    })
  }

  get(key: string) {
    return this.#run('get', () => this.inner.get(key))
  }
  set(key: string, entry: CacheEntry) {
    return this.#run('set', () => this.inner.set(key, entry))
  }
  delete(key: string) {
    return this.#run('delete', () => this.inner.delete(key))
  }
  has(key: string) {
    return this.#run('has', () => this.inner.has(key))
  }
  getMany(keys: string[]) {
    return this.#run('getMany', () => this.inner.getMany(keys))
  }
  setMany(items: [string, CacheEntry][]) {
    return this.#run('setMany', () => this.inner.setMany(items))
  }
  deleteMany(keys: string[]) {
    return this.#run('deleteMany', () => this.inner.deleteMany(keys))
  }
  setIfAbsent(key: string, entry: CacheEntry) {
    return this.#run('setIfAbsent', () => this.inner.setIfAbsent(key, entry))
  }
  deleteMatching(pattern: string) {
    return this.#run('deleteMatching', () => this.inner.deleteMatching(pattern))
  }
  clear() {
    return this.#run('clear', () => this.inner.clear())
  }
  close() {
    return this.inner.close()
  }
}

import { type Clock, systemClock } from '../clock'
import { CacheConfigError, CacheStoreError } from '../errors'
import { checkOptionNames, optionNames } from '../option-errors'
import { coarseNow } from './coarse-now'
import { estimateSize } from './estimate-size'
import { globToRegExp, hasWildcard, unescapeGlob } from './glob'
import { type CacheEntry, type FreshReadStore, NOT_FRESH } from './store'

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The most entries kept; past it the least recently used entry is evicted. `Infinity` states
   * that the store is unbounded on purpose (no warning).
   * @defaultValue unbounded (with a one-time warning when `maxBytes` is not given either)
   * @example `new MemoryStore({ maxEntries: 10_000 })`
   */
  maxEntries?: number
  /**
   * The most bytes kept, as measured by {@link MemoryStoreOptions.sizeOf}; past it the least
   * recently used entries are evicted. An entry larger than `maxBytes` on its own is not stored.
   * @defaultValue unbounded
   * @example `new MemoryStore({ maxBytes: 64 * 1024 * 1024 })`
   */
  maxBytes?: number
  /**
   * Measures an entry, in bytes, for `maxBytes` and {@link MemoryStore.bytes}. Called once per
   * write; must return a finite number `>= 0`.
   * @defaultValue a rough heap estimate of the key and the value ({@link estimateSize})
   * @example `new MemoryStore({ maxBytes: 1e8, sizeOf: (value) => (value as Buffer).byteLength })`
   */
  sizeOf?: (value: unknown, key: string) => number
  /**
   * The time source for expiry.
   * @defaultValue `systemClock`
   * @example `new MemoryStore({ clock: new ManualClock() })`
   */
  clock?: Clock
  /**
   * The store's name in logs, metrics and errors.
   * @defaultValue `'memory'`
   */
  name?: string
}

const MEMORY_STORE_OPTION_NAMES = optionNames<MemoryStoreOptions>({
  maxEntries: true,
  maxBytes: true,
  sizeOf: true,
  clock: true,
  name: true,
})

/** The first capacity of the slot arrays; they double as needed, up to `maxEntries`. */
const INITIAL_CAPACITY = 64
/** How many slots a write inspects for dead entries (amortised reclamation, no timers). */
const SWEEP_PER_WRITE = 2
/** How many entries {@link MemoryStore.bytes} samples when sizes are not tracked. */
const BYTES_SAMPLE = 1000

let warnedUnbounded = false

function validateLimit(value: number | undefined, option: string): void {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new CacheConfigError(
      `MemoryStore: \`${option}\` must be a positive integer or Infinity, got ${String(value)}`,
      {
        option,
      },
    )
  }
}

function defaultSizeOf(value: unknown, key: string): number {
  return 16 + key.length * 2 + estimateSize(value)
}

/**
 * An in-process LRU store. Values are kept as they are (no serialization): a hit returns the
 * stored value itself, the same object identity. Bounded by entry count (`maxEntries`) and/or
 * approximate bytes (`maxBytes`); expired entries are never returned.
 *
 * Layout: one `Map` from key to slot and parallel arrays by slot (keys, values, LRU links in
 * `Uint32Array`s, the three timestamps in `Float64Array`s), so an entry costs no object and no
 * boxed numbers of its own. {@link MemoryStore.getSync} builds the returned {@link CacheEntry}
 * on each read; its `value` is the stored value.
 *
 * Dead entries are removed when read, when their slot is reached by the incremental sweep that
 * every write of a new key advances by two slots, by LRU eviction, and by {@link MemoryStore.prune}.
 * No timer is created per key, so TTLs of any length (or `Infinity`) are safe.
 *
 * Time: an injected `clock` is read on every check, exactly. On the default `systemClock` one
 * reading is reused for about a millisecond (and at most 1,024 checks; see `coarseNow`), as with
 * `lru-cache`'s `ttlResolution`. Tests that move time should
 * inject a `ManualClock`. Entries whose `staleUntil` is `Infinity` never read the clock.
 *
 * `close()` releases nothing (the store holds no sockets, timers or handles) and the store
 * keeps working after it; call `clear()` to drop the entries.
 *
 * For metrics exporters: {@link MemoryStore.size} (live and not yet reclaimed entries) and
 * {@link MemoryStore.bytes} (approximate bytes) feed `MetricsCollector.recordMemory(name, bytes, entries)`.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ maxEntries: 10_000 })
 * store.setSync('user:1', createEntry(user, { now: Date.now(), ttlMs: 60_000 }))
 * store.getSync('user:1')?.value === user // true: same object
 * ```
 */
export class MemoryStore implements FreshReadStore {
  /** The store's name, `'memory'` unless given. */
  readonly name: string
  readonly #maxEntries: number
  readonly #maxBytes: number
  readonly #sizeOf: ((value: unknown, key: string) => number) | undefined
  readonly #clock: Clock
  /** Whether time comes from {@link coarseNow} (the default `systemClock`) rather than `#clock`. */
  readonly #coarse: boolean

  #map = new Map<string, number>()
  #keys: (string | undefined)[] = []
  #values: unknown[] = []
  #createdAt = new Float64Array(0)
  #freshUntil = new Float64Array(0)
  #staleUntil = new Float64Array(0)
  #next = new Uint32Array(0)
  #prev = new Uint32Array(0)
  /** Per-slot sizes; only when sizes are tracked (`maxBytes` or `sizeOf` given). */
  #sizes: Float64Array | undefined
  /** Tags by slot; created on the first tagged entry. */
  #tags: Map<number, string[]> | undefined
  /** `staleIfErrorFrom` by slot; created on the first entry that has one. */
  #errorFrom: Map<number, number> | undefined
  #free: number[] = []
  #capacity = 0
  /** Slots ever handed out: the free list holds the reusable ones below it. */
  #highWater = 0
  /** Least recently used slot (evicted first) and most recently used slot; meaningful when size > 0. */
  #head = 0
  #tail = 0
  #bytes = 0
  /** Stored entries whose `staleUntil` is finite: the sweep runs only while there are some. */
  #expiring = 0
  #sweepCursor = 0

  /**
   * @param options - limits, sizing and clock; see {@link MemoryStoreOptions}
   * @throws {@link CacheConfigError} naming the option for a non-positive limit, a `sizeOf` that is
   * not a function or a `clock` without `now()`
   */
  constructor(options: MemoryStoreOptions = {}) {
    checkOptionNames('MemoryStore', options, MEMORY_STORE_OPTION_NAMES)
    validateLimit(options.maxEntries, 'maxEntries')
    validateLimit(options.maxBytes, 'maxBytes')
    if (options.sizeOf !== undefined && typeof options.sizeOf !== 'function') {
      throw new CacheConfigError('MemoryStore: `sizeOf` must be a function (value, key) => bytes', {
        option: 'sizeOf',
      })
    }
    if (options.clock !== undefined && typeof options.clock?.now !== 'function') {
      throw new CacheConfigError('MemoryStore: `clock` must have a now() method', { option: 'clock' })
    }
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
      throw new CacheConfigError('MemoryStore: `name` must be a non-empty string', { option: 'name' })
    }
    this.name = options.name ?? 'memory'
    this.#maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY
    this.#clock = options.clock ?? systemClock
    this.#coarse = this.#clock === systemClock
    if (options.maxBytes !== undefined || options.sizeOf !== undefined) {
      this.#sizeOf = options.sizeOf ?? defaultSizeOf
    }
    if (options.maxEntries === undefined && options.maxBytes === undefined && !warnedUnbounded) {
      warnedUnbounded = true
      console.warn(
        '[stratacache] MemoryStore created without maxEntries or maxBytes: it grows without bound. ' +
          'Pass a limit, or maxEntries: Infinity to state that unbounded is intended.',
      )
    }
    this.#allocate(Math.min(INITIAL_CAPACITY, this.#maxEntries))
  }

  /** Entries held, including dead ones not yet reclaimed (see {@link MemoryStore.prune}). */
  get size(): number {
    return this.#map.size
  }

  /**
   * Approximate bytes held. Exact sum of `sizeOf` when sizes are tracked (`maxBytes` or `sizeOf`
   * given); otherwise an estimate from up to 1,000 sampled entries, so call it from a metrics
   * interval, not per request.
   */
  get bytes(): number {
    if (this.#sizes !== undefined) return this.#bytes
    const count = this.#map.size
    if (count === 0) return 0
    const stride = Math.max(1, Math.floor(this.#highWater / BYTES_SAMPLE))
    let sampled = 0
    let total = 0
    for (let slot = 0; slot < this.#highWater; slot += stride) {
      const key = this.#keys[slot]
      if (key === undefined) continue
      sampled++
      total += defaultSizeOf(this.#values[slot], key)
    }
    return sampled === 0 ? 0 : Math.round((total / sampled) * count)
  }

  /**
   * Synchronous {@link MemoryStore.get}: the live entry under `key`, or `undefined`. A hit makes
   * the key the most recently used. The returned object is built for this read; its `value` is
   * the stored value itself.
   */
  getSync(key: string): CacheEntry | undefined {
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    const staleUntil = this.#staleUntil[slot] as number
    if (staleUntil !== Number.POSITIVE_INFINITY && this.#now() >= staleUntil) {
      this.#remove(slot)
      return undefined
    }
    if (slot !== this.#tail) this.#moveToTail(slot)
    const entry: CacheEntry = {
      value: this.#values[slot],
      createdAt: this.#createdAt[slot] as number,
      freshUntil: this.#freshUntil[slot] as number,
      staleUntil,
    }
    if (this.#tags !== undefined) {
      const tags = this.#tags.get(slot)
      if (tags !== undefined) entry.tags = tags
    }
    if (this.#errorFrom !== undefined) {
      const errorFrom = this.#errorFrom.get(slot)
      if (errorFrom !== undefined) entry.staleIfErrorFrom = errorFrom
    }
    return entry
  }

  /**
   * The common hit without an entry object: the stored value when the entry under `key` is live,
   * has no stale window (`freshUntil === staleUntil`) and no tags, or {@link NOT_FRESH} otherwise
   * (absent, dead, tagged, or in a stale window: {@link MemoryStore.getSync} has the whole entry).
   * A hit makes the key the most recently used; a dead entry is removed.
   *
   * With `survives`, a tagged entry (live, no stale window) is handed too when
   * `survives(tags, createdAt)` returns `true` (the caller's tag check, which may read this store).
   *
   * @example
   * ```ts
   * const value = store.getFreshSync('user:1')
   * if (value !== NOT_FRESH) return value
   * ```
   */
  getFreshSync(key: string, survives?: (tags: readonly string[], createdAt: number) => boolean): unknown {
    const slot = this.#map.get(key)
    if (slot === undefined) return NOT_FRESH
    const staleUntil = this.#staleUntil[slot] as number
    if (staleUntil !== Number.POSITIVE_INFINITY && this.#now() >= staleUntil) {
      this.#remove(slot)
      return NOT_FRESH
    }
    if (this.#freshUntil[slot] !== staleUntil) return NOT_FRESH
    const tags = this.#tags?.get(slot)
    if (tags !== undefined && (survives === undefined || !survives(tags, this.#createdAt[slot] as number)))
      return NOT_FRESH
    if (slot !== this.#tail) this.#moveToTail(slot)
    return this.#values[slot]
  }

  /**
   * Synchronous {@link MemoryStore.set}. An entry already dead is not stored (and removes the
   * previous one); an entry larger than `maxBytes` is not stored either.
   * @throws {@link CacheStoreError} for a key that is not a string, an entry without numeric
   * times or with `staleUntil < freshUntil`, or a `sizeOf` that does not return a number `>= 0`
   */
  setSync(key: string, entry: CacheEntry): void {
    if (typeof key !== 'string') this.#fail('set', key, `key must be a string, got ${typeof key}`)
    if (
      typeof entry?.createdAt !== 'number' ||
      typeof entry.freshUntil !== 'number' ||
      !(entry.staleUntil >= entry.freshUntil)
    ) {
      this.#fail('set', key, 'entry needs numeric createdAt, freshUntil and staleUntil >= freshUntil')
    }
    const { freshUntil, staleUntil } = entry
    const existing = this.#map.get(key)
    const finite = staleUntil !== Number.POSITIVE_INFINITY
    const now = finite || this.#expiring > 0 ? this.#now() : 0
    if (finite && now >= staleUntil) {
      if (existing !== undefined) this.#remove(existing)
      return
    }
    let size = 0
    if (this.#sizeOf !== undefined) {
      size = this.#measure(key, entry.value)
      if (size > this.#maxBytes) {
        if (existing !== undefined) this.#remove(existing)
        return
      }
    }

    let slot: number
    if (existing !== undefined) {
      slot = existing
      if (this.#staleUntil[slot] !== Number.POSITIVE_INFINITY) this.#expiring--
      if (slot !== this.#tail) this.#moveToTail(slot)
    } else {
      if (this.#expiring > 0) this.#sweep(now)
      if (this.#map.size >= this.#maxEntries) this.#remove(this.#head)
      slot = this.#allocateSlot()
      this.#keys[slot] = key
      this.#map.set(key, slot)
      this.#linkAtTail(slot)
    }
    this.#values[slot] = entry.value
    this.#createdAt[slot] = entry.createdAt
    this.#freshUntil[slot] = freshUntil
    this.#staleUntil[slot] = staleUntil
    if (finite) this.#expiring++
    if (entry.tags !== undefined && entry.tags.length > 0) {
      this.#tags ??= new Map()
      this.#tags.set(slot, entry.tags)
    } else if (this.#tags !== undefined) {
      this.#tags.delete(slot)
    }
    if (entry.staleIfErrorFrom !== undefined) {
      this.#errorFrom ??= new Map()
      this.#errorFrom.set(slot, entry.staleIfErrorFrom)
    } else if (this.#errorFrom !== undefined) {
      this.#errorFrom.delete(slot)
    }
    if (this.#sizes !== undefined) {
      this.#bytes += size - (this.#sizes[slot] as number)
      this.#sizes[slot] = size
      while (this.#bytes > this.#maxBytes) this.#remove(this.#head)
    }
  }

  /** Synchronous {@link MemoryStore.delete}: removes `key`, `true` if a live entry was there. */
  deleteSync(key: string): boolean {
    const slot = this.#map.get(key)
    if (slot === undefined) return false
    const live = this.#isLive(slot)
    this.#remove(slot)
    return live
  }

  /** The live entry under `key` (see {@link MemoryStore.getSync}). */
  async get(key: string): Promise<CacheEntry | undefined> {
    return this.getSync(key)
  }

  /** Stores `entry` under `key` (see {@link MemoryStore.setSync}). */
  async set(key: string, entry: CacheEntry): Promise<void> {
    this.setSync(key, entry)
  }

  /** Removes `key`; `true` if a live entry was there. */
  async delete(key: string): Promise<boolean> {
    return this.deleteSync(key)
  }

  /** Whether a live entry exists under `key`. Does not count as a use for LRU. */
  async has(key: string): Promise<boolean> {
    const slot = this.#map.get(key)
    if (slot === undefined) return false
    if (this.#isLive(slot)) return true
    this.#remove(slot)
    return false
  }

  /** The live entries under `keys`, in order, `undefined` for each miss. */
  async getMany(keys: string[]): Promise<(CacheEntry | undefined)[]> {
    return keys.map((key) => this.getSync(key))
  }

  /** Stores every pair, in order (the last of duplicate keys wins). */
  async setMany(items: [string, CacheEntry][]): Promise<void> {
    for (const [key, entry] of items) this.setSync(key, entry)
  }

  /** Removes every key; resolves how many live entries were removed. */
  async deleteMany(keys: string[]): Promise<number> {
    let removed = 0
    for (const key of keys) if (this.deleteSync(key)) removed++
    return removed
  }

  /**
   * Stores `entry` only when no live entry exists under `key`; atomic (the store is synchronous
   * inside). A refused write does not count as a use for LRU.
   */
  async setIfAbsent(key: string, entry: CacheEntry): Promise<boolean> {
    const slot = this.#map.get(key)
    if (slot !== undefined && this.#isLive(slot)) return false
    this.setSync(key, entry)
    return true
  }

  /** Removes every key matching the glob (`*` any run, `?` one character, `\` escapes); resolves how many live entries were removed. */
  async deleteMatching(pattern: string): Promise<number> {
    if (!hasWildcard(pattern)) return this.deleteSync(unescapeGlob(pattern)) ? 1 : 0
    const matcher = globToRegExp(pattern)
    let removed = 0
    for (const [key, slot] of this.#map) {
      if (!matcher.test(key)) continue
      if (this.#isLive(slot)) removed++
      this.#remove(slot)
    }
    return removed
  }

  /**
   * Removes every dead entry now and returns how many. Optional: dead entries are also reclaimed
   * as they are read or reached by the write-driven sweep.
   *
   * @example
   * ```ts
   * store.prune()
   * ```
   */
  prune(): number {
    if (this.#expiring === 0) return 0
    const now = this.#now()
    let removed = 0
    for (const slot of this.#map.values()) {
      if ((this.#staleUntil[slot] as number) <= now) {
        this.#remove(slot)
        removed++
      }
    }
    return removed
  }

  /** Removes every entry. */
  async clear(): Promise<void> {
    this.#map = new Map()
    this.#tags = undefined
    this.#errorFrom = undefined
    this.#free = []
    this.#highWater = 0
    this.#bytes = 0
    this.#expiring = 0
    this.#sweepCursor = 0
    this.#allocate(Math.min(INITIAL_CAPACITY, this.#maxEntries))
  }

  /** Releases nothing (the store holds no resources); the store keeps working afterwards. */
  async close(): Promise<void> {}

  #now(): number {
    return this.#coarse ? coarseNow() : this.#clock.now()
  }

  #isLive(slot: number): boolean {
    const staleUntil = this.#staleUntil[slot] as number
    return staleUntil === Number.POSITIVE_INFINITY || this.#now() < staleUntil
  }

  #measure(key: string, value: unknown): number {
    let size: number
    try {
      size = (this.#sizeOf as (value: unknown, key: string) => number)(value, key)
    } catch (cause) {
      this.#fail('set', key, 'sizeOf threw', cause)
    }
    if (typeof size !== 'number' || !(size >= 0) || size === Number.POSITIVE_INFINITY) {
      this.#fail('set', key, `sizeOf must return a finite number >= 0, got ${String(size)}`)
    }
    return size
  }

  #fail(operation: string, key: unknown, problem: string, cause?: unknown): never {
    const keyText = typeof key === 'string' ? key : String(key)
    throw new CacheStoreError(
      `MemoryStore ${operation} "${keyText}": ${problem}`,
      cause === undefined
        ? { store: this.name, operation, key: keyText }
        : { store: this.name, operation, key: keyText, cause },
    )
  }

  /** Inspects the next few slots and removes the dead ones: amortised reclamation without timers. */
  #sweep(now: number): void {
    for (let i = 0; i < SWEEP_PER_WRITE; i++) {
      if (this.#sweepCursor >= this.#highWater) this.#sweepCursor = 0
      const slot = this.#sweepCursor++
      if (this.#keys[slot] !== undefined && (this.#staleUntil[slot] as number) <= now) this.#remove(slot)
    }
  }

  #allocateSlot(): number {
    const reused = this.#free.pop()
    if (reused !== undefined) return reused
    if (this.#highWater === this.#capacity)
      this.#allocate(Math.min(this.#capacity * 2, this.#maxEntries) || 1)
    return this.#highWater++
  }

  /** (Re)allocates the slot arrays with room for `capacity` slots, keeping the first `#highWater`. */
  #allocate(capacity: number): void {
    const used = this.#highWater
    const grow = (old: Float64Array) => {
      const next = new Float64Array(capacity)
      next.set(old.subarray(0, used))
      return next
    }
    this.#createdAt = grow(this.#createdAt)
    this.#freshUntil = grow(this.#freshUntil)
    this.#staleUntil = grow(this.#staleUntil)
    if (this.#sizeOf !== undefined) this.#sizes = grow(this.#sizes ?? new Float64Array(0))
    const next = new Uint32Array(capacity)
    next.set(this.#next.subarray(0, used))
    this.#next = next
    const prev = new Uint32Array(capacity)
    prev.set(this.#prev.subarray(0, used))
    this.#prev = prev
    const keys: (string | undefined)[] = new Array(capacity)
    const values: unknown[] = new Array(capacity)
    for (let slot = 0; slot < used; slot++) {
      keys[slot] = this.#keys[slot]
      values[slot] = this.#values[slot]
    }
    this.#keys = keys
    this.#values = values
    this.#capacity = capacity
  }

  #linkAtTail(slot: number): void {
    if (this.#map.size === 1) {
      this.#head = slot
    } else {
      this.#prev[slot] = this.#tail
      this.#next[this.#tail] = slot
    }
    this.#tail = slot
  }

  #unlink(slot: number): void {
    if (slot === this.#head) {
      this.#head = this.#next[slot] as number
    } else {
      this.#next[this.#prev[slot] as number] = this.#next[slot] as number
    }
    if (slot === this.#tail) {
      this.#tail = this.#prev[slot] as number
    } else {
      this.#prev[this.#next[slot] as number] = this.#prev[slot] as number
    }
  }

  #moveToTail(slot: number): void {
    this.#unlink(slot)
    this.#prev[slot] = this.#tail
    this.#next[this.#tail] = slot
    this.#tail = slot
  }

  #remove(slot: number): void {
    const key = this.#keys[slot] as string
    this.#map.delete(key)
    this.#unlink(slot)
    this.#keys[slot] = undefined
    this.#values[slot] = undefined
    if (this.#staleUntil[slot] !== Number.POSITIVE_INFINITY) this.#expiring--
    this.#staleUntil[slot] = Number.POSITIVE_INFINITY
    this.#tags?.delete(slot)
    this.#errorFrom?.delete(slot)
    if (this.#sizes !== undefined) {
      this.#bytes -= this.#sizes[slot] as number
      this.#sizes[slot] = 0
    }
    this.#free.push(slot)
  }
}

import { describe } from 'vitest'
import type { CacheStore } from '../store/store'
import { corruptBytesGroup, largeValuesGroup, unserializableGroup } from './conformance/bytes'
import { batchesGroup, entriesGroup, volumeGroup } from './conformance/entries'
import { expiryGroup } from './conformance/expiry'
import { globGroup } from './conformance/glob'
import { createHarness, type Harness } from './conformance/harness'
import { keysGroup } from './conformance/keys'
import { namespacesGroup } from './conformance/namespaces'
import { setIfAbsentGroup } from './conformance/set-if-absent'
import { closeGroup, syncGroup } from './conformance/sync-and-close'
import type { ManualClock } from './manual-clock'

/** What {@link StoreConformanceOptions.createStore} receives for each store the suite opens. */
export interface StoreConformanceContext {
  /**
   * The clock of the current test. With `expiry: 'clock'` the store must read time from it (the
   * suite moves it); with `expiry: 'backend'` it is never advanced and the store should use real time.
   */
  readonly clock: ManualClock
  /**
   * The namespace (key prefix, directory, bucket prefix…) the store must keep its keys in. Two
   * stores created with different namespaces on the same backend must not see, delete or clear
   * each other's keys. Namespaces are made of `[a-z0-9-]` only.
   */
  readonly namespace: string
}

/**
 * What a store can do, so that the suite leaves out only the groups it cannot support. Everything not
 * declared here is required of every store.
 *
 * @example
 * ```ts
 * const capabilities: StoreCapabilities = {
 *   expiry: 'backend',
 *   serializesValues: true,
 *   writeRawBytes: (store, key, bytes) => redis.set((store as RedisStore).redisKey(key), Buffer.from(bytes)),
 * }
 * ```
 */
export interface StoreCapabilities {
  /**
   * Who decides that an entry is dead.
   * - `'clock'`: the store compares entry times with the injected `clock`; the suite moves that
   *   clock and checks the boundaries to the millisecond (fresh at `freshUntil - 1`, stale at
   *   `freshUntil`, dead at `staleUntil`).
   * - `'backend'`: the backend expires keys itself in real time (e.g. Redis `PX`); the suite
   *   uses short real TTLs (at most 300 ms) and bounded waits.
   */
  expiry: 'clock' | 'backend'
  /**
   * For byte stores: writes `bytes` as the raw stored form of `key` in `store`'s namespace,
   * bypassing the entry codec, so the suite can check that undecodable bytes are a miss and are
   * then removed. Without it the corrupt-bytes group is left out.
   * @defaultValue undefined
   */
  writeRawBytes?: (store: CacheStore, key: string, bytes: Uint8Array) => Promise<void>
  /**
   * Whether the store serializes values (byte stores). When `true` the suite checks that a value
   * the serializer cannot encode (a function, a cyclic object) rejects `set` with a
   * `CacheSerializationError` naming the key, and that nothing is written.
   * @defaultValue false
   */
  serializesValues?: boolean
  /**
   * Whether values of 10 MiB round-trip. DESIGN section 3 requires it of every store; set
   * `false` only for a backend that truly cannot.
   * @defaultValue true
   */
  largeValues?: boolean
  /**
   * Whether `setIfAbsent` is atomic among concurrent callers (50 callers, exactly one `true`).
   * The protocol requires it; set `false` only for a backend without a conditional write.
   * @defaultValue true
   */
  setIfAbsentConcurrency?: boolean
  /**
   * Whether the store offers `getSync`/`setSync`/`deleteSync` ({@link SyncCacheStore}); when
   * `true` the suite checks they agree with the asynchronous methods.
   * @defaultValue false
   */
  sync?: boolean
}

/** Options of {@link describeStoreConformance}. */
export interface StoreConformanceOptions {
  /** Shown in the test names, e.g. `'MemoryStore'`. */
  name: string
  /**
   * Opens a store for one test. Called one or more times per test (a second call with another
   * namespace opens a sibling store on the same backend); the suite clears and closes every
   * store it opened after each test.
   */
  createStore: (context: StoreConformanceContext) => CacheStore | Promise<CacheStore>
  /** What the store can do; see {@link StoreCapabilities}. */
  capabilities: StoreCapabilities
}

const GROUPS = {
  entries: entriesGroup,
  batches: batchesGroup,
  volume: volumeGroup,
  setIfAbsent: setIfAbsentGroup,
  expiry: expiryGroup,
  glob: globGroup,
  keys: keysGroup,
  namespaces: namespacesGroup,
  largeValues: largeValuesGroup,
  corruptBytes: corruptBytesGroup,
  unserializable: unserializableGroup,
  sync: syncGroup,
  close: closeGroup,
} satisfies Record<string, (harness: Harness) => void>

/** The name of a group of the suite, as a property of {@link describeStoreConformance}. */
export type StoreConformanceGroup = keyof typeof GROUPS

function describeGroups(options: StoreConformanceOptions, groups: readonly StoreConformanceGroup[]): void {
  describe(`${options.name}: store conformance`, () => {
    const harness = createHarness(options)
    for (const group of groups) GROUPS[group](harness)
  })
}

/** {@link describeStoreConformance}, with one property per group that registers that group alone. */
export type DescribeStoreConformance = ((options: StoreConformanceOptions) => void) &
  Record<StoreConformanceGroup, (options: StoreConformanceOptions) => void>

/**
 * Registers the store conformance suite (DESIGN section 4) with vitest: TTL and stale
 * boundaries, dead entries, `getMany` order, `setIfAbsent` under concurrency, glob matching,
 * `clear` confined to the namespace, odd keys, large values and corrupt bytes. Groups a store
 * cannot support are declared in `capabilities` and left out of the run; everything else runs.
 *
 * Each group can also run alone, e.g. `describeStoreConformance.glob(options)` while working on
 * `deleteMatching`. Groups, and the capability that gates each (ungated groups always run):
 * - entries, batches, volume, setIfAbsent, glob, keys (odd and ill-formed keys), namespaces, close;
 * - setIfAbsent under concurrency: `setIfAbsentConcurrency !== false`;
 * - expiry: on the injected clock (exact boundaries) with `expiry: 'clock'`, by the backend
 *   (short real TTLs, bounded waits) with `expiry: 'backend'`;
 * - largeValues (10 MiB): `largeValues !== false`;
 * - corruptBytes: `writeRawBytes` given;
 * - unserializable: `serializesValues: true`;
 * - sync (synchronous twins): `sync: true`.
 *
 * Each test opens its stores through `createStore` in a fresh namespace and the suite clears and
 * closes them afterwards, so the suite can share one backend (one Redis, one directory) across
 * tests and with other suites.
 *
 * @example
 * ```ts
 * import { describeStoreConformance } from '@stratacache/core/testing'
 *
 * describeStoreConformance({
 *   name: 'MemoryStore',
 *   createStore: ({ clock }) => new MemoryStore({ clock, maxEntries: 10_000 }),
 *   capabilities: { expiry: 'clock', sync: true },
 * })
 * // one group alone:
 * describeStoreConformance.glob({
 *   name: 'MemoryStore',
 *   createStore: ({ clock }) => new MemoryStore({ clock }),
 *   capabilities: { expiry: 'clock' },
 * })
 * ```
 */
export const describeStoreConformance: DescribeStoreConformance = Object.assign(
  (options: StoreConformanceOptions) =>
    describeGroups(options, Object.keys(GROUPS) as StoreConformanceGroup[]),
  Object.fromEntries(
    Object.keys(GROUPS).map((group) => [
      group,
      (options: StoreConformanceOptions) => describeGroups(options, [group as StoreConformanceGroup]),
    ]),
  ) as Record<StoreConformanceGroup, (options: StoreConformanceOptions) => void>,
)

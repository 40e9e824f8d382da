import { CacheConfigError } from '../errors'
import type { CacheStore } from '../store/store'

/**
 * What this process knows about a `bg.write` writer, so that `bg.read` in the same process can
 * find its store. The shape is a cross-copy contract (see {@link WRITERS}): only add optional fields.
 */
export interface WriterRecord {
  /** The store the writer refreshes. */
  readonly store: CacheStore
  /** The writer's interval, ms: the default interval of a reader that discovers it. */
  readonly intervalMs: number
  /** Resolves once the writer's run in flight (if any) has settled. */
  idle(): Promise<void>
}

/**
 * The process-wide writer registry, keyed by the full store key (instance prefix included). It
 * lives on `globalThis` under a `Symbol.for` key so that two copies of `@stratacache/core` loaded
 * in one process (duplicate installs, CJS and ESM side by side) share it, and so does every
 * instance from `createCache`.
 */
const WRITERS = Symbol.for('stratacache.bg.writers.v1')

function writers(): Map<string, WriterRecord> {
  const holder = globalThis as { [WRITERS]?: Map<string, WriterRecord> }
  let registry = holder[WRITERS]
  if (registry === undefined) {
    registry = new Map()
    holder[WRITERS] = registry
  }
  return registry
}

/**
 * Throws {@link CacheConfigError} if a writer is already registered for `storeKey` in this process.
 * Called before anything starts, so a rejected registration leaves nothing running.
 */
export function assertNoWriter(storeKey: string): void {
  if (writers().has(storeKey)) {
    throw new CacheConfigError(
      `bg.write: a writer for key "${storeKey}" is already registered in this process (one writer per key per process; stop the first one before registering another)`,
      { option: 'key' },
    )
  }
}

/**
 * Registers the writer for `storeKey`; returns the function that unregisters it.
 *
 * @throws {@link CacheConfigError} when the key already has a writer in this process
 */
export function registerWriter(storeKey: string, record: WriterRecord): () => void {
  assertNoWriter(storeKey)
  const registry = writers()
  registry.set(storeKey, record)
  return () => {
    if (registry.get(storeKey) === record) registry.delete(storeKey)
  }
}

/** The writer registered for `storeKey` in this process, if any. */
export function findWriter(storeKey: string): WriterRecord | undefined {
  return writers().get(storeKey)
}

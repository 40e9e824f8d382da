/**
 * What every group of the store conformance suite shares: the store under test opened per test in
 * a fresh namespace (cleared and closed afterwards), the test's clock and timing, entry builders.
 * @packageDocumentation
 */
import { afterEach, describe, it } from 'vitest'
import type { CacheEntry, CacheStore } from '../../store/store'
import { ManualClock } from '../manual-clock'
import type { StoreCapabilities, StoreConformanceOptions } from '../store-conformance'

/** Per-mode time: exact on a manual clock, real (short, bounded) for backend-owned expiry. */
export interface Timing {
  /** How long test entries stay fresh, then stale, in ms (long with real time, so slow machines do not flake). */
  readonly freshMs: number
  readonly staleMs: number
  now(): number
  /** Moves time to at least `epochMs`. */
  until(epochMs: number): Promise<void>
}

/**
 * Registers a group only for stores that have the capability it tests: a group that does not
 * apply is absent from the run, not reported as skipped.
 */
export function describeWhen(applies: boolean, name: string, body: () => void): void {
  if (applies) describe(name, body)
}

/** Registers a test only when it applies to the store under test (see {@link describeWhen}). */
export function itWhen(applies: boolean, name: string, body: () => Promise<void>): void {
  if (applies) it(name, body)
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** How long a backend may take, past `staleUntil`, to stop returning an entry. */
export const BACKEND_EXPIRY_GRACE_MS = 250
/** The short real lifetime of entries in the backend-expiry group (at most 300 ms in all). */
export const BACKEND_SHORT_LIFETIME = { freshMs: 120, staleMs: 130 }

export function timingFor(expiry: StoreCapabilities['expiry'], clock: ManualClock): Timing {
  if (expiry === 'clock') {
    return {
      freshMs: 1000,
      staleMs: 1000,
      now: () => clock.now(),
      until: (epochMs) => clock.setTime(epochMs),
    }
  }
  return {
    freshMs: 60_000,
    staleMs: 60_000,
    now: () => Date.now(),
    async until(epochMs) {
      while (Date.now() < epochMs) await sleep(Math.max(1, epochMs - Date.now()))
    },
  }
}

/** A deterministic pseudo-random string (compresses poorly, unlike a repeated character). */
export function noiseString(length: number, seed = 42): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'
  const chunk: string[] = []
  let state = seed >>> 0
  for (let i = 0; i < Math.min(length, 65_536); i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0
    chunk.push(alphabet[state >>> 26] as string)
  }
  const block = chunk.join('')
  return block.repeat(Math.ceil(length / block.length)).slice(0, length)
}

/** Keys every store must keep distinct and intact (DESIGN section 3). */
export const ODD_KEYS: readonly string[] = [
  'a:b:c',
  'a/b/c',
  'b',
  'a/../b',
  '../../etc/passwd',
  '..',
  '.',
  '/leading/slash',
  'trailing/',
  'back\\slash',
  '🔑🚀 emoji',
  'ключ',
  '日本語のキー',
  'é (precomposed)',
  'e\u0301 (combining)',
  'with space',
  'tab\tnew\nline',
  '%2F%2e%2e',
  'CON',
  'nul\u0000byte',
  'star*question?bracket[1]',
  `1KiB:${'k'.repeat(1019)}`,
  `1KiB-emoji:${'🔑'.repeat(253)}`,
  `10KiB:${noiseString(10 * 1024 - 7, 7)}`,
]

export const CORRUPT_SAMPLES: readonly [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['one byte', Uint8Array.of(0xff)],
  ['zeros', new Uint8Array(64)],
  ['ascending bytes', Uint8Array.from({ length: 256 }, (_, i) => i)],
  ['plain JSON', new TextEncoder().encode('{"value":1,"createdAt":0,"freshUntil":1e300,"staleUntil":1e300}')],
]

/** The suite's view of the store under test, shared by its groups. */
export interface Harness {
  /** The store's name, for messages. */
  readonly name: string
  /** What the store can do. */
  readonly capabilities: StoreCapabilities
  /** The current test's timing (exact on the clock, or short real times). */
  readonly timing: Timing
  /** Opens the test's store, or (with `sibling`) one in a sibling namespace of the same backend. */
  open(sibling?: boolean): Promise<CacheStore>
  /** Closes `store` inside a test (so the cleanup does not touch it again). */
  closeInTest(store: CacheStore): Promise<void>
  /** An entry produced now: fresh for `freshMs`, then stale for `staleMs`. */
  entry<T>(value: T, lifetime?: { freshMs?: number; staleMs?: number; tags?: string[] }): CacheEntry<T>
  /** The values `getMany` finds under `keys`. */
  values(store: CacheStore, keys: string[]): Promise<unknown[]>
}

/**
 * Builds the harness of one run of the suite (or of one group) and registers, in the enclosing
 * `describe`, the cleanup that clears and closes every store a test opened.
 */
export function createHarness(options: StoreConformanceOptions): Harness {
  const { name, createStore, capabilities } = options
  const runId = Math.random().toString(36).slice(2, 8)
  let namespaceSeq = 0
  let opened: CacheStore[] = []
  let clock = new ManualClock()
  let timing = timingFor(capabilities.expiry, clock)
  let namespace = ''

  afterEach(async () => {
    const stores = opened
    opened = []
    for (const store of stores) {
      await store.clear()
      await store.close()
    }
  })

  return {
    name,
    capabilities,
    get timing() {
      return timing
    },
    async open(sibling = false) {
      if (!sibling && opened.length === 0) {
        clock = new ManualClock()
        timing = timingFor(capabilities.expiry, clock)
        namespace = `conformance-${runId}-${++namespaceSeq}`
      }
      const store = await createStore({ clock, namespace: sibling ? `${namespace}-sibling` : namespace })
      opened.push(store)
      return store
    },
    async closeInTest(store) {
      opened = opened.filter((candidate) => candidate !== store)
      await store.close()
    },
    entry<T>(value: T, lifetime: { freshMs?: number; staleMs?: number; tags?: string[] } = {}) {
      const now = timing.now()
      const freshUntil = now + (lifetime.freshMs ?? timing.freshMs)
      const made: CacheEntry<T> = {
        value,
        createdAt: now,
        freshUntil,
        staleUntil: freshUntil + (lifetime.staleMs ?? timing.staleMs),
      }
      if (lifetime.tags) made.tags = lifetime.tags
      return made
    },
    async values(store, keys) {
      return (await store.getMany(keys)).map((found) => found?.value)
    },
  }
}

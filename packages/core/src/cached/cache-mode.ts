/**
 * How a cached call uses its store:
 * - `'normal'`: read, and on a miss compute and store;
 * - `'read-only'`: read; a miss throws `CacheMissError` without calling the function (a stale
 *   entry is served without a refresh);
 * - `'write-only'`: never read; always compute and store;
 * - `'bypass'`: neither read nor write; always compute.
 */
export type CacheMode = 'normal' | 'read-only' | 'write-only' | 'bypass'

/** Counts of what cached calls did inside a `withCacheStats` scope. */
export interface CacheScopeStats {
  /** Calls served from the store (fresh or stale). */
  hits: number
  /** Calls that found no usable entry. */
  misses: number
  /** Hits that were stale (also counted in `hits`), and stale-if-error values served. */
  stale: number
  /** Calls of the cached functions (misses, refreshes, write-only and bypassed calls). */
  loads: number
  /** Store failures absorbed and function failures. */
  errors: number
}

/** What the scope module (`@stratacache/core/scope`) tells the engine about the current async context. */
export interface ScopeFrame {
  /** The mode of the innermost `withCacheMode`, if any. */
  readonly mode: CacheMode | undefined
  /** The counters of every enclosing `withCacheStats`. */
  readonly stats: readonly CacheScopeStats[]
}

/** The engine's link to the scope module. */
export interface ScopeHook {
  /** The frame of the current async context; `undefined` until the scope module is first used. */
  current: (() => ScopeFrame | undefined) | undefined
  /** How many scopes are running in the process: while 0, cached calls never ask for the frame. */
  active: number
}

const HOOK_KEY = Symbol.for('stratacache.scope-hook')

function sharedHook(): ScopeHook {
  const global = globalThis as Record<symbol, ScopeHook | undefined>
  const existing = global[HOOK_KEY]
  if (existing !== undefined) return existing
  const hook: ScopeHook = { current: undefined, active: 0 }
  global[HOOK_KEY] = hook
  return hook
}

/**
 * The one hook, shared through `globalThis` so that the main entry and the `scope` subpath agree
 * even when bundled separately or installed twice. Cached calls check `scopeHook.active` once:
 * while no scope is running, it costs one property read.
 */
export const scopeHook: ScopeHook = sharedHook()

/** Adds one to `counter` in every `withCacheStats` scope of the current call (call only while `scopeHook.active`). */
export function countInScope(counter: keyof CacheScopeStats): void {
  const frame = scopeHook.current?.()
  if (frame === undefined) return
  for (const stats of frame.stats) stats[counter]++
}

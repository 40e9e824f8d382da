/**
 * `@stratacache/core/scope`: cache modes and statistics scoped to an async call tree
 * (`AsyncLocalStorage`), so concurrent requests never see each other's mode or counts. Node-only
 * (it imports `node:async_hooks`); the main entry stays runtime-agnostic.
 * @packageDocumentation
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { type CacheMode, type CacheScopeStats, type ScopeFrame, scopeHook } from '../cached/cache-mode'
import { resolveMode } from '../cached/load-policy'

export type { CacheMode, CacheScopeStats } from '../cached/cache-mode'

const STORAGE_KEY = Symbol.for('stratacache.scope-storage')

/** One storage per process, shared by every copy of this module (the engine's hook reads it). */
function sharedStorage(): AsyncLocalStorage<ScopeFrame> {
  const global = globalThis as Record<symbol, AsyncLocalStorage<ScopeFrame> | undefined>
  let storage = global[STORAGE_KEY]
  if (storage === undefined) {
    storage = new AsyncLocalStorage<ScopeFrame>()
    global[STORAGE_KEY] = storage
  }
  return storage
}

/**
 * Runs `fn` in `frame`, counted in `scopeHook.active` until `fn` (or the promise it returns)
 * settles: while no scope runs anywhere in the process, cached calls do not ask for the frame.
 */
function runScoped<T>(frame: (parent: ScopeFrame | undefined) => ScopeFrame, fn: () => T): T {
  const storage = sharedStorage()
  if (scopeHook.current === undefined) scopeHook.current = () => storage.getStore()
  const leave = (): void => {
    scopeHook.active--
  }
  scopeHook.active++
  let result: T
  try {
    result = storage.run(frame(storage.getStore()), fn)
  } catch (error) {
    leave()
    throw error
  }
  if (!isPromiseLike(result)) {
    leave()
    return result
  }
  return result.then(
    (value) => {
      leave()
      return value
    },
    (error: unknown) => {
      leave()
      throw error
    },
  ) as T
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/**
 * Runs `fn` with every cached call inside it (wrappers from `cache()` and the instances'
 * `getOrSet`/`get`/`set`, in this async call tree only) in `mode`:
 * - `'bypass'`: no read, no write, the function is always called;
 * - `'write-only'`: compute and store, never read (warm-up);
 * - `'read-only'`: read; a miss throws `CacheMissError` without calling the function;
 * - `'normal'`: back to normal inside an outer scope.
 * The innermost scope wins over outer scopes and over the caches' own `mode` option. The scope
 * lasts until `fn` (or the promise it returns) settles: work it leaves running afterwards is outside.
 *
 * @returns what `fn` returns
 * @throws {@link CacheConfigError} for an unknown mode
 * @example
 * ```ts
 * await withCacheMode('bypass', () => handler(req))
 * ```
 */
export function withCacheMode<T>(mode: CacheMode, fn: () => T): T {
  const checked = resolveMode(mode, 'normal')
  return runScoped((parent) => ({ mode: checked, stats: parent?.stats ?? [] }), fn)
}

/** What {@link withCacheStats} resolves to. */
export interface ScopedResult<T> {
  /** What the function returned (awaited). */
  value: T
  /** What the cached calls inside it did. */
  stats: CacheScopeStats
}

/**
 * Runs `fn` and counts what the cached calls inside it did (in this async call tree only; nested
 * scopes count in every enclosing scope): `hits`, `misses`, `stale`, `loads` (function calls) and
 * `errors` (function and absorbed store failures).
 *
 * @example
 * ```ts
 * const { value, stats } = await withCacheStats(() => handler(req))
 * log.info({ cache: stats }, 'request served')
 * ```
 */
export async function withCacheStats<T>(fn: () => T | PromiseLike<T>): Promise<ScopedResult<Awaited<T>>> {
  const stats: CacheScopeStats = { hits: 0, misses: 0, stale: 0, loads: 0, errors: 0 }
  const value = await runScoped(
    (parent) => ({ mode: parent?.mode, stats: [...(parent?.stats ?? []), stats] }),
    fn,
  )
  return { value: value as Awaited<T>, stats }
}

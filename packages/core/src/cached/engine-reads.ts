import { CacheMissError } from '../errors'
import type { CacheEntry } from '../store/store'
import type { CacheEngine } from './cache-engine'
import type { LoadPolicy } from './load-policy'

function serveReadOnly(engine: CacheEngine, entry: CacheEntry | undefined, key: string): unknown {
  const use = entry === undefined ? 'error-only' : engine.use(entry)
  if (use === 'error-only') {
    engine.recordMiss(key)
    throw new CacheMissError(
      `${engine.name}: no cached value for key ${JSON.stringify(key)} (read-only mode)`,
      {
        key,
      },
    )
  }
  engine.recordHit(key)
  if (use === 'stale') engine.recordStale(key)
  return (entry as CacheEntry).value
}

/** `'read-only'` mode: the cached value (a stale one without a refresh), else a `CacheMissError`; never calls. */
export async function readOnly(engine: CacheEngine, key: string, tags: LoadPolicy['tags']): Promise<unknown> {
  return serveReadOnly(engine, await engine.read(key, tags), key)
}

/** {@link readOnly} over a synchronous store. */
export function readOnlySync(engine: CacheEngine, key: string): unknown {
  const entry = engine.guard.getSync(key)
  return serveReadOnly(
    engine,
    entry !== undefined && engine.checkSync(entry) === true ? entry : undefined,
    key,
  )
}

/** The usable cached value (fresh or stale) under `key`, or `undefined`; records nothing. */
export async function peek(engine: CacheEngine, key: string): Promise<unknown> {
  const entry = await engine.read(key)
  return entry === undefined || engine.use(entry) === 'error-only' ? undefined : entry.value
}

/** {@link peek} over a synchronous store. */
export function peekSync(engine: CacheEngine, key: string): unknown {
  const entry = engine.guard.getSync(key)
  if (entry === undefined || engine.checkSync(entry) !== true || engine.use(entry) === 'error-only')
    return undefined
  return entry.value
}

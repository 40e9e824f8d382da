import { CacheStoreError } from '../errors'

/** Where a store call failed, for {@link storeFailure}. */
export interface StoreFailureContext {
  /** The store's `name`. */
  store: string
  /** The operation, e.g. `'get'`. */
  operation: string
  /** The key, when the operation has exactly one. */
  key?: string
}

/**
 * The error a store operation rejects with when its backend failed: the error itself when it
 * is a `CacheStoreError` already (a `CacheTimeoutError` included), otherwise a
 * `CacheStoreError` naming the store, the operation and the key, with the backend's error as
 * `cause`. One message grammar for every store.
 *
 * @example
 * ```ts
 * try { return await client.get(name) } catch (error) { throw storeFailure(error, { store: 's3', operation: 'get', key }) }
 * ```
 */
export function storeFailure(error: unknown, context: StoreFailureContext): CacheStoreError {
  if (CacheStoreError.isInstance(error)) return error
  const { store, operation, key } = context
  const where = `${store} ${operation}${key === undefined ? '' : ` of key ${quoteKey(key)}`}`
  const message = error instanceof Error ? error.message : String(error)
  return new CacheStoreError(`${where} failed: ${message}`, { store, operation, key, cause: error })
}

function quoteKey(key: string): string {
  return JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key)
}

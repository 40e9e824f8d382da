import { CacheConfigError } from '@stratacache/core'
import type { EvictionPolicy } from './eviction-policy'
import { RedisStore, type RedisStoreOptions } from './redis-store'

/** The query parameters {@link fromUrl} reads as store options (and removes before connecting). */
const STORE_PARAMS = ['prefix', 'operationTimeout', 'maxEntries', 'policy'] as const

/**
 * Builds a {@link RedisStore} from a `redis://` or `rediss://` URL; the store owns the connection.
 * Query parameters `prefix`, `operationTimeout` (a duration such as `250ms`), `maxEntries` and
 * `policy` become store options; `options` win over them. Used by core's `storeFromUrl`.
 *
 * @example
 * ```ts
 * const store = fromUrl(new URL('redis://127.0.0.1:6379/0?prefix=app:&operationTimeout=500ms'))
 * ```
 */
export function fromUrl(url: URL, options: Omit<RedisStoreOptions, 'client' | 'url'> = {}): RedisStore {
  if (!(url instanceof URL)) {
    throw new CacheConfigError('fromUrl: `url` must be a URL object', { option: 'url' })
  }
  const connectionUrl = new URL(url.toString())
  const fromQuery: Omit<RedisStoreOptions, 'client' | 'url'> = {}
  for (const param of STORE_PARAMS) {
    const value = connectionUrl.searchParams.get(param)
    connectionUrl.searchParams.delete(param)
    if (value === null) continue
    if (param === 'prefix') fromQuery.prefix = value
    else if (param === 'operationTimeout')
      fromQuery.operationTimeout = /^\d+(\.\d+)?$/.test(value) ? Number(value) : (value as `${number}ms`)
    else if (param === 'maxEntries') fromQuery.maxEntries = Number(value)
    else fromQuery.policy = value as EvictionPolicy
  }
  return new RedisStore({ ...fromQuery, ...options, url: connectionUrl })
}

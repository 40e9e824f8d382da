import { CacheConfigError } from '../errors'
import { MemoryStore, type MemoryStoreOptions } from '../store/memory-store'

const MEMORY_PARAMETERS = ['maxEntries', 'maxBytes', 'name'] as const

/**
 * Builds the `MemoryStore` of a `memory://` URL: `?maxEntries=…&maxBytes=…&name=…`; explicit
 * `options` win over the query.
 *
 * @param shown - the URL as error messages show it (redacted)
 * @throws {@link CacheConfigError} naming an unknown or invalid parameter
 * @example
 * ```ts
 * memoryStoreFromUrl(new URL('memory://?maxEntries=1000'), 'memory://?maxEntries=1000', {})
 * ```
 */
export function memoryStoreFromUrl(url: URL, shown: string, options: Record<string, unknown>): MemoryStore {
  const fromUrl: MemoryStoreOptions = {}
  for (const [name, value] of url.searchParams) {
    if (name === 'name') fromUrl.name = value
    else if (name === 'maxEntries' || name === 'maxBytes') {
      const limit = value === 'Infinity' ? Number.POSITIVE_INFINITY : Number(value)
      if (!(limit >= 1) || (!Number.isInteger(limit) && limit !== Number.POSITIVE_INFINITY)) {
        throw new CacheConfigError(`Invalid ${name} in store URL ${shown}: ${JSON.stringify(value)}`, {
          option: 'url',
        })
      }
      fromUrl[name] = limit
    } else {
      throw new CacheConfigError(
        `Unknown parameter "${name}" in store URL ${shown} (memory:// accepts ${MEMORY_PARAMETERS.join(', ')})`,
        { option: 'url' },
      )
    }
  }
  return new MemoryStore({ ...fromUrl, ...(options as MemoryStoreOptions) })
}

import { CacheConfigError } from '../errors'
import type { StoreUrlFactory } from './known-adapters'

// One registry per process, shared by every copy of core (ESM and CommonJS builds, duplicate
// installs), so a registration made through one copy serves `storeFromUrl` of another.
const REGISTRY = Symbol.for('stratacache.storeUrlAdapters')

function registry(): Map<string, StoreUrlFactory> {
  const holder = globalThis as { [REGISTRY]?: Map<string, StoreUrlFactory> }
  holder[REGISTRY] ??= new Map()
  return holder[REGISTRY]
}

/** `'redis'`, `'redis:'` and `'redis://'` all name the scheme `'redis:'`. */
function normalizeScheme(scheme: string): string {
  const name = scheme.toLowerCase().replace(/:(\/\/)?$/, '')
  if (!/^[a-z][a-z\d+.-]*$/.test(name)) {
    throw new CacheConfigError(`registerStoreAdapter: invalid URL scheme ${JSON.stringify(scheme)}`, {
      option: 'scheme',
    })
  }
  return `${name}:`
}

/**
 * Serves store URLs of the given schemes with `fromUrl`, ahead of loading an adapter package by
 * name. Use it where `storeFromUrl` cannot import the package itself: an application bundled with
 * esbuild or webpack, or any layout that hides the adapter from `@stratacache/core`; or to serve a
 * scheme of your own. Registrations are shared by every copy of `@stratacache/core` in the process.
 *
 * @param schemes - one scheme or several (`'redis'`, `'redis:'` and `'redis://'` are the same)
 * @param fromUrl - builds the store; every adapter package exports one named `fromUrl`
 * @returns a function that removes these registrations
 * @throws {@link CacheConfigError} for a scheme that is not a valid URL scheme
 * @example
 * ```ts
 * import { registerStoreAdapter, storeFromUrl } from '@stratacache/core'
 * import { fromUrl } from '@stratacache/redis'
 *
 * registerStoreAdapter(['redis', 'rediss'], fromUrl)
 * const store = await storeFromUrl(process.env.CACHE_URL ?? 'redis://127.0.0.1:6379')
 * ```
 */
export function registerStoreAdapter(
  schemes: string | readonly string[],
  fromUrl: StoreUrlFactory,
): () => void {
  if (typeof fromUrl !== 'function') {
    throw new CacheConfigError('registerStoreAdapter: `fromUrl` must be a function (url, options) => store', {
      option: 'fromUrl',
    })
  }
  const names = (typeof schemes === 'string' ? [schemes] : schemes).map(normalizeScheme)
  const adapters = registry()
  for (const name of names) adapters.set(name, fromUrl)
  return () => {
    for (const name of names) if (adapters.get(name) === fromUrl) adapters.delete(name)
  }
}

/**
 * The factory registered for `scheme` (`'redis:'`), if any.
 *
 * @example
 * ```ts
 * const fromUrl = registeredAdapter(new URL(url).protocol)
 * ```
 */
export function registeredAdapter(scheme: string): StoreUrlFactory | undefined {
  return registry().get(scheme)
}

/**
 * The registered schemes, for messages.
 *
 * @example
 * ```ts
 * registeredSchemes() // ['redis:', 'rediss:']
 * ```
 */
export function registeredSchemes(): string[] {
  return [...registry().keys()]
}

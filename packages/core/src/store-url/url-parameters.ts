import type { Duration } from '../duration'
import { CacheConfigError } from '../errors'

/**
 * How a store URL's query parameter becomes an option: `'string'` as written, `'boolean'` from
 * `true`/`1`/`false`/`0`, `'integer'` from digits, `'number'` through `Number()`, `'duration'`
 * as seconds when a plain number (`2.5`) and otherwise as written (`250ms`, `5m`, checked by the
 * store like any duration option).
 */
export type UrlParameterKind = 'string' | 'boolean' | 'integer' | 'number' | 'duration'

/** The option value a {@link UrlParameterKind} yields. */
export type UrlParameterValue<K extends UrlParameterKind> = K extends 'boolean'
  ? boolean
  : K extends 'integer' | 'number'
    ? number
    : K extends 'duration'
      ? Duration
      : string

/** The options read from a URL's query by {@link readUrlParameters}. */
export type UrlParameters<S extends Record<string, UrlParameterKind>> = {
  -readonly [K in keyof S]?: UrlParameterValue<S[K]>
}

/**
 * Reads the query of an adapter's store URL into options, one rule for every adapter's
 * `fromUrl`: each parameter is converted by its kind, and an unknown parameter or a value of the
 * wrong kind is a `CacheConfigError` naming the parameter (as `option`) and the URL.
 *
 * @param owner - the store class, for messages (`'S3Store'`)
 * @param url - the store URL
 * @param kinds - every parameter the adapter accepts, with its kind
 * @param shown - the URL as messages show it (pass a redacted form when it can hold secrets)
 * @throws {@link CacheConfigError} for an unknown parameter or a value of the wrong kind
 * @example
 * ```ts
 * const url = new URL('s3://cache/app?region=eu-west-1&forcePathStyle=true&operationTimeout=2s')
 * readUrlParameters('S3Store', url, { region: 'string', forcePathStyle: 'boolean', operationTimeout: 'duration' })
 * // { region: 'eu-west-1', forcePathStyle: true, operationTimeout: '2s' }
 * ```
 */
export function readUrlParameters<const S extends Record<string, UrlParameterKind>>(
  owner: string,
  url: URL,
  kinds: S,
  shown: string = url.href,
): UrlParameters<S> {
  const read: Record<string, unknown> = {}
  for (const [name, raw] of url.searchParams) {
    const kind = Object.hasOwn(kinds, name) ? kinds[name] : undefined
    const fail = (expected: string) =>
      new CacheConfigError(
        `${owner} URL ${shown}: parameter "${name}" ${expected}, got ${JSON.stringify(raw)}`,
        {
          option: name,
        },
      )
    switch (kind) {
      case 'string':
        read[name] = raw
        break
      case 'boolean':
        if (raw === 'true' || raw === '1') read[name] = true
        else if (raw === 'false' || raw === '0') read[name] = false
        else throw fail('must be true or false')
        break
      case 'integer':
        if (!/^\d+$/.test(raw)) throw fail('must be an integer')
        read[name] = Number(raw)
        break
      case 'number':
        read[name] = Number(raw)
        break
      case 'duration':
        read[name] = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw
        break
      default:
        throw new CacheConfigError(
          `${owner} URL ${shown}: unknown parameter "${name}" (known: ${Object.keys(kinds).join(', ')})`,
          { option: name },
        )
    }
  }
  return read as UrlParameters<S>
}

/**
 * The object-name prefix an object store's URL path spells: the path without its leading `/`,
 * decoded, ending in `/` unless empty (`s3://bucket/app` and `s3://bucket/app/` both mean `app/`).
 *
 * @example
 * ```ts
 * prefixFromUrlPath(new URL('gs://bucket/app/users')) // 'app/users/'
 * ```
 */
export function prefixFromUrlPath(url: URL): string {
  const path = decodeURIComponent(url.pathname.replace(/^\/+/, ''))
  return path === '' || path.endsWith('/') ? path : `${path}/`
}

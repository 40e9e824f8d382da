/**
 * The type name under which an error is counted by {@link MetricsCollector.recordError}: the
 * error's `name` (stratacache errors, `TypeError`, `AbortError`, ...), or its class name when
 * `name` is the generic `'Error'` (a subclass that did not set `name`). Values that are not
 * errors are counted by their `typeof`. Never throws.
 *
 * @example
 * ```ts
 * errorTypeOf(new CacheTimeoutError('slow', { store: 'redis', operation: 'get', timeoutMs: 50 })) // 'CacheTimeoutError'
 * errorTypeOf(new TypeError('x')) // 'TypeError'
 * errorTypeOf('boom')             // 'string'
 * ```
 */
export function errorTypeOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return typeof error
  try {
    const name = (error as { name?: unknown }).name
    if (typeof name === 'string' && name !== '' && name !== 'Error') return name
    const className = (error as { constructor?: { name?: unknown } }).constructor?.name
    if (typeof className === 'string' && className !== '' && className !== 'Object') return className
    return typeof name === 'string' && name !== '' ? name : 'Object'
  } catch {
    // A hostile getter (a revoked Proxy, a throwing `name`) must not break the caller.
    return 'Object'
  }
}

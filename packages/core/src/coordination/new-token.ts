/**
 * A random holder token for a lock or slot (a UUID from `globalThis.crypto`, available on every
 * supported runtime).
 *
 * @example
 * ```ts
 * await primitives.acquireLock(key, newToken(), 30_000)
 * ```
 */
export function newToken(): string {
  return globalThis.crypto.randomUUID()
}

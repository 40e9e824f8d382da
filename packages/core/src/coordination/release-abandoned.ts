import type { Clock } from '../clock'

/** The first pause before a failed cleanup is tried again, ms; it doubles up to {@link MAX_PAUSE_MS}. */
const FIRST_PAUSE_MS = 100
const MAX_PAUSE_MS = 5_000

/**
 * Cleans up after an acquire attempt that failed without an answer (it timed out, or the
 * connection dropped). Such a command may still run on the backend: it was already on the socket
 * when the backend froze, or sat in the client's offline queue until it reconnected. Had it taken
 * the lock or slot, nobody would hold a handle to free it, and it would stay held for its whole ttl.
 *
 * `release` frees whatever the abandoned attempt's token holds (compare-and-delete by token,
 * so it never touches another holder). It runs at once, so a client that keeps commands in order
 * sends it after the abandoned attempt: once the backend answers it, the attempt has run or will
 * never run. While the backend keeps failing it is retried in the background, every 100 ms
 * doubling up to 5 s, until the backend answers or `lifetimeMs` has passed (by then whatever the
 * attempt took has expired on its own). The timers never keep the process alive.
 *
 * @param release - frees what `token` holds; resolves whether it held anything
 * @param clock - measures the pauses and the lifetime
 * @param lifetimeMs - the life of what the attempt would have taken (the lock's `ttl`, the slot's `slotTtl`)
 * @returns resolves once the cleanup is over (answered or given up); never rejects
 * @example
 * ```ts
 * try {
 *   return await primitives.acquireLock(key, token, ttlMs)
 * } catch (error) {
 *   void releaseAbandoned(() => primitives.releaseLock(key, token), clock, ttlMs)
 *   throw error
 * }
 * ```
 */
export function releaseAbandoned(
  release: () => Promise<boolean>,
  clock: Clock,
  lifetimeMs: number,
): Promise<void> {
  const giveUpAt = clock.now() + lifetimeMs
  return new Promise<void>((resolve) => {
    const attempt = (pauseMs: number): void => {
      let releasing: Promise<boolean>
      try {
        releasing = release()
      } catch {
        releasing = Promise.reject()
      }
      releasing.then(
        () => resolve(),
        () => {
          if (clock.now() + pauseMs >= giveUpAt) return resolve()
          clock.setTimeout(() => attempt(Math.min(pauseMs * 2, MAX_PAUSE_MS)), pauseMs)
        },
      )
    }
    attempt(FIRST_PAUSE_MS)
  })
}

/**
 * `acquiring`, and when it rejects (the caller is told the attempt failed) a background
 * {@link releaseAbandoned} with `release`, so a failed acquire leaves nothing held.
 *
 * @example
 * ```ts
 * await abandonOnFailure(primitives.acquireSlot(key, 5, token, ttlMs), () => primitives.releaseSlot(key, token, 5), clock, ttlMs)
 * ```
 */
export async function abandonOnFailure(
  acquiring: Promise<boolean>,
  release: () => Promise<boolean>,
  clock: Clock,
  lifetimeMs: number,
): Promise<boolean> {
  try {
    return await acquiring
  } catch (error) {
    void releaseAbandoned(release, clock, lifetimeMs)
    throw error
  }
}

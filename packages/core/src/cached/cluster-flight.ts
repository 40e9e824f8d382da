import { createEntry } from '../store/entry'
import type { CacheEngine, Flight } from './cache-engine'
import type { ClusterSettings, LoadPolicy } from './load-policy'

/** Suffix of the lease key taken by `singleFlight: 'cluster'`: `<key>:__lease`. */
export const LEASE_SUFFIX = ':__lease'

/** What a cluster background refresh resolves to when another process holds the lease. */
export const LEFT_TO_OTHERS: unique symbol = Symbol('left to the lease holder')

const HELD = -1
const UNLEASED = -2

/** Takes the cluster lease: the time it was taken, {@link HELD} by another, or {@link UNLEASED} when the store failed. */
async function tryLease(engine: CacheEngine, leaseKey: string, lockTimeoutMs: number): Promise<number> {
  const now = engine.guard.clock.now()
  const won = await engine.guard.setIfAbsent(leaseKey, createEntry(true, { now, ttlMs: lockTimeoutMs }))
  return won === undefined ? UNLEASED : won ? now : HELD
}

/**
 * `singleFlight: 'cluster'`: a lease taken with the store's `setIfAbsent` (`<key>:__lease`, living
 * `lockTimeout`) lets one process of the fleet run `compute`; the others poll the store for its
 * value every `pollInterval`, for at most `lockTimeout`, then compute themselves. A background
 * refresh that finds the lease held leaves the key to its holder ({@link LEFT_TO_OTHERS}). The
 * lease is released once the value is stored, without holding the caller.
 */
export async function computeClustered(
  engine: CacheEngine,
  key: string,
  tags: LoadPolicy['tags'],
  flight: Flight,
  cluster: ClusterSettings,
  compute: () => Promise<unknown>,
): Promise<unknown> {
  const { clock } = engine.guard
  const leaseKey = key + LEASE_SUFFIX
  const deadline = clock.now() + cluster.lockTimeoutMs
  for (;;) {
    const lease = await tryLease(engine, leaseKey, cluster.lockTimeoutMs)
    if (lease !== HELD) {
      let computed = false
      try {
        if (lease !== UNLEASED) {
          // The previous holder may have stored its value and released the lease between our
          // last read and this win: read once more so the fleet computes the key only once.
          const entry = await engine.read(key, tags)
          if (entry !== undefined && clock.now() < entry.freshUntil) return entry.value
        }
        computed = true
        return await compute()
      } finally {
        if (lease !== UNLEASED) {
          const release = (): void => {
            if (clock.now() - lease < cluster.lockTimeoutMs) void engine.guard.deleteQuietly(leaseKey)
          }
          if (computed && flight.written !== undefined) void flight.written.then(release)
          else release()
        }
      }
    }
    // Another process computes this key: a refresh leaves it to them, a miss waits for their value.
    if (flight.background) return LEFT_TO_OTHERS
    // A caller awaits this pause, so it keeps the process alive (unlike background timers).
    await new Promise<void>((resolve) =>
      clock.setTimeout(resolve, Math.min(cluster.pollMs, deadline - clock.now()), { keepAlive: true }),
    )
    const entry = await engine.read(key, tags)
    if (entry !== undefined) return entry.value
    if (clock.now() >= deadline) return await compute()
  }
}

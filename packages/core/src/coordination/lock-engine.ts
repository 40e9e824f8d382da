import type { Duration } from '../duration'
import { CacheConfigError, CacheLockError } from '../errors'
import { type InstanceDefaults, safeReport } from '../instance-defaults'
import {
  type CoordinationContext,
  type CoordinationOptions,
  createCoordinationContext,
} from './coordination-context'
import { Held, type HeldHandle } from './held-handle'
import { newToken } from './new-token'
import { abandonOnFailure } from './release-abandoned'
import {
  parseTurnPolicy,
  positiveDurationToMs,
  type TurnPolicy,
  waitForTurn,
  wakeWaiters,
} from './wait-for-turn'

/** Options of a lock (`lock`, and the lock behind `once`). */
export interface LockOptions extends CoordinationOptions {
  /**
   * How long a lock lives unless released first, so a crashed holder never wedges the key.
   * Choose it above the longest time a holder needs: past it, another caller may take the lock.
   * `Infinity` never expires (a crashed holder then needs `forceRelease`).
   * @default 30 (seconds)
   * @example
   * ```ts
   * lock('nightly-report', { ttl: '10m' })
   * ```
   */
  ttl?: Duration
  /**
   * When the lock is held: `false` fails at once with `CacheLockError`; `true` retries every
   * `pollInterval` (and at once when it is released in this process) until `timeout`. Waiters are
   * not served in arrival order.
   * @default false
   * @example
   * ```ts
   * lock('job', { wait: true, timeout: 10 })
   * ```
   */
  wait?: boolean
  /**
   * With `wait: true`, the longest time to wait before failing with `CacheLockError`.
   * @default Infinity (wait until acquired)
   * @example
   * ```ts
   * lock('job', { wait: true, timeout: '5s' })
   * ```
   */
  timeout?: Duration
  /**
   * With `wait: true`, the pause between attempts (also how fast a waiter in another process notices
   * a release). Lower is more responsive and costs more store calls.
   * @default 0.1 (seconds)
   * @example
   * ```ts
   * lock('job', { wait: true, pollInterval: '250ms' })
   * ```
   */
  pollInterval?: Duration
}

/** A held lock. Release it (or let `await using` dispose of it) when done. */
export interface LockHandle extends HeldHandle {
  /**
   * Resets the lock's life to `ttl` from now, if this handle still holds it. Resolves `false`
   * when it does not (it expired, or was released).
   * @param ttl - the new life; default: the lock's `ttl`
   * @example
   * ```ts
   * const timer = setInterval(() => void held.extend(), 10_000)
   * ```
   */
  extend(ttl?: Duration): Promise<boolean>
  /** Whether this handle still holds the lock (not released, not expired and taken over). */
  isHeld(): Promise<boolean>
}

class HeldLock extends Held implements LockHandle {
  constructor(
    private readonly engine: LockEngine,
    key: string,
    token: string,
  ) {
    super(key, token, () => engine.releaseOwned(key, token))
  }

  extend(ttl?: Duration): Promise<boolean> {
    return this.released ? Promise.resolve(false) : this.engine.extend(this.key, this.token, ttl)
  }

  async isHeld(): Promise<boolean> {
    if (this.released) return false
    return (await this.engine.owner(this.key)) === this.token
  }
}

/**
 * The lock machinery over rendered keys, shared by `lock` and `once`: options validated once,
 * store resolved on first use.
 *
 * @example
 * ```ts
 * const engine = new LockEngine(defaults, { ttl: 30 })
 * const held = await engine.acquire('report:2026')
 * ```
 */
export class LockEngine {
  readonly #context: CoordinationContext
  readonly #ttlMs: number
  readonly #policy: TurnPolicy

  constructor(defaults: InstanceDefaults, options: LockOptions) {
    this.#ttlMs = positiveDurationToMs(options.ttl, 'ttl', 30_000)
    this.#policy = parseTurnPolicy(options)
    this.#context = createCoordinationContext(defaults, options, 'lock')
  }

  /** Takes the lock under `key` per the wait policy; `undefined` when it could not. */
  async tryAcquire(key: string): Promise<LockHandle | undefined> {
    return (await this.#attempt(key)).handle
  }

  /** Takes the lock under `key` per the wait policy, or rejects with `CacheLockError`. */
  async acquire(key: string): Promise<LockHandle> {
    const { handle, waitedMs } = await this.#attempt(key)
    if (handle) return handle
    throw new CacheLockError(
      this.#policy.wait
        ? `"${key}" is still locked after waiting ${waitedMs}ms`
        : `"${key}" is already locked`,
      { key, waitedMs },
    )
  }

  /** Whether anyone holds the lock under `key`. */
  async isLocked(key: string): Promise<boolean> {
    return (await this.owner(key)) !== undefined
  }

  /** Frees the lock under `key` whoever holds it; `true` if a lock was freed. */
  async forceRelease(key: string): Promise<boolean> {
    const owner = await this.owner(key)
    return owner !== undefined && this.#release(key, owner)
  }

  /** The token holding `key`, if any. */
  owner(key: string): Promise<string | undefined> {
    return this.#context.primitives().lockOwner(this.#context.storeKey(key))
  }

  /** Releases on behalf of a handle: never rejects, reports a lost lock or a store failure. */
  async releaseOwned(key: string, token: string): Promise<boolean> {
    try {
      if (await this.#release(key, token)) return true
      safeReport(
        this.#context.onError,
        new CacheLockError(
          `"${key}" was no longer held by this holder when released: it expired (ttl ${this.#ttlMs}ms) and may have been taken by another caller`,
          { key },
        ),
      )
    } catch (error) {
      safeReport(this.#context.onError, error)
    }
    return false
  }

  /** Extends on behalf of a handle. */
  async extend(key: string, token: string, ttl: Duration | undefined): Promise<boolean> {
    const ttlMs = positiveDurationToMs(ttl, 'ttl', this.#ttlMs)
    const primitives = this.#context.primitives()
    if (!primitives.extendLock) {
      throw new CacheConfigError(`The store "${this.#context.store().name}" cannot extend locks`, {
        option: 'store',
      })
    }
    return primitives.extendLock(this.#context.storeKey(key), token, ttlMs)
  }

  async #release(key: string, token: string): Promise<boolean> {
    const storeKey = this.#context.storeKey(key)
    const released = await this.#context.primitives().releaseLock(storeKey, token)
    if (released) wakeWaiters(this.#context.store(), storeKey)
    return released
  }

  async #attempt(key: string): Promise<{ handle: LockHandle | undefined; waitedMs: number }> {
    const primitives = this.#context.primitives()
    const storeKey = this.#context.storeKey(key)
    const token = newToken()
    const turn = await waitForTurn(
      () =>
        abandonOnFailure(
          primitives.acquireLock(storeKey, token, this.#ttlMs),
          () => primitives.releaseLock(storeKey, token),
          this.#context.clock,
          this.#ttlMs,
        ),
      this.#policy,
      this.#context.clock,
      this.#context.store(),
      storeKey,
    )
    return { handle: turn.acquired ? new HeldLock(this, key, token) : undefined, waitedMs: turn.waitedMs }
  }
}

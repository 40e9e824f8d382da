import type { KeySpec } from '../cached/key-template'
import type { Duration } from '../duration'
import { CacheConfigError, CacheError, CachePoolFullError } from '../errors'
import { type InstanceDefaults, safeReport } from '../instance-defaults'
import {
  type CoordinationContext,
  type CoordinationOptions,
  createCoordinationContext,
} from './coordination-context'
import { compileKey, validateKeySource } from './coordination-key'
import { Held, type HeldHandle } from './held-handle'
import { newToken } from './new-token'
import type { TemplateArgs } from './template-args'
import {
  parseTurnPolicy,
  positiveDurationToMs,
  type TurnPolicy,
  waitForTurn,
  wakeWaiters,
} from './wait-for-turn'

/** Options of `pool` (and of `pooled`, which adds `onFull`). */
export interface PoolOptions extends CoordinationOptions {
  /**
   * The pool's key: a template over the arguments of `acquire(...)`/`size(...)` (or of the
   * wrapped function, for `pooled`), or a function of them. One key, one pool.
   * @example
   * ```ts
   * pool({ key: 'api:{0}', maxSize: 5 }).acquire(userId)
   * ```
   */
  key: KeySpec
  /**
   * The most holders the pool admits at once (across processes on a shared store), an integer ≥ 1.
   * @example
   * ```ts
   * pool({ key: 'pdf-render', maxSize: 4 })
   * ```
   */
  maxSize: number
  /**
   * How long a slot lives unless released first, so a crashed holder frees its slot. It only
   * affects the count: a holder still running past it is not interrupted. `Infinity` never expires.
   * @default 600 (seconds)
   * @example
   * ```ts
   * pool({ key: 'api', maxSize: 5, slotTtl: '2m' })
   * ```
   */
  slotTtl?: Duration
  /**
   * When the pool is full: `false` fails at once with `CachePoolFullError`; `true` retries every
   * `pollInterval` (and at once when a slot is released in this process) until `timeout`.
   * @default false
   * @example
   * ```ts
   * pool({ key: 'api', maxSize: 5, wait: true, timeout: 2 })
   * ```
   */
  wait?: boolean
  /**
   * With `wait: true`, the longest time to wait for a slot.
   * @default Infinity (wait until a slot frees)
   * @example
   * ```ts
   * pool({ key: 'api', maxSize: 5, wait: true, timeout: '500ms' })
   * ```
   */
  timeout?: Duration
  /**
   * With `wait: true`, the pause between attempts.
   * @default 0.1 (seconds)
   * @example
   * ```ts
   * pool({ key: 'api', maxSize: 5, wait: true, pollInterval: '50ms' })
   * ```
   */
  pollInterval?: Duration
}

/** A held pool slot. Release it (or let `await using` dispose of it) when done. */
export type SlotHandle = HeldHandle

/** A pool over a key template; every method takes the template's arguments. */
export interface Pool<A extends unknown[] = unknown[]> {
  /** The pool's capacity. */
  readonly maxSize: number
  /**
   * Takes a slot, waiting if the pool was built with `wait: true`.
   * @throws {@link CachePoolFullError} (`"<key> is full (maxSize=N)"`) when no slot is free in time
   * @example
   * ```ts
   * await using slot = await apiPool.acquire()
   * ```
   */
  acquire(...args: A): Promise<SlotHandle>
  /**
   * Like {@link Pool.acquire}, but resolves `undefined` instead of throwing when the pool is full.
   * @example
   * ```ts
   * const slot = await apiPool.tryAcquire()
   * if (!slot) return queueForLater()
   * ```
   */
  tryAcquire(...args: A): Promise<SlotHandle | undefined>
  /** How many slots are held right now (live, unexpired). */
  size(...args: A): Promise<number>
  /** The rendered key, e.g. `'api:u1'` (without the instance prefix). */
  key(...args: A): string
}

/** The `pool` function of an instance (see {@link createPool}). */
export interface PoolFunction {
  /**
   * A pool over a key template; `acquire(...)` and the other methods take the arguments its
   * placeholders read (`'api:{0}'`: one), each of them required.
   * @example
   * ```ts
   * await using slot = await pool({ key: 'api:{0}', maxSize: 5 }).acquire(userId)
   * ```
   */
  <const K extends string>(options: PoolOptions & { key: K }): Pool<TemplateArgs<K>>
  /**
   * A pool over a key function, or over a template with its argument types given:
   * `pool<[userId: string]>({ key: 'api:{0}', maxSize: 5 })`.
   * @example
   * ```ts
   * const perUser = pool({ key: (userId: string) => `api:${userId}`, maxSize: 5 })
   * ```
   */
  <A extends unknown[]>(options: PoolOptions & { key: KeySpec<A> }): Pool<A>
}

/**
 * The pool machinery over rendered keys, shared by `pool` and `pooled`: options validated once,
 * store resolved on first use.
 *
 * @example
 * ```ts
 * const engine = new PoolEngine(defaults, { key: 'api', maxSize: 5 })
 * const slot = await engine.acquire('api')
 * ```
 */
export class PoolEngine {
  readonly maxSize: number
  readonly #context: CoordinationContext
  readonly #slotTtlMs: number
  readonly #policy: TurnPolicy

  constructor(defaults: InstanceDefaults, options: PoolOptions) {
    validateKeySource(options.key)
    if (!Number.isSafeInteger(options.maxSize) || options.maxSize < 1) {
      throw new CacheConfigError(
        `Invalid "maxSize": ${JSON.stringify(options.maxSize)} (expected an integer >= 1)`,
        { option: 'maxSize' },
      )
    }
    this.maxSize = options.maxSize
    this.#slotTtlMs = positiveDurationToMs(options.slotTtl, 'slotTtl', 600_000)
    this.#policy = parseTurnPolicy(options)
    this.#context = createCoordinationContext(defaults, options, 'pool')
  }

  /** Takes a slot per the wait policy; `undefined` when the pool stayed full. */
  async tryAcquire(key: string): Promise<SlotHandle | undefined> {
    const primitives = this.#context.primitives()
    const storeKey = this.#context.storeKey(key)
    const token = newToken()
    const turn = await waitForTurn(
      () => primitives.acquireSlot(storeKey, this.maxSize, token, this.#slotTtlMs),
      this.#policy,
      this.#context.clock,
      this.#context.store(),
      storeKey,
    )
    return turn.acquired ? new Held(key, token, () => this.#release(key, token)) : undefined
  }

  /** Takes a slot per the wait policy, or rejects with `CachePoolFullError`. */
  async acquire(key: string): Promise<SlotHandle> {
    const slot = await this.tryAcquire(key)
    if (slot) return slot
    throw new CachePoolFullError(`${key} is full (maxSize=${this.maxSize})`, { key, maxSize: this.maxSize })
  }

  /** How many live slots the pool under `key` holds. */
  size(key: string): Promise<number> {
    return this.#context.primitives().countSlots(this.#context.storeKey(key), this.maxSize)
  }

  async #release(key: string, token: string): Promise<boolean> {
    const storeKey = this.#context.storeKey(key)
    try {
      if (await this.#context.primitives().releaseSlot(storeKey, token, this.maxSize)) {
        wakeWaiters(this.#context.store(), storeKey)
        return true
      }
      safeReport(
        this.#context.onError,
        new CacheError(
          `A slot of pool "${key}" had expired (slotTtl ${this.#slotTtlMs}ms) before it was released: the pool may have admitted more than maxSize=${this.maxSize} holders meanwhile`,
        ),
      )
    } catch (error) {
      safeReport(this.#context.onError, error)
    }
    return false
  }
}

/**
 * Builds the `pool` function of an instance: at most `maxSize` holders per key at any moment
 * (across processes on a store with native primitives, such as `RedisStore`).
 *
 * @example
 * ```ts
 * const pool = createPool(defaults)
 * await using slot = await pool({ key: 'api', maxSize: 5 }).acquire()
 * ```
 */
export function createPool(defaults: InstanceDefaults): PoolFunction {
  return (options: PoolOptions): Pool => {
    if (typeof options !== 'object' || options === null) {
      throw new CacheConfigError('pool(options) expects an options object with "key" and "maxSize"', {
        option: 'key',
      })
    }
    const engine = new PoolEngine(defaults, options)
    const render = compileKey(options.key, undefined, 'pool')
    return {
      maxSize: engine.maxSize,
      acquire: async (...args) => engine.acquire(render(undefined, args)),
      tryAcquire: async (...args) => engine.tryAcquire(render(undefined, args)),
      size: async (...args) => engine.size(render(undefined, args)),
      key: (...args) => render(undefined, args),
    }
  }
}

/**
 * `Symbol.asyncDispose`, or on runtimes without it the `Symbol.for('Symbol.asyncDispose')` that
 * TypeScript's and esbuild's `await using` down-level helpers look up, so `await using` works
 * either way.
 */
export const asyncDispose: typeof Symbol.asyncDispose = (Symbol.asyncDispose ??
  Symbol.for('Symbol.asyncDispose')) as typeof Symbol.asyncDispose

/**
 * Something held (a lock or a pool slot) until released: call `release()` in a `finally`, or
 * declare it with `await using`, which TypeScript 5.2+ (and esbuild, tsx) compile for Node 20;
 * untranspiled JavaScript needs Node 24 or later for `await using`.
 *
 * @example
 * ```ts
 * const held = await reportLock.acquire(2026)
 * try {
 *   await buildReport(2026)
 * } finally {
 *   await held.release()
 * }
 * ```
 */
export interface HeldHandle extends AsyncDisposable {
  /** The key it is held under, as rendered from the template (without the instance prefix). */
  readonly key: string
  /** The random token identifying this holder in the store. */
  readonly token: string
  /** Whether `release()` (or disposal) has already run. */
  readonly released: boolean
  /**
   * Gives it back. Resolves `true` if this call freed it; `false` if it was already released by
   * this handle, had expired (and may belong to someone else now, in which case nothing is
   * touched and the instance's `onError` is told), or the store failed (also reported to
   * `onError`). Never rejects: a lock or slot that cannot be released expires on its own.
   */
  release(): Promise<boolean>
  /** Same as {@link HeldHandle.release}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>
}

/**
 * The shared state machine of lock and slot handles: `release` runs `free` at most once.
 *
 * @example
 * ```ts
 * const handle = new Held(key, token, () => primitives.releaseLock(storeKey, token))
 * ```
 */
export class Held implements HeldHandle {
  #released = false

  constructor(
    readonly key: string,
    readonly token: string,
    private readonly free: () => Promise<boolean>,
  ) {}

  get released(): boolean {
    return this.#released
  }

  release(): Promise<boolean> {
    if (this.#released) return Promise.resolve(false)
    this.#released = true
    return this.free()
  }

  async [asyncDispose](): Promise<void> {
    await this.release()
  }
}

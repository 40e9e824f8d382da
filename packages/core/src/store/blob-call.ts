import type { BlobCallOptions } from './blob-backend'

/**
 * The options object of one backend call, whose `AbortSignal` exists only once the backend
 * asks for it: most calls finish in time, and an `AbortController` per call would cost more than
 * the rest of an in-memory read. The signal aborts when the call is abandoned (`abort()`, on a
 * timeout) or the store closes.
 *
 * A call whose signal exists joins `open` until it settles, so the store's `close()` aborts
 * exactly those (no listener per call on a shared signal: a hundred concurrent S3 reads would
 * trip Node's `MaxListenersExceededWarning`).
 */
export class BlobCall implements BlobCallOptions {
  readonly #open: OpenBlobCalls
  #controller: AbortController | undefined
  #reason: unknown

  /** @param open - the store's calls in flight with a signal, and whether it has closed */
  constructor(open: OpenBlobCalls) {
    this.#open = open
  }

  /** The call's signal, created on first access (already aborted if the call was abandoned). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController()
      this.#controller = controller
      if (this.#reason !== undefined) controller.abort(this.#reason)
      else if (this.#open.closedBecause !== undefined) controller.abort(this.#open.closedBecause)
      else this.#open.calls.add(this)
    }
    return this.#controller.signal
  }

  /** Gives up on the call: aborts its signal, now or when the backend first asks for it. */
  abort(reason: unknown): void {
    this.#reason = reason ?? new Error('aborted')
    this.#controller?.abort(this.#reason)
  }

  /** The call settled: the store's close no longer concerns it. */
  settle(): void {
    if (this.#controller !== undefined) this.#open.calls.delete(this)
  }

  /** These options plus `extra` (e.g. `maxBytes`), without creating the signal. */
  with<T extends object>(extra: T): this & T {
    return Object.assign(this, extra)
  }
}

/** A store's backend calls whose signal exists, aborted together by {@link closeBlobCalls}. */
export interface OpenBlobCalls {
  readonly calls: Set<BlobCall>
  /** Set by {@link closeBlobCalls}: calls started later are born aborted. */
  closedBecause: unknown
}

/** Aborts every open call with `reason`, and every later one as it asks for its signal. */
export function closeBlobCalls(open: OpenBlobCalls, reason: Error): void {
  open.closedBecause = reason
  for (const call of open.calls) call.abort(reason)
  open.calls.clear()
}

import type { BlobCallOptions } from './blob-backend'

/**
 * The options object of one backend call, whose `AbortSignal` exists only once the backend
 * asks for it: most calls finish in time, and an `AbortController` per call would cost more than
 * the rest of an in-memory read. The signal aborts when the call is abandoned (`abort()`, on a
 * timeout) or the store closes (`closing`).
 */
export class BlobCall implements BlobCallOptions {
  readonly #closing: AbortSignal
  #controller: AbortController | undefined
  #onClose: (() => void) | undefined
  #reason: unknown

  /** @param closing - the store's signal, aborted when it closes */
  constructor(closing: AbortSignal) {
    this.#closing = closing
  }

  /** The call's signal, created on first access (already aborted if the call was abandoned). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController()
      this.#controller = controller
      if (this.#reason !== undefined) controller.abort(this.#reason)
      else if (this.#closing.aborted) controller.abort(this.#closing.reason)
      else {
        this.#onClose = () => controller.abort(this.#closing.reason)
        this.#closing.addEventListener('abort', this.#onClose, { once: true })
      }
    }
    return this.#controller.signal
  }

  /** Gives up on the call: aborts its signal, now or when the backend first asks for it. */
  abort(reason: unknown): void {
    this.#reason = reason ?? new Error('aborted')
    this.#controller?.abort(this.#reason)
  }

  /** The call settled: stops listening for the store's close. */
  settle(): void {
    if (this.#onClose !== undefined) this.#closing.removeEventListener('abort', this.#onClose)
  }

  /** These options plus `extra` (e.g. `maxBytes`), without creating the signal. */
  with<T extends object>(extra: T): this & T {
    return Object.assign(this, extra)
  }
}

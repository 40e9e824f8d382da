import { CacheError } from '../errors'
import { defaultErrorHandler, type ErrorHandler, safeReport } from '../instance-defaults'

/**
 * Reports the failures of one background key.
 *
 * A handler the user chose receives every failure, as it was thrown. The default handler
 * ({@link defaultErrorHandler}) logs once per failure streak: the first failure after a success
 * (or after the start) is logged with the key and what failed; the following ones are silent until
 * a refresh succeeds again. A handler that throws never escapes ({@link safeReport}).
 */
export class FailureStreak {
  readonly #handler: ErrorHandler
  readonly #label: string
  readonly #oncePerStreak: boolean
  #failing = false

  /**
   * @param handler - the `onError` in effect for the key
   * @param label - how the default log names the key, e.g. `bg "rates"`
   */
  constructor(handler: ErrorHandler, label: string) {
    this.#handler = handler
    this.#label = label
    this.#oncePerStreak = handler === defaultErrorHandler
  }

  /** Records a failure; `context` says what failed, for the default log. */
  failure(error: unknown, context: string): void {
    const first = !this.#failing
    this.#failing = true
    if (!this.#oncePerStreak) {
      safeReport(this.#handler, error)
    } else if (first) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      const message = `${this.#label}: ${context} (${reason}); serving the last good value, further failures are not logged until a refresh succeeds`
      safeReport(this.#handler, new CacheError(message, { cause: error }))
    }
  }

  /** Ends the current streak, if any. */
  success(): void {
    this.#failing = false
  }
}

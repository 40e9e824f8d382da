import { type ErrorHandler, safeReport } from '../instance-defaults'
import type { InvalidationMessage } from './invalidation-bus'

interface Subscriber {
  readonly handler: (message: InvalidationMessage) => void
  readonly origin: string
}

/**
 * The local side of every {@link InvalidationBus}: the subscribed handlers with their origins,
 * and delivery that skips a subscriber's own messages. A handler that throws is reported to
 * `onError` and does not stop delivery to the others.
 *
 * @example
 * ```ts
 * const subscribers = new SubscriberList(onError)
 * const unsubscribe = subscribers.add(handler, 'origin-a')
 * subscribers.deliver({ kind: 'delete', keys: ['k'], namespace: 'app', origin: 'origin-b' })
 * ```
 */
export class SubscriberList {
  #subscribers: Subscriber[] = []

  constructor(private readonly onError: ErrorHandler) {}

  /**
   * Subscribes `handler` under `origin`.
   * @returns a function that unsubscribes (idempotent)
   */
  add(handler: (message: InvalidationMessage) => void, origin: string): () => void {
    const subscriber: Subscriber = { handler, origin }
    // Copy on write: a delivery in progress keeps iterating the list it started with.
    this.#subscribers = [...this.#subscribers, subscriber]
    return () => {
      this.#subscribers = this.#subscribers.filter((candidate) => candidate !== subscriber)
    }
  }

  /** Calls every handler whose origin differs from `message.origin`. */
  deliver(message: InvalidationMessage): void {
    for (const subscriber of this.#subscribers) {
      if (subscriber.origin === message.origin) continue
      try {
        subscriber.handler(message)
      } catch (error) {
        safeReport(this.onError, error)
      }
    }
  }

  /** Unsubscribes everyone. */
  clear(): void {
    this.#subscribers = []
  }
}

/**
 * A new random origin id for a bus or a chain.
 *
 * @example
 * ```ts
 * const origin = randomOrigin() // e.g. '5f0c…'
 * ```
 */
export function randomOrigin(): string {
  return globalThis.crypto.randomUUID()
}

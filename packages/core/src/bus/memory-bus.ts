import { CacheConfigError } from '../errors'
import { defaultErrorHandler, type ErrorHandler } from '../instance-defaults'
import type { InvalidationBus, InvalidationMessage, SubscribeOptions } from './invalidation-bus'
import { randomOrigin, SubscriberList } from './subscriber-list'

/** Options of {@link MemoryBus}. */
export interface MemoryBusOptions {
  /**
   * This bus's origin id, stamped on messages published without one and used as the default
   * origin of subscribers.
   * @defaultValue a random UUID
   */
  origin?: string
  /**
   * Receives errors thrown by subscribed handlers (delivery to the others continues).
   * @defaultValue one warning log per error
   */
  onError?: ErrorHandler
}

/**
 * An {@link InvalidationBus} within one process: for tests, and for several caches (e.g. two
 * `ChainStore`s, each with its own origin) in a single process. Delivery is synchronous: when
 * `publish()` resolves, every subscriber has been called.
 *
 * @example
 * ```ts
 * const bus = new MemoryBus()
 * const stop = bus.subscribe((message) => console.log(message.kind, message.keys), { origin: 'l1-a' })
 * await bus.publish({ kind: 'delete', keys: ['user:1'], namespace: 'app', origin: 'l1-b' })
 * stop()
 * ```
 */
export class MemoryBus implements InvalidationBus {
  /** This bus's origin id. */
  readonly origin: string
  readonly #subscribers: SubscriberList
  #closed = false

  constructor(options: MemoryBusOptions = {}) {
    if (options.origin !== undefined && (typeof options.origin !== 'string' || options.origin === '')) {
      throw new CacheConfigError('MemoryBus: `origin` must be a non-empty string', { option: 'origin' })
    }
    this.origin = options.origin ?? randomOrigin()
    this.#subscribers = new SubscriberList(options.onError ?? defaultErrorHandler)
  }

  /** Delivers `message` (stamped with this bus's origin when it has none) to every other origin. */
  async publish(message: InvalidationMessage): Promise<void> {
    if (this.#closed) return
    this.#subscribers.deliver({ ...message, origin: message.origin ?? this.origin })
  }

  /**
   * Calls `handler` for every message whose origin differs from `options.origin` (default: this
   * bus's origin).
   * @returns a function that unsubscribes
   */
  subscribe(handler: (message: InvalidationMessage) => void, options: SubscribeOptions = {}): () => void {
    return this.#subscribers.add(handler, options.origin ?? this.origin)
  }

  /** Unsubscribes everyone; later publishes are dropped. */
  async close(): Promise<void> {
    this.#closed = true
    this.#subscribers.clear()
  }
}

/**
 * A message telling other caches that keys changed. `origin` identifies the publisher; a
 * subscriber never receives messages from its own origin.
 */
export interface InvalidationMessage {
  /** What happened: keys were written (`set`), removed (`delete`), or the namespace was cleared. */
  kind: 'set' | 'delete' | 'clear'
  /** The keys concerned (absent for `clear`). */
  keys?: string[]
  /** The namespace (store prefix or chain name) the keys belong to. */
  namespace: string
  /**
   * The publisher's origin id. Stamped by the bus with its own origin when absent.
   * A `ChainStore` stamps its own, so several chains can share one bus.
   */
  origin?: string
}

/** Options of {@link InvalidationBus.subscribe}. */
export interface SubscribeOptions {
  /**
   * The subscriber's origin: messages published with this origin are not delivered to it.
   * @defaultValue the bus's own `origin`
   */
  origin?: string
}

/**
 * Carries invalidation messages between caches: in one process (`MemoryBus`) or across
 * processes (`RedisBus` from `@stratacache/redis`).
 */
export interface InvalidationBus {
  /** This bus instance's origin id, stamped on messages published without one. */
  readonly origin: string
  /** Sends `message` to every subscriber whose origin differs from the message's. */
  publish(message: InvalidationMessage): Promise<void>
  /**
   * Calls `handler` for every message from another origin.
   * @returns a function that unsubscribes
   */
  subscribe(handler: (message: InvalidationMessage) => void, options?: SubscribeOptions): () => void
  /** Stops delivery and releases connections the bus opened itself. */
  close(): Promise<void>
}

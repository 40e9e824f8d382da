import {
  CacheConfigError,
  CacheStoreError,
  type Duration,
  defaultErrorHandler,
  durationToMs,
  type ErrorHandler,
  type InvalidationBus,
  type InvalidationMessage,
  randomOrigin,
  type SubscribeOptions,
  SubscriberList,
  safeReport,
  systemClock,
  withTimeout,
} from '@stratacache/core'
import {
  closeClient,
  duplicateClient,
  openConnection,
  type RedisClient,
  type RedisConnectionOptions,
} from './redis-connection'

/** Options of {@link RedisBus}. Give either `client` or `url`. */
export interface RedisBusOptions extends RedisConnectionOptions {
  /**
   * The pub/sub channel. Every bus on the same channel (and Redis server or Cluster) hears the others.
   * @defaultValue `'stratacache:invalidation'`
   * @example
   * ```ts
   * new RedisBus({ client, channel: 'shop:invalidation' })
   * ```
   */
  channel?: string
  /**
   * This bus's origin id: stamped on messages published without one, and the default origin of
   * subscribers (which never receive their own origin's messages).
   * @defaultValue a random UUID
   * @example
   * ```ts
   * new RedisBus({ client, origin: `web-${process.pid}` })
   * ```
   */
  origin?: string
  /**
   * Upper bound of a `publish` while Redis is slow or down; past it `publish` rejects with a
   * `CacheTimeoutError`.
   * @defaultValue `'1s'`
   * @example
   * ```ts
   * new RedisBus({ url, operationTimeout: '200ms' })
   * ```
   */
  operationTimeout?: Duration
  /**
   * Receives what the bus cannot hand to anyone: malformed messages on the channel, and errors
   * thrown by subscribed handlers.
   * @defaultValue one warning log per error
   * @example
   * ```ts
   * new RedisBus({ client, onError: (error) => logger.warn(error) })
   * ```
   */
  onError?: ErrorHandler
}

const DEFAULT_CHANNEL = 'stratacache:invalidation'
const KINDS = new Set(['set', 'delete', 'clear'])

/**
 * The message delivered to local subscribers when the subscriber connection comes back after a
 * disconnect: messages published meanwhile were lost, so every namespace (`'*'`) must be treated
 * as cleared (an L1 drops everything it holds).
 */
const RECONNECT_CLEAR_NAMESPACE = '*'

function parseMessage(raw: string): InvalidationMessage {
  const parsed: unknown = JSON.parse(raw)
  const message = parsed as Partial<InvalidationMessage> | null
  if (
    typeof message !== 'object' ||
    message === null ||
    !KINDS.has(message.kind as string) ||
    typeof message.namespace !== 'string' ||
    (message.keys !== undefined &&
      (!Array.isArray(message.keys) || !message.keys.every((key) => typeof key === 'string'))) ||
    (message.origin !== undefined && typeof message.origin !== 'string')
  ) {
    throw new Error('not an invalidation message')
  }
  return message as InvalidationMessage
}

/**
 * An {@link InvalidationBus} across processes over Redis pub/sub (standalone or Cluster).
 *
 * Messages travel as JSON stamped with the publisher's origin; each subscriber skips its own
 * origin's messages, so several caches in one process may share one bus, each with its own origin.
 * The bus subscribes on a connection of its own (a duplicate of `client`, or of the connection
 * it opened for `url`).
 *
 * **After a reconnect** of that connection, messages published while it was down are lost. The
 * bus therefore delivers `{ kind: 'clear', namespace: '*' }` to every local subscriber once it is
 * subscribed again: a `ChainStore` drops its upper tiers, so it never serves an entry another
 * process changed meanwhile.
 *
 * `close()` closes the subscriber connection, and the publishing one if the bus opened it.
 *
 * @example
 * ```ts
 * const bus = new RedisBus({ client: new Redis(), channel: 'app:invalidation' })
 * const chain = new ChainStore([{ store: new MemoryStore() }, { store: redisStore }], { bus })
 * ```
 */
export class RedisBus implements InvalidationBus {
  /** This bus's origin id. */
  readonly origin: string
  /** The pub/sub channel. */
  readonly channel: string
  readonly #publisher: RedisClient
  readonly #ownsPublisher: boolean
  readonly #subscriber: RedisClient
  readonly #subscribers: SubscriberList
  readonly #onError: ErrorHandler
  readonly #timeoutMs: number
  readonly #ready: Promise<void>
  #markReady: () => void = () => {}
  /** Whether the subscriber connection has subscribed once (so a later `ready` is a reconnect). */
  #listening = false
  #closed = false

  constructor(options: RedisBusOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new CacheConfigError('RedisBus: options are required ({ client } or { url })', {
        option: 'client',
      })
    }
    const channel = options.channel ?? DEFAULT_CHANNEL
    if (typeof channel !== 'string' || channel === '') {
      throw new CacheConfigError('RedisBus: `channel` must be a non-empty string', { option: 'channel' })
    }
    if (options.origin !== undefined && (typeof options.origin !== 'string' || options.origin === '')) {
      throw new CacheConfigError('RedisBus: `origin` must be a non-empty string', { option: 'origin' })
    }
    const onError = options.onError ?? defaultErrorHandler
    if (typeof onError !== 'function') {
      throw new CacheConfigError('RedisBus: `onError` must be a function', { option: 'onError' })
    }
    this.#timeoutMs = durationToMs(options.operationTimeout ?? '1s', 'operationTimeout')
    if (this.#timeoutMs <= 0) {
      throw new CacheConfigError('RedisBus: `operationTimeout` must be positive', {
        option: 'operationTimeout',
      })
    }
    this.channel = channel
    this.origin = options.origin ?? randomOrigin()
    this.#onError = onError
    this.#subscribers = new SubscriberList(onError)
    const connection = openConnection('RedisBus', options, this.#timeoutMs)
    this.#publisher = connection.client
    this.#ownsPublisher = connection.owned
    this.#subscriber = duplicateClient(connection.client)
    this.#subscriber.on('message', (received: string, raw: string) => {
      if (received === this.channel) this.#receive(raw)
    })
    this.#ready = new Promise((resolve) => {
      this.#markReady = resolve
    })
    this.#subscriber.on('ready', () => this.#onReady())
    if (this.#subscriber.status === 'wait') this.#subscriber.connect().catch(() => {})
  }

  /**
   * Resolves once the bus listens on its channel (messages published before may be missed).
   * @example
   * ```ts
   * await bus.ready()
   * ```
   */
  async ready(): Promise<void> {
    await this.#ready
  }

  /** Publishes `message` (stamped with this bus's origin when it has none) to every bus on the channel. */
  async publish(message: InvalidationMessage): Promise<void> {
    if (this.#closed) return
    const payload = JSON.stringify({ ...message, origin: message.origin ?? this.origin })
    try {
      await withTimeout(this.#publisher.publish(this.channel, payload), this.#timeoutMs, systemClock, {
        store: 'redis-bus',
        operation: 'publish',
      })
    } catch (error) {
      if (CacheStoreError.isInstance(error)) throw error
      throw new CacheStoreError(
        `redis-bus publish failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          store: 'redis-bus',
          operation: 'publish',
          cause: error,
        },
      )
    }
  }

  /**
   * Calls `handler` for every message whose origin differs from `options.origin` (default: this
   * bus's origin), and with `{ kind: 'clear', namespace: '*' }` after a reconnect.
   * @returns a function that unsubscribes
   */
  subscribe(handler: (message: InvalidationMessage) => void, options: SubscribeOptions = {}): () => void {
    return this.#subscribers.add(handler, options.origin ?? this.origin)
  }

  /** Stops delivery and closes the connections the bus opened (never a client you passed). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#markReady()
    this.#subscribers.clear()
    await closeClient(this.#subscriber)
    if (this.#ownsPublisher) await closeClient(this.#publisher)
  }

  /**
   * On every `ready` of the subscriber connection: (re)subscribe, and after a reconnect tell local
   * subscribers to drop everything, since messages published while disconnected are lost.
   */
  #onReady(): void {
    if (this.#closed) return
    const reconnected = this.#listening
    this.#subscriber.subscribe(this.channel).then(
      () => {
        if (this.#closed) return
        this.#listening = true
        this.#markReady()
        if (reconnected) {
          this.#subscribers.deliver({
            kind: 'clear',
            namespace: RECONNECT_CLEAR_NAMESPACE,
            origin: `${this.origin}:reconnect`,
          })
        }
      },
      (error: unknown) => {
        // The connection dropped again; the next `ready` retries.
        if (!this.#closed) safeReport(this.#onError, error)
      },
    )
  }

  #receive(raw: string): void {
    if (this.#closed) return
    let message: InvalidationMessage
    try {
      message = parseMessage(raw)
    } catch (error) {
      safeReport(
        this.#onError,
        new CacheStoreError(`redis-bus ignored a malformed message on channel ${this.channel}`, {
          store: 'redis-bus',
          operation: 'receive',
          cause: error,
        }),
      )
      return
    }
    this.#subscribers.deliver(message)
  }
}

import { CacheConfigError, clampTimerDelay, systemClock } from '@stratacache/core'
import { type Cluster, Redis } from 'ioredis'

/**
 * A connected ioredis client: a standalone `Redis` or a `Cluster`.
 * @example
 * ```ts
 * const client: RedisClient = new Cluster([{ host: '10.0.0.1', port: 6379 }])
 * ```
 */
export type RedisClient = Redis | Cluster

/**
 * How a Redis adapter reaches the server: an existing client, or a URL it connects to itself.
 * @example
 * ```ts
 * const connection: RedisConnectionOptions = { url: 'redis://127.0.0.1:6379' }
 * ```
 */
export interface RedisConnectionOptions {
  /**
   * An ioredis `Redis` or `Cluster` client to use. It stays yours: `close()` never closes it.
   * Give either `client` or `url`.
   * @example
   * ```ts
   * new RedisStore({ client: new Redis(process.env.REDIS_URL) })
   * ```
   */
  client?: RedisClient
  /**
   * A `redis://` or `rediss://` URL to connect to; the adapter owns that connection and
   * `close()` closes it. Give either `client` or `url`.
   * @example
   * ```ts
   * new RedisStore({ url: 'redis://127.0.0.1:6379/0' })
   * ```
   */
  url?: string | URL
}

/** The client an adapter talks to, and whether it opened it (and so must close it). */
export interface RedisConnection {
  readonly client: RedisClient
  readonly owned: boolean
}

const noop = (): void => {}

/**
 * Resolves `client | url` to a client. A URL-created client fails fast while the server is down:
 * every command is bounded by `commandTimeoutMs` (when finite) and is retried at most once, and
 * the client keeps reconnecting in the background so it recovers when the server returns.
 *
 * @param owner - the adapter name for error messages, e.g. `'RedisStore'`
 * @throws {@link CacheConfigError} when neither or both of `client` and `url` are given, or the URL is not `redis:`/`rediss:`
 */
export function openConnection(
  owner: string,
  options: RedisConnectionOptions,
  commandTimeoutMs: number,
): RedisConnection {
  const { client, url } = options
  if (client !== undefined && url !== undefined) {
    throw new CacheConfigError(`${owner}: give either \`client\` or \`url\`, not both`, { option: 'client' })
  }
  if (client !== undefined) {
    if (typeof client !== 'object' || client === null || typeof client.duplicate !== 'function') {
      throw new CacheConfigError(`${owner}: \`client\` must be an ioredis Redis or Cluster instance`, {
        option: 'client',
      })
    }
    return { client, owned: false }
  }
  if (url === undefined) {
    throw new CacheConfigError(`${owner}: give a \`client\` (ioredis Redis or Cluster) or a \`url\``, {
      option: 'client',
    })
  }
  let parsed: URL
  try {
    parsed = new URL(String(url))
  } catch (error) {
    throw new CacheConfigError(`${owner}: \`url\` is not a valid URL: ${String(url)}`, {
      option: 'url',
      cause: error,
    })
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new CacheConfigError(
      `${owner}: \`url\` must start with redis:// or rediss://, got ${parsed.protocol}//`,
      {
        option: 'url',
      },
    )
  }
  const created = new Redis(parsed.toString(), {
    // ioredis hands `commandTimeout` to a Node timer: past ~24.8 days it would overflow and fire
    // after ~1 ms, so it is clamped (a bound that long is as good as none).
    ...(Number.isFinite(commandTimeoutMs) ? { commandTimeout: clampTimerDelay(commandTimeoutMs) } : {}),
    maxRetriesPerRequest: 1,
  })
  // Connection errors surface on each command as a rejection; without a listener ioredis would
  // also log every reconnect attempt.
  created.on('error', noop)
  return { client: created, owned: true }
}

/**
 * Duplicates `client` for a connection of the adapter's own (e.g. a pub/sub subscriber). The
 * duplicate is owned by the adapter and must be closed with {@link closeClient}.
 */
export function duplicateClient(client: RedisClient): RedisClient {
  // Both `Redis#duplicate` and `Cluster#duplicate` copy the connection options; their
  // signatures differ only in optional overrides, which are not used here.
  const duplicate = (client as { duplicate(): RedisClient }).duplicate()
  duplicate.on('error', noop)
  return duplicate
}

/**
 * Closes a client the adapter opened: a graceful `QUIT` when connected, then a disconnect that
 * also stops reconnecting, so a dead server never makes `close()` hang.
 */
export async function closeClient(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    const quitting = client.quit().catch(noop)
    const bound = new Promise<void>((resolve) => systemClock.setTimeout(resolve, 1000))
    await Promise.race([quitting, bound])
  }
  client.disconnect()
}

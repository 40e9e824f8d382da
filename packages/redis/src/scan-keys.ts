import type { Cluster, Redis } from 'ioredis'
import { SCAN_COUNT, scanCluster } from './cluster-scan'
import type { RedisClient } from './redis-connection'

/**
 * Every key matching the Redis glob `match`, in batches: one `SCAN` cursor walk on a standalone
 * server; on a Cluster, one per master of its slot map, all or error (see `scanCluster`). Each
 * `SCAN` call goes through `bound` (e.g. a timeout).
 *
 * @example
 * ```ts
 * for await (const keys of scanKeys(client, 'app:*', (p) => p)) await client.unlink(...keys)
 * ```
 */
export async function* scanKeys(
  client: RedisClient,
  match: string,
  bound: <T>(operation: Promise<T>) => Promise<T>,
): AsyncGenerator<string[]> {
  if (client.isCluster) {
    yield* scanCluster(client as Cluster, match, bound)
    return
  }
  const node = client as Redis
  let cursor = '0'
  do {
    const [next, keys] = await bound(node.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT))
    cursor = next
    if (keys.length > 0) yield keys
  } while (cursor !== '0')
}

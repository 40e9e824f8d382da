import type { Cluster, Redis } from 'ioredis'
import type { RedisClient } from './redis-connection'

/** How many keys one `SCAN` step asks for, and so the largest batch a caller deletes at once. */
const SCAN_COUNT = 1000

/**
 * Every key matching the Redis glob `match`, in batches: one `SCAN` cursor walk on a standalone
 * server, one per master in a Cluster. Each `SCAN` call goes through `bound` (e.g. a timeout).
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
  const nodes: Redis[] = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis]
  for (const node of nodes) {
    let cursor = '0'
    do {
      const [next, keys] = await bound(node.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT))
      cursor = next
      if (keys.length > 0) yield keys
    } while (cursor !== '0')
  }
}

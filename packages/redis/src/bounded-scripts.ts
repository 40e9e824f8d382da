/**
 * The Lua scripts of bounded stores (`maxEntries` + `policy`). A sorted set per store (the
 * index) holds every entry's Redis key, scored by the policy: a sequence number for lru, mru and
 * fifo (from a counter key, so the order is exact), a use count for lfu. Each script updates the
 * index and evicts in the same atomic step as the write or read it belongs to, so the number of
 * entries never exceeds `maxEntries`, even across processes.
 *
 * Keys of every script: `KEYS[1]` the index, `KEYS[2]` the sequence counter, then entry keys.
 * In Redis Cluster they must share one hash slot: bounded stores put their prefix in a hash tag.
 * Needs Redis 6.2+ (`ZRANDMEMBER`).
 * @packageDocumentation
 */
import type { ChainableCommander } from 'ioredis'
import type { EvictionPolicy } from './eviction-policy'
import type { RedisClient } from './redis-connection'

// ARGV: policy, maxEntries, value, expiresAt (epoch ms for PXAT, '' = never), onlyIfAbsent ('1' | '0'). Returns 1 if written.
const SET = `
local index, seq, key = KEYS[1], KEYS[2], KEYS[3]
local policy, max = ARGV[1], tonumber(ARGV[2])
local exists = redis.call('EXISTS', key) == 1
if ARGV[5] == '1' and exists then return 0 end
local known = redis.call('ZSCORE', index, key)
if known and not exists then
  redis.call('ZREM', index, key)
  known = false
end
if not known then
  while redis.call('ZCARD', index) >= max do
    local victim
    if policy == 'mru' then victim = redis.call('ZRANGE', index, -1, -1)[1]
    elseif policy == 'random' then victim = redis.call('ZRANDMEMBER', index)
    else victim = redis.call('ZRANGE', index, 0, 0)[1] end
    redis.call('ZREM', index, victim)
    redis.call('UNLINK', victim)
  end
end
if ARGV[4] == '' then redis.call('SET', key, ARGV[3]) else redis.call('SET', key, ARGV[3], 'PXAT', ARGV[4]) end
if policy == 'lfu' then redis.call('ZINCRBY', index, 1, key)
elseif not known or policy ~= 'fifo' then redis.call('ZADD', index, redis.call('INCR', seq), key) end
return 1
`

// ARGV: policy. Returns the entry's bytes or nil; a read counts as a use for lru, mru and lfu.
const GET = `
local index, seq, key = KEYS[1], KEYS[2], KEYS[3]
local value = redis.call('GET', key)
if not value then
  redis.call('ZREM', index, key)
  return false
end
if ARGV[1] == 'lfu' then redis.call('ZADD', index, 'XX', 'INCR', 1, key)
else redis.call('ZADD', index, 'XX', redis.call('INCR', seq), key) end
return value
`

// Removes entry keys and their index members. Returns how many entries existed.
const DELETE = `
local removed = 0
for i = 3, #KEYS do
  removed = removed + redis.call('UNLINK', KEYS[i])
  redis.call('ZREM', KEYS[1], KEYS[i])
end
return removed
`

// Drops index members whose entry no longer exists (expired or removed by other means).
const PRUNE = `
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, member in ipairs(members) do
  if redis.call('EXISTS', member) == 0 then redis.call('ZREM', KEYS[1], member) end
end
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[2]) end
return 0
`

/** The bounded-store commands, once defined on a client or pipeline. */
export interface BoundedCommands {
  stratacacheBoundedSet(
    index: string,
    seq: string,
    key: string,
    policy: EvictionPolicy,
    maxEntries: number,
    value: Buffer,
    expiresAt: string,
    onlyIfAbsent: '0' | '1',
  ): Promise<number>
  stratacacheBoundedGetBuffer(
    index: string,
    seq: string,
    key: string,
    policy: EvictionPolicy,
  ): Promise<Buffer | null>
  stratacacheBoundedDelete(keyCount: number, index: string, seq: string, ...keys: string[]): Promise<number>
  stratacacheBoundedPrune(index: string, seq: string): Promise<number>
}

/** {@link BoundedCommands} queued on a pipeline. */
export type BoundedPipeline = ChainableCommander & {
  [K in keyof BoundedCommands]: (...args: Parameters<BoundedCommands[K]>) => BoundedPipeline
}

/**
 * Defines the bounded-store scripts on `client` (idempotent). ioredis runs them with `EVALSHA`
 * and loads them on `NOSCRIPT`.
 */
export function defineBoundedCommands(client: RedisClient): RedisClient & BoundedCommands {
  const target = client as RedisClient & Partial<BoundedCommands>
  if (typeof target.stratacacheBoundedSet !== 'function') {
    client.defineCommand('stratacacheBoundedSet', { numberOfKeys: 3, lua: SET })
    client.defineCommand('stratacacheBoundedGet', { numberOfKeys: 3, lua: GET })
    client.defineCommand('stratacacheBoundedPrune', { numberOfKeys: 2, lua: PRUNE })
    // A variable number of keys: the caller passes their count first (ioredis convention).
    client.defineCommand('stratacacheBoundedDelete', { lua: DELETE })
  }
  return client as RedisClient & BoundedCommands
}

/**
 * The Lua scripts of bounded stores (`maxEntries` + `policy`). A sorted set per store (the
 * index) holds every entry's Redis key, scored by the policy: a sequence number for lru, mru and
 * fifo (from a counter key, so the order is exact), a use count for lfu. A second sorted set
 * holds each expiring entry's `PXAT`, so a write that needs room first forgets entries that died
 * (they never cost a live entry its place). Each script updates both and evicts in the same
 * atomic step as the write or read it belongs to, so the number of entries never exceeds
 * `maxEntries`, even across processes.
 *
 * Keys of every script: `KEYS[1]` the index, `KEYS[2]` the sequence counter, `KEYS[3]` the
 * expiries, then entry keys. In Redis Cluster they must share one hash slot: bounded stores put
 * their prefix in a hash tag. Needs Redis 6.2+ (`ZRANDMEMBER`, `PXAT`).
 * @packageDocumentation
 */
import type { ChainableCommander } from 'ioredis'
import type { EvictionPolicy } from './eviction-policy'
import type { RedisClient } from './redis-connection'

/** How many dead entries one write forgets at most (the rest go with later writes). */
const REAP_LIMIT = 100

// ARGV: policy, maxEntries, value, expiresAt (PXAT epoch ms, '' = never), onlyIfAbsent ('1' | '0'),
// now (epoch ms). Returns 1 if written.
const SET = `
local index, seq, expiries, key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local policy, max = ARGV[1], tonumber(ARGV[2])
local exists = redis.call('EXISTS', key) == 1
if ARGV[5] == '1' and exists then return 0 end
local known = redis.call('ZSCORE', index, key)
if known and not exists then
  redis.call('ZREM', index, key)
  known = false
end
if not known and redis.call('ZCARD', index) >= max then
  local dead = redis.call('ZRANGEBYSCORE', expiries, '-inf', '(' .. ARGV[6], 'LIMIT', 0, ${REAP_LIMIT})
  for _, member in ipairs(dead) do
    redis.call('ZREM', index, member)
    redis.call('ZREM', expiries, member)
    redis.call('UNLINK', member)
  end
  while redis.call('ZCARD', index) >= max do
    local victim
    if policy == 'mru' then victim = redis.call('ZRANGE', index, -1, -1)[1]
    elseif policy == 'random' then victim = redis.call('ZRANDMEMBER', index)
    else victim = redis.call('ZRANGE', index, 0, 0)[1] end
    redis.call('ZREM', index, victim)
    redis.call('ZREM', expiries, victim)
    redis.call('UNLINK', victim)
  end
end
if ARGV[4] == '' then
  redis.call('SET', key, ARGV[3])
  redis.call('ZREM', expiries, key)
else
  redis.call('SET', key, ARGV[3], 'PXAT', ARGV[4])
  redis.call('ZADD', expiries, ARGV[4], key)
end
if policy == 'lfu' then redis.call('ZINCRBY', index, 1, key)
elseif not known or policy ~= 'fifo' then redis.call('ZADD', index, redis.call('INCR', seq), key) end
return 1
`

// ARGV: policy. Returns the entry's bytes or nil; a read counts as a use for lru, mru and lfu.
const GET = `
local index, seq, expiries, key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local value = redis.call('GET', key)
if not value then
  redis.call('ZREM', index, key)
  redis.call('ZREM', expiries, key)
  return false
end
if ARGV[1] == 'lfu' then redis.call('ZADD', index, 'XX', 'INCR', 1, key)
else redis.call('ZADD', index, 'XX', redis.call('INCR', seq), key) end
return value
`

// Removes entry keys and their index members. Returns how many entries existed.
const DELETE = `
local removed = 0
for i = 4, #KEYS do
  removed = removed + redis.call('UNLINK', KEYS[i])
  redis.call('ZREM', KEYS[1], KEYS[i])
  redis.call('ZREM', KEYS[3], KEYS[i])
end
return removed
`

// Drops index members whose entry no longer exists (expired or removed by other means).
const PRUNE = `
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, member in ipairs(members) do
  if redis.call('EXISTS', member) == 0 then
    redis.call('ZREM', KEYS[1], member)
    redis.call('ZREM', KEYS[3], member)
  end
end
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[2], KEYS[3]) end
return 0
`

/** The bounded-store commands, once defined on a client or pipeline. */
export interface BoundedCommands {
  stratacacheBoundedSet(
    index: string,
    seq: string,
    expiries: string,
    key: string,
    policy: EvictionPolicy,
    maxEntries: number,
    value: Buffer,
    expiresAt: string,
    onlyIfAbsent: '0' | '1',
    now: number,
  ): Promise<number>
  stratacacheBoundedGetBuffer(
    index: string,
    seq: string,
    expiries: string,
    key: string,
    policy: EvictionPolicy,
  ): Promise<Buffer | null>
  stratacacheBoundedDelete(
    keyCount: number,
    index: string,
    seq: string,
    expiries: string,
    ...keys: string[]
  ): Promise<number>
  stratacacheBoundedPrune(index: string, seq: string, expiries: string): Promise<number>
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
    client.defineCommand('stratacacheBoundedSet', { numberOfKeys: 4, lua: SET })
    client.defineCommand('stratacacheBoundedGet', { numberOfKeys: 4, lua: GET })
    client.defineCommand('stratacacheBoundedPrune', { numberOfKeys: 3, lua: PRUNE })
    // A variable number of keys: the caller passes their count first (ioredis convention).
    client.defineCommand('stratacacheBoundedDelete', { lua: DELETE })
  }
  return client as RedisClient & BoundedCommands
}

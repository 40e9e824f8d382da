/**
 * The Lua scripts behind `RedisStore`'s {@link CoordinationStore} methods: compare-and-delete
 * and compare-and-extend for locks, and pools as a sorted set of holder tokens scored by their
 * expiry (server time, ms), trimmed of expired slots atomically by every script.
 * @packageDocumentation
 */
import type { RedisClient } from './redis-connection'

// ARGV: token. 1 if the token held the lock and it was deleted.
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

// ARGV: token, ttl ms ('' = never expires). 1 if the token holds the lock.
const EXTEND_LOCK = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`

const NOW_AND_TRIM = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
`

// ARGV: maxSize, token, ttl ms ('' = never expires). 1 if a slot was taken. The pool key expires
// with its longest-lived slot.
const ACQUIRE_SLOT = `${NOW_AND_TRIM}
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[1]) then return 0 end
if ARGV[3] == '' then
  redis.call('ZADD', KEYS[1], '+inf', ARGV[2])
  redis.call('PERSIST', KEYS[1])
  return 1
end
local ttl = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[2])
local current = redis.call('PTTL', KEYS[1])
if count == 0 or (current >= 0 and current < ttl) then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`

// ARGV: token. 1 if the token held a live slot.
const RELEASE_SLOT = `${NOW_AND_TRIM}
return redis.call('ZREM', KEYS[1], ARGV[1])
`

const COUNT_SLOTS = `${NOW_AND_TRIM}
return redis.call('ZCARD', KEYS[1])
`

/** The coordination commands, once defined on a client. */
export interface CoordinationCommands {
  stratacacheReleaseLock(key: string, token: string): Promise<number>
  stratacacheExtendLock(key: string, token: string, px: string): Promise<number>
  stratacacheAcquireSlot(key: string, maxSize: number, token: string, px: string): Promise<number>
  stratacacheReleaseSlot(key: string, token: string): Promise<number>
  stratacacheCountSlots(key: string): Promise<number>
}

/** Defines the coordination scripts on `client` (idempotent); ioredis runs them with `EVALSHA`. */
export function defineCoordinationCommands(client: RedisClient): RedisClient & CoordinationCommands {
  const target = client as RedisClient & Partial<CoordinationCommands>
  if (typeof target.stratacacheReleaseLock !== 'function') {
    client.defineCommand('stratacacheReleaseLock', { numberOfKeys: 1, lua: RELEASE_LOCK })
    client.defineCommand('stratacacheExtendLock', { numberOfKeys: 1, lua: EXTEND_LOCK })
    client.defineCommand('stratacacheAcquireSlot', { numberOfKeys: 1, lua: ACQUIRE_SLOT })
    client.defineCommand('stratacacheReleaseSlot', { numberOfKeys: 1, lua: RELEASE_SLOT })
    client.defineCommand('stratacacheCountSlots', { numberOfKeys: 1, lua: COUNT_SLOTS })
  }
  return client as RedisClient & CoordinationCommands
}

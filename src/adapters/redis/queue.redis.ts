// QueueStore in Redis: the same FIFO waiting room as the in-process store, shared by any number of instances.

import type { Redis } from 'ioredis'
import { randomId } from '../../shared/ids.js'
import type { QueueEntry, QueuePolicy, QueueStatus } from '../../modules/queue/queue.js'
import type { QueueStore } from '../../modules/queue/queue-store.js'
import { pingRedis, viaRedis } from './redis.js'

/*
 * Keys of one concert (prefix `queue:` by default, then the concert id):
 *   :waiting     sorted set  token → join sequence (INCR of `queue:seq`, never wall-clock time): FIFO order and ZRANK
 *   :seen        sorted set  token → last heartbeat of a WAITING token (admit drops the silent ones by score)
 *   :active      sorted set  token → activeUntil (admit drops the lapsed ones by score)
 *   :owner       hash        token → user id
 *   :users       hash        user id → the user's latest token
 *   :admissions  sorted set  token → admitted at, the last minute of them (for the ETA)
 *   :room        string      present while the concert has a queue (what `concerts()` checks)
 * plus `queue:concerts`, the set of concert ids with a room. Every per-concert key is given a TTL on each
 * write (longest lifetime of an entry plus a minute), so a concert nobody touches any more vanishes even if
 * no instance runs the admission tick; the concerts set is pruned of such ids by `concerts()`.
 * Times are the caller's `now`, never Redis TIME, exactly like the in-process store.
 */

const PRELUDE = `
local WAITING, SEEN, ACTIVE, OWNER, USERS, ADMISSIONS, ROOM = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]

-- Integral milliseconds as a string Redis parses exactly.
local function num (x) return string.format('%.0f', x) end

local function keepFor (ms)
  for i = 1, 7 do redis.call('PEXPIRE', KEYS[i], ms) end
end

-- Removes a token wherever it is; the user's mapping goes only if it still points at this token.
local function forget (token)
  redis.call('ZREM', WAITING, token)
  redis.call('ZREM', SEEN, token)
  redis.call('ZREM', ACTIVE, token)
  local user = redis.call('HGET', OWNER, token)
  redis.call('HDEL', OWNER, token)
  if user and redis.call('HGET', USERS, user) == token then redis.call('HDEL', USERS, user) end
end

-- {token, status, user, position, activeUntil} or false once the token left or lapsed.
local function read (token, now, heartbeatTimeout, heartbeat)
  local activeUntil = redis.call('ZSCORE', ACTIVE, token)
  if activeUntil then
    if tonumber(activeUntil) > now then return { token, 'ACTIVE', redis.call('HGET', OWNER, token), 0, activeUntil } end
    return false
  end
  local lastSeen = redis.call('ZSCORE', SEEN, token)
  if not lastSeen or tonumber(lastSeen) + heartbeatTimeout < now then return false end
  local rank = redis.call('ZRANK', WAITING, token)
  if not rank then return false end
  if heartbeat then redis.call('ZADD', SEEN, num(now), token) end
  return { token, 'WAITING', redis.call('HGET', OWNER, token), rank + 1, false }
end
`

// KEYS 1–7 as above, 8 concerts set, 9 sequence. ARGV: now, heartbeatTimeout, keepMs, concertId, userId, newToken.
const JOIN = PRELUDE + `
local now, heartbeatTimeout, keepMs = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local concertId, user, newToken = ARGV[4], ARGV[5], ARGV[6]
local existing = redis.call('HGET', USERS, user)
if existing then
  local entry = read(existing, now, heartbeatTimeout, true)
  if entry then
    keepFor(keepMs)
    return { 0, entry }
  end
end
redis.call('ZADD', WAITING, redis.call('INCR', KEYS[9]), newToken)
redis.call('ZADD', SEEN, num(now), newToken)
redis.call('HSET', OWNER, newToken, user)
redis.call('HSET', USERS, user, newToken)
redis.call('SET', ROOM, concertId)
redis.call('SADD', KEYS[8], concertId)
keepFor(keepMs)
return { 1, read(newToken, now, heartbeatTimeout, false) }
`

// KEYS 1–7. ARGV: now, heartbeatTimeout, keepMs, token... Each read is a heartbeat.
const TOUCH = PRELUDE + `
local now, heartbeatTimeout, keepMs = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local entries, live = {}, false
for i = 4, #ARGV do
  local entry = read(ARGV[i], now, heartbeatTimeout, true)
  entries[i - 3] = entry
  if entry then live = true end
end
if live then keepFor(keepMs) end
return entries
`

// KEYS 1–7. ARGV: token.
const LEAVE = PRELUDE + `
forget(ARGV[1])
return 1
`

// KEYS 1–7. ARGV: userId.
const LEAVE_BY_USER = PRELUDE + `
local token = redis.call('HGET', USERS, ARGV[1])
if token then forget(token) end
return 1
`

// KEYS 1–7, 8 concerts set. ARGV: now, heartbeatTimeout, keepMs, maxActive, activeTtl, concertId.
// One script, so instances running it at the same moment are serialised by Redis and never over-admit.
const ADMIT = PRELUDE + `
local now, heartbeatTimeout, keepMs = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local maxActive, activeTtl, concertId = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
if redis.call('EXISTS', ROOM) == 0 then return 0 end
for _, token in ipairs(redis.call('ZRANGEBYSCORE', ACTIVE, '-inf', num(now))) do forget(token) end
for _, token in ipairs(redis.call('ZRANGEBYSCORE', SEEN, '-inf', '(' .. num(now - heartbeatTimeout))) do forget(token) end
local admitted = 0
local free = maxActive - redis.call('ZCARD', ACTIVE)
if free > 0 then
  local activeUntil = num(now + activeTtl)
  for _, token in ipairs(redis.call('ZRANGE', WAITING, 0, free - 1)) do
    redis.call('ZREM', WAITING, token)
    redis.call('ZREM', SEEN, token)
    redis.call('ZADD', ACTIVE, activeUntil, token)
    local user = redis.call('HGET', OWNER, token)
    if user then redis.call('HSET', USERS, user, token) end
    redis.call('ZADD', ADMISSIONS, num(now), token)
    admitted = admitted + 1
  end
end
redis.call('ZREMRANGEBYSCORE', ADMISSIONS, '-inf', num(now - 60000))
if redis.call('ZCARD', WAITING) == 0 and redis.call('ZCARD', ACTIVE) == 0 then
  redis.call('DEL', WAITING, SEEN, ACTIVE, OWNER, USERS, ADMISSIONS, ROOM)
  redis.call('SREM', KEYS[8], concertId)
else
  keepFor(keepMs)
end
return admitted
`

// KEYS 1 concerts set. ARGV: key prefix. Drops ids whose room expired. (Builds key names, so standalone Redis only.)
const CONCERTS = `
local live = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. id .. ':room') == 1 then live[#live + 1] = id else redis.call('SREM', KEYS[1], id) end
end
return live
`

type Script = (...args: Array<string | number>) => Promise<unknown>

/** Registers a Lua script on the connection (EVALSHA, falling back to EVAL once per connection). */
function defineScript (redis: Redis, name: string, numberOfKeys: number, lua: string): Script {
  redis.defineCommand(name, { numberOfKeys, lua })
  const command = (redis as unknown as Record<string, Script>)[name]
  return (...args) => command.apply(redis, args)
}

/** {token, status, user, position, activeUntil} as the scripts return it, or null for a gone token. */
type RawEntry = [string, QueueStatus, string | null, number, string | null] | null

const toEntry = (concertId: number, raw: RawEntry): QueueEntry | null => raw && {
  tokenId: raw[0],
  userId: raw[2] ?? '',
  concertId,
  status: raw[1],
  position: Number(raw[3]),
  activeUntil: raw[4] === null ? null : Number(raw[4])
}

/**
 * A QueueStore in Redis with the in-process store's semantics: FIFO by an INCR sequence, one live token
 * per user and concert, heartbeat timeout for WAITING, activeUntil for ACTIVE, and one atomic Lua admission
 * step that any number of instances may run at once. Redis outages surface as ServiceUnavailableError.
 */
export function createRedisQueueStore (redis: Redis, policy: QueuePolicy, options: { prefix?: string } = {}): QueueStore {
  const prefix = options.prefix ?? 'queue:'
  const concertsKey = `${prefix}concerts`
  const seqKey = `${prefix}seq`
  const keepMs = Math.max(policy.activeTtlMs, policy.heartbeatTimeoutMs) + 60_000
  const roomKeys = (concertId: number): string[] =>
    ['waiting', 'seen', 'active', 'owner', 'users', 'admissions', 'room'].map(k => `${prefix}${concertId}:${k}`)

  const join = defineScript(redis, 'queueJoin', 9, JOIN)
  const touch = defineScript(redis, 'queueTouch', 7, TOUCH)
  const leave = defineScript(redis, 'queueLeave', 7, LEAVE)
  const leaveByUser = defineScript(redis, 'queueLeaveByUser', 7, LEAVE_BY_USER)
  const admit = defineScript(redis, 'queueAdmit', 8, ADMIT)
  const concerts = defineScript(redis, 'queueConcerts', 1, CONCERTS)
  const what = 'the waiting room (redis)'

  const touchMany = async (concertId: number, tokenIds: string[], now: number): Promise<Array<QueueEntry | null>> => {
    if (tokenIds.length === 0) return []
    const raw = await viaRedis(touch(...roomKeys(concertId), now, policy.heartbeatTimeoutMs, keepMs, ...tokenIds), what) as RawEntry[]
    return tokenIds.map((_, i) => toEntry(concertId, raw[i] ?? null))
  }

  return {
    policy,
    async join (concertId, userId, now) {
      const [created, raw] = await viaRedis(
        join(...roomKeys(concertId), concertsKey, seqKey, now, policy.heartbeatTimeoutMs, keepMs, concertId, userId, randomId()), what
      ) as [number, RawEntry]
      return { entry: toEntry(concertId, raw)!, created: created === 1 }
    },
    async touch (concertId, tokenId, now) {
      const [entry] = await touchMany(concertId, [tokenId], now)
      return entry
    },
    touchMany,
    async leave (concertId, tokenId) {
      await viaRedis(leave(...roomKeys(concertId), tokenId), what)
    },
    async leaveByUser (concertId, userId) {
      await viaRedis(leaveByUser(...roomKeys(concertId), userId), what)
    },
    async admit (concertId, now) {
      return Number(await viaRedis(admit(
        ...roomKeys(concertId), concertsKey, now, policy.heartbeatTimeoutMs, keepMs, policy.maxActive, policy.activeTtlMs, concertId
      ), what))
    },
    async admittedLastMinute (concertId, now) {
      return viaRedis(redis.zcount(`${prefix}${concertId}:admissions`, `(${now - 60_000}`, '+inf'), what)
    },
    async stats (concertId, now) {
      const [waitingKey, , activeKey] = roomKeys(concertId)
      const [waiting, active] = await viaRedis(Promise.all([redis.zcard(waitingKey), redis.zcount(activeKey, `(${now}`, '+inf')]), what)
      return { waiting, active }
    },
    async concerts () {
      const ids = await viaRedis(concerts(concertsKey, prefix), what) as string[]
      return ids.map(Number)
    },
    async ping () {
      await pingRedis(redis)
    }
  }
}

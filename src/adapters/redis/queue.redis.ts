// QueueStore in Redis: the same waiting room as the in-process store, shared by any number of instances (standalone or Cluster).

import { randomId } from '../../shared/ids.js'
import { METER_BUCKET_MS, METER_BUCKETS, meterBucket, type QueueEntry, type QueuePolicy, type QueueStatus, type RoomFigures } from '../../modules/queue/queue.js'
import type { DrawOutcome, QueueStore } from '../../modules/queue/queue-store.js'
import { pingRedis, viaRedis, type RedisClient } from './redis.js'

/*
 * Keys of one concert, all under the hash tag `{c<concertId>}` so a Cluster keeps them in one slot and every
 * script touches one slot only (prefix `queue:` by default):
 *   :waiting   sorted set  token → sequence (the room's own counter; the draw places the pre-queue at -n..-1)
 *   :seen      sorted set  token → last heartbeat of a WAITING token
 *   :active    sorted set  token → activeUntil
 *   :activity  sorted set  token → last request of an ACTIVE token (the idle timeout)
 *   :prequeue  sorted set  token → sequence, before the draw
 *   :owner     hash        token → user id
 *   :users     hash        user id → the user's latest token
 *   :drawn     set         tokens placed by the draw
 *   :meter     hash        a<bucket> / p<bucket> → admissions / payments per 10 s bucket (10 minutes kept)
 *   :room      hash        seq, tick (rate model), soldOut, drawnAt, opensAt
 *   :draw      string      the draw's token ids in order, comma-separated
 * Scripts receive every key in KEYS and build no key names. Each write refreshes a time-to-live on every key
 * (the longest lifetime of an entry plus a minute, or until the opening plus that for a pre-queue), so a
 * concert nobody touches any more vanishes by itself. The set `queue:rooms` of concert ids with a room is a
 * plain key written outside the scripts (the one key that is not a concert's); ids whose room expired are
 * pruned when it is read. Times are the caller's `now`, never Redis TIME, exactly like the in-process store.
 */

const KEY_NAMES = ['waiting', 'seen', 'active', 'activity', 'prequeue', 'owner', 'users', 'drawn', 'meter', 'room', 'draw']

const PRELUDE = `
local WAITING, SEEN, ACTIVE, ACTIVITY, PREQUEUE, OWNER, USERS, DRAWN, METER, ROOM, DRAW =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local now, heartbeat, idle, keepMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local maxActive, activeTtl, rateModel, perTick, tickMs = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7] == '1', tonumber(ARGV[8]), tonumber(ARGV[9])

-- Integral milliseconds as a string Redis parses exactly.
local function num (x) return string.format('%.0f', x) end

-- Refreshes the time-to-live of every key: a pre-queue lives at least until its opening.
local function keep ()
  local ms = keepMs
  local opensAt = tonumber(redis.call('HGET', ROOM, 'opensAt') or '')
  if opensAt and opensAt + keepMs - now > ms then ms = opensAt + keepMs - now end
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], num(ms)) end
end

-- Removes a token wherever it is; the user's mapping goes only if it still points at this token.
local function forget (token)
  redis.call('ZREM', WAITING, token)
  redis.call('ZREM', SEEN, token)
  redis.call('ZREM', ACTIVE, token)
  redis.call('ZREM', ACTIVITY, token)
  redis.call('ZREM', PREQUEUE, token)
  redis.call('SREM', DRAWN, token)
  local user = redis.call('HGET', OWNER, token)
  redis.call('HDEL', OWNER, token)
  if user and redis.call('HGET', USERS, user) == token then redis.call('HDEL', USERS, user) end
end

-- {token, status, user, position, activeUntil, drawn} or false once the token left or lapsed.
local function read (token, touch)
  local drawn = redis.call('SISMEMBER', DRAWN, token)
  local activeUntil = redis.call('ZSCORE', ACTIVE, token)
  if activeUntil then
    if tonumber(activeUntil) <= now then return false end
    local last = tonumber(redis.call('ZSCORE', ACTIVITY, token) or '0')
    if last + idle < now then return false end
    if touch then redis.call('ZADD', ACTIVITY, num(now), token) end
    return { token, 'ACTIVE', redis.call('HGET', OWNER, token), 0, activeUntil, drawn }
  end
  local soldOut = redis.call('HGET', ROOM, 'soldOut') == '1'
  if redis.call('ZSCORE', PREQUEUE, token) then
    return { token, soldOut and 'SOLD_OUT' or 'PREQUEUE', redis.call('HGET', OWNER, token), false, false, drawn }
  end
  local lastSeen = redis.call('ZSCORE', SEEN, token)
  if not lastSeen or tonumber(lastSeen) + heartbeat < now then return false end
  local rank = redis.call('ZRANK', WAITING, token)
  if not rank then return false end
  if touch then redis.call('ZADD', SEEN, num(now), token) end
  return { token, soldOut and 'SOLD_OUT' or 'WAITING', redis.call('HGET', OWNER, token), rank + 1, false, drawn }
end

-- Counts n admissions ('a') or payments ('p') in the bucket of now; buckets older than the meter's span go.
local function meter (kind, n)
  local bucket = math.floor(now / ${METER_BUCKET_MS})
  redis.call('HINCRBY', METER, kind .. bucket, n)
  if redis.call('HGET', METER, 'last') ~= tostring(bucket) then
    redis.call('HSET', METER, 'last', bucket)
    for _, field in ipairs(redis.call('HKEYS', METER)) do
      local b = tonumber(string.sub(field, 2))
      if field ~= 'last' and b and b <= bucket - ${METER_BUCKETS} then redis.call('HDEL', METER, field) end
    end
  end
end

local function dropAll (tokens) for _, token in ipairs(tokens) do forget(token) end end

-- The admission step (see QueueStore.admit). opensAt < 0: the concert has no opening.
local function admitStep (opensAt)
  dropAll(redis.call('ZRANGEBYSCORE', ACTIVE, '-inf', num(now)))
  dropAll(redis.call('ZRANGEBYSCORE', ACTIVITY, '-inf', '(' .. num(now - idle)))
  dropAll(redis.call('ZRANGEBYSCORE', SEEN, '-inf', '(' .. num(now - heartbeat)))
  if redis.call('HGET', ROOM, 'soldOut') == '1' then return 0 end
  -- Nobody goes ahead of the pre-queue: until the draw has placed it, admission waits.
  if opensAt >= 0 and now >= opensAt and redis.call('ZCARD', PREQUEUE) > 0 then return 0 end
  local free = maxActive - redis.call('ZCARD', ACTIVE)
  if rateModel then
    local window = math.floor(now / tickMs)
    local last = tonumber(redis.call('HGET', ROOM, 'tick') or '-1')
    if window <= last then return 0 end
    redis.call('HSET', ROOM, 'tick', window)
    if perTick < free then free = perTick end
  end
  if free <= 0 then return 0 end
  local activeUntil = num(now + activeTtl)
  local admitted = 0
  for _, token in ipairs(redis.call('ZRANGE', WAITING, 0, free - 1)) do
    redis.call('ZREM', WAITING, token)
    redis.call('ZREM', SEEN, token)
    redis.call('ZADD', ACTIVE, activeUntil, token)
    redis.call('ZADD', ACTIVITY, num(now), token)
    admitted = admitted + 1
  end
  if admitted > 0 then meter('a', admitted) end
  return admitted
end
`

// ARGV 10.. : userId, newToken, opensAt (-1: none).
const JOIN = PRELUDE + `
local user, newToken, opensAt = ARGV[10], ARGV[11], tonumber(ARGV[12])
if opensAt >= 0 then redis.call('HSET', ROOM, 'opensAt', num(opensAt)) end
local token = redis.call('HGET', USERS, user)
local created = 0
if not (token and read(token, true)) then
  if token then forget(token) end
  token = newToken
  local seq = redis.call('HINCRBY', ROOM, 'seq', 1)
  if opensAt >= 0 and now < opensAt and redis.call('HEXISTS', ROOM, 'drawnAt') == 0 then
    redis.call('ZADD', PREQUEUE, seq, token)
  else
    redis.call('ZADD', WAITING, seq, token)
    redis.call('ZADD', SEEN, num(now), token)
  end
  redis.call('HSET', OWNER, token, user)
  redis.call('HSET', USERS, user, token)
  created = 1
end
if not rateModel then admitStep(opensAt) end
keep()
return { created, read(token, false) }
`

// ARGV 10.. : tokens. Each read is a heartbeat (WAITING) or activity (ACTIVE); no key is created.
const TOUCH = PRELUDE + `
local entries, live = {}, false
for i = 10, #ARGV do
  local entry = read(ARGV[i], true)
  entries[i - 9] = entry
  if entry then live = true end
end
if live and redis.call('PTTL', ROOM) < keepMs / 2 then keep() end
return entries
`

// ARGV 10: token.
const LEAVE = PRELUDE + `
forget(ARGV[10])
return 1
`

// ARGV 10: userId, 11: paid (1/0).
const LEAVE_BY_USER = PRELUDE + `
local token = redis.call('HGET', USERS, ARGV[10])
if not token then return 0 end
if ARGV[11] == '1' then
  local entry = read(token, false)
  if entry and entry[2] == 'ACTIVE' then meter('p', 1) end
end
forget(token)
keep()
return 1
`

// ARGV 10: opensAt (-1: none), 11: soldOut (1/0). One script, so instances running it at once never over-admit.
// Ticks alone never extend the room's life: only admissions do.
const ADMIT = PRELUDE + `
if redis.call('EXISTS', ROOM) == 0 then return 0 end
redis.call('HSET', ROOM, 'soldOut', ARGV[11])
local admitted = admitStep(tonumber(ARGV[10]))
if admitted > 0 then keep() end
return admitted
`

// ARGV 10.. : the pre-queued tokens in draw order.
const DRAW = PRELUDE + `
if redis.call('HEXISTS', ROOM, 'drawnAt') == 1 then return 'already' end
local n = #ARGV - 9
if redis.call('ZCARD', PREQUEUE) ~= n then return 'changed' end
local named = {}
for i = 10, #ARGV do
  if named[ARGV[i]] then return 'changed' end
  named[ARGV[i]] = true
end
local CHUNK = 1000
for from = 1, n, CHUNK do
  local to = math.min(n, from + CHUNK - 1)
  local scores = redis.call('ZMSCORE', PREQUEUE, unpack(ARGV, 9 + from, 9 + to))
  for i = 1, to - from + 1 do if not scores[i] then return 'changed' end end
end
local stamp = num(now)
for from = 1, n, CHUNK do
  local to = math.min(n, from + CHUNK - 1)
  local ranked, seen, tokens = {}, {}, {}
  for i = from, to do
    local token = ARGV[9 + i]
    ranked[#ranked + 1] = i - n - 1
    ranked[#ranked + 1] = token
    seen[#seen + 1] = stamp
    seen[#seen + 1] = token
    tokens[#tokens + 1] = token
  end
  redis.call('ZREM', PREQUEUE, unpack(tokens))
  redis.call('ZADD', WAITING, unpack(ranked))
  redis.call('ZADD', SEEN, unpack(seen))
  redis.call('SADD', DRAWN, unpack(tokens))
end
redis.call('HSET', ROOM, 'drawnAt', stamp)
redis.call('SET', DRAW, table.concat(ARGV, ',', 10))
keep()
return 'drawn'
`

// No ARGV beyond the prelude. {waiting, active, prequeued, meter fields..., soldOut, drawnAt}.
const FIGURES = PRELUDE + `
local room = redis.call('HMGET', ROOM, 'soldOut', 'drawnAt')
return { redis.call('ZCARD', WAITING), redis.call('ZCOUNT', ACTIVE, '(' .. num(now), '+inf'), redis.call('ZCARD', PREQUEUE),
  redis.call('HGETALL', METER), room[1] or '0', room[2] or false }
`

type Script = (...args: Array<string | number>) => Promise<unknown>

/** Registers a Lua script on the connection (EVALSHA, falling back to EVAL once per connection or node). */
function defineScript (redis: RedisClient, name: string, lua: string): Script {
  redis.defineCommand(name, { numberOfKeys: KEY_NAMES.length, lua })
  const command = (redis as unknown as Record<string, Script>)[name]
  return (...args) => command.apply(redis, args)
}

/** {token, status, user, position, activeUntil, drawn} as the scripts return it, or null for a gone token. */
type RawEntry = [string, QueueStatus, string | null, number | null, string | null, number] | null

const toEntry = (concertId: number, raw: RawEntry): QueueEntry | null => raw && {
  tokenId: raw[0],
  userId: raw[2] ?? '',
  concertId,
  status: raw[1],
  position: raw[3] === null ? null : Number(raw[3]),
  activeUntil: raw[4] === null ? null : Number(raw[4]),
  drawn: raw[5] === 1
}

/** How long this instance trusts that the rooms set already names a concert it wrote to. */
const ROOMS_MEMO_MS = 5000

/**
 * A QueueStore in Redis with the in-process store's semantics: order by the room's own sequence, one live
 * token per user and concert, heartbeat timeout for WAITING, activeUntil and the idle timeout for ACTIVE,
 * the pre-queue and its draw, and one atomic Lua step per join and per admission that any number of
 * instances may run at once. Redis outages surface as ServiceUnavailableError.
 */
/** The names of a concert's keys (what the scripts receive in KEYS), for tests and tools. */
export const queueKeysOf = (concertId: number, prefix = 'queue:'): string[] => KEY_NAMES.map(k => `${prefix}{c${concertId}}:${k}`)

export function createRedisQueueStore (redis: RedisClient, policy: QueuePolicy, options: { prefix?: string } = {}): QueueStore {
  const prefix = options.prefix ?? 'queue:'
  const roomsKey = `${prefix}rooms`
  const keepMs = Math.max(policy.activeTtlMs, policy.heartbeatTimeoutMs, policy.idleTimeoutMs) + 60_000
  const roomKeys = (concertId: number): string[] => queueKeysOf(concertId, prefix)
  const prelude = (concertId: number, now: number): Array<string | number> => [
    ...roomKeys(concertId), now, policy.heartbeatTimeoutMs, policy.idleTimeoutMs, keepMs, policy.maxActive, policy.activeTtlMs,
    policy.admission === 'rate' ? 1 : 0, policy.admitPerTick, policy.tickMs
  ]
  /** Concerts this instance wrote to lately: listed even if a prune raced with their first join. */
  const recent = new Map<number, number>()

  const join = defineScript(redis, 'queueJoin', JOIN)
  const touch = defineScript(redis, 'queueTouch', TOUCH)
  const leave = defineScript(redis, 'queueLeave', LEAVE)
  const leaveByUser = defineScript(redis, 'queueLeaveByUser', LEAVE_BY_USER)
  const admit = defineScript(redis, 'queueAdmit', ADMIT)
  const draw = defineScript(redis, 'queueDraw', DRAW)
  const figures = defineScript(redis, 'queueFigures', FIGURES)
  const what = 'the waiting room (redis)'

  function remember (concertId: number): Promise<unknown> | undefined {
    const at = performance.now()
    const last = recent.get(concertId)
    if (last !== undefined && at - last < ROOMS_MEMO_MS) return undefined
    recent.set(concertId, at)
    return redis.sadd(roomsKey, String(concertId))
  }

  const touchMany = async (concertId: number, tokenIds: string[], now: number): Promise<Array<QueueEntry | null>> => {
    if (tokenIds.length === 0) return []
    const raw = await viaRedis(touch(...prelude(concertId, now), ...tokenIds), what) as RawEntry[]
    return tokenIds.map((_, i) => toEntry(concertId, raw[i] ?? null))
  }

  const store: QueueStore = {
    policy,
    async join (concertId, userId, now, terms) {
      // The rooms set is written beside the script, not by it (a Cluster keeps it in another slot).
      const [[created, raw]] = await viaRedis(Promise.all([
        join(...prelude(concertId, now), userId, randomId(), terms.opensAt ?? -1) as Promise<[number, RawEntry]>,
        remember(concertId)
      ]), what)
      return { entry: toEntry(concertId, raw)!, created: created === 1 }
    },
    async touch (concertId, tokenId, now) {
      const [entry] = await touchMany(concertId, [tokenId], now)
      return entry
    },
    touchMany,
    async leave (concertId, tokenId) {
      await viaRedis(leave(...prelude(concertId, 0), tokenId), what)
    },
    async leaveByUser (concertId, userId, now, paid) {
      await viaRedis(leaveByUser(...prelude(concertId, now), userId, paid ? 1 : 0), what)
    },
    async admit (concertId, now, terms, soldOut) {
      return Number(await viaRedis(admit(...prelude(concertId, now), terms.opensAt ?? -1, soldOut ? 1 : 0), what))
    },
    async prequeued (concertId) {
      return viaRedis(redis.zrange(roomKeys(concertId)[4], 0, -1), what)
    },
    async draw (concertId, now, order) {
      const [outcome] = await viaRedis(Promise.all([draw(...prelude(concertId, now), ...order) as Promise<DrawOutcome>, remember(concertId)]), what)
      return outcome
    },
    async drawRecord (concertId) {
      const keys = roomKeys(concertId)
      const [drawnAt, order] = await viaRedis(Promise.all([redis.hget(keys[9], 'drawnAt'), redis.get(keys[10])]), what)
      if (drawnAt === null) return null
      return { drawnAt: Number(drawnAt), order: order ? order.split(',') : [] }
    },
    async figures (concertId, now) {
      const [waiting, active, prequeued, meterFields, soldOut, drawnAt] = await viaRedis(figures(...prelude(concertId, now)), what) as
        [number, number, number, string[], string, string | null]
      const last = meterBucket(now)
      const admissions = new Array<number>(METER_BUCKETS).fill(0)
      const payments = new Array<number>(METER_BUCKETS).fill(0)
      for (let i = 0; i + 1 < meterFields.length; i += 2) {
        const field = meterFields[i]
        const slot = Number(field.slice(1)) - (last - METER_BUCKETS + 1)
        if (field === 'last' || !(slot >= 0 && slot < METER_BUCKETS)) continue
        if (field[0] === 'a') admissions[slot] = Number(meterFields[i + 1])
        else if (field[0] === 'p') payments[slot] = Number(meterFields[i + 1])
      }
      const result: RoomFigures = { waiting, active, prequeued, admissions, payments, soldOut: soldOut === '1', drawnAt: drawnAt === null ? null : Number(drawnAt) }
      return result
    },
    async stats (concertId, now) {
      const { waiting, active } = await store.figures(concertId, now)
      return { waiting, active }
    },
    async concerts () {
      const ids = (await viaRedis(redis.smembers(roomsKey), what)).map(Number)
      const alive = await viaRedis(Promise.all(ids.map(id => redis.exists(roomKeys(id)[9]))), what)
      const gone = ids.filter((_, i) => alive[i] === 0)
      if (gone.length > 0) await viaRedis(redis.srem(roomsKey, ...gone.map(String)), what)
      const cutoff = performance.now() - keepMs
      for (const [id, at] of recent) if (at < cutoff) recent.delete(id)
      return [...new Set([...ids.filter((_, i) => alive[i] === 1), ...recent.keys()])]
    },
    async ping () {
      await pingRedis(redis)
    }
  }
  return store
}

// HoldGate in Redis: one key per seat turns attempts at held seats away before they reach SQL, on every instance.

import { randomUUID } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import type { GateSeats, HoldGate } from '../../modules/reservations/hold-gate.js'
import type { RedisLog } from './redis.js'

export interface RedisHoldGateOptions {
  prefix?: string
  /** How long an attempt's in-flight mark lives if it never reports back (ms). */
  inFlightMs?: number
  /** Longest an attempt waits for another one in flight on its seats before going to SQL anyway (ms). */
  waitMs?: number
  /** How often a waiting attempt looks again (ms). */
  pollMs?: number
  log?: RedisLog
}

// A seat's key holds `h<heldUntil>` once a hold committed (expiring at heldUntil on the service's clock) or
// `f<ticket>` while an attempt is in flight. Only `h` refuses: an in-flight attempt may still fail (the
// user's hold limit, a gap, the database), and its failure must never turn others away from a free seat.

/**
 * KEYS the seats; ARGV now, inFlightMs, ticket, force → the 1-based positions of seats held past `now`
 * (nothing marked), -1 when another attempt is in flight on one of them (nothing marked, unless `force`
 * = 1: then it enters without marks), or 0 entered (every seat marked `f<ticket>` for inFlightMs).
 */
const ENTER = `
local now = tonumber(ARGV[1])
local held = {}
local busy = false
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if v then
    local kind = string.sub(v, 1, 1)
    if kind == 'f' then
      busy = true
    else
      local untilMs = tonumber(kind == 'h' and string.sub(v, 2) or v)
      if untilMs and untilMs > now then held[#held + 1] = i end
    end
  end
end
if #held > 0 then return held end
if busy then
  if ARGV[4] == '1' then return 0 end
  return -1
end
for _, key in ipairs(KEYS) do redis.call('SET', key, 'f' .. ARGV[3], 'PX', ARGV[2]) end
return 0`

/** KEYS the seats; ARGV heldUntil → every seat shut until then (SET … PXAT, whatever mark was there). */
const HELD = `
for _, key in ipairs(KEYS) do redis.call('SET', key, 'h' .. ARGV[1], 'PXAT', ARGV[1]) end
return 0`

/** KEYS the seats; ARGV ticket → removes the ticket's own in-flight marks only. */
const ABANDON = `
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == 'f' .. ARGV[1] then redis.call('DEL', key) end
end
return 0`

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/**
 * A gate that only sheds load. SQL still decides who gets a seat, so when Redis is down the gate fails open
 * (every attempt goes to SQL) and its errors are logged once per outage, never thrown. Keys carry the
 * concert's hash tag, so one attempt's seats are in one Redis Cluster slot and one Lua step.
 */
export function createRedisHoldGate (redis: Redis | Cluster, options: RedisHoldGateOptions = {}): HoldGate {
  const prefix = options.prefix ?? 'hold-gate:'
  const inFlightMs = options.inFlightMs ?? 3000
  const waitMs = options.waitMs ?? 250
  const pollMs = options.pollMs ?? 10
  const keysOf = (s: GateSeats): string[] => s.seatNos.map(n => `${prefix}{c${s.concertId}}:${s.showId}:${n}`)

  let failing = false
  const ok = (): void => { failing = false }
  const failed = (err: unknown): void => {
    if (failing) return
    failing = true
    options.log?.('warn', 'hold gate (redis) unavailable: letting every hold attempt through to SQL', err as Error)
  }
  async function run (script: string, seats: GateSeats, ...args: string[]): Promise<unknown> {
    const keys = keysOf(seats)
    return redis.eval(script, keys.length, ...keys, ...args)
  }

  return {
    async enter (seats, now) {
      if (seats.seatNos.length === 0) return { entered: true, ticket: '' }
      const ticket = randomUUID()
      const deadline = performance.now() + waitMs
      try {
        for (;;) {
          // The key's time is on the service's clock, so the gate opens exactly when SQL starts counting the
          // hold as lapsed, whatever Redis's own clock says.
          const force = performance.now() >= deadline
          const res = await run(ENTER, seats, String(now), String(inFlightMs), ticket, force ? '1' : '0')
          ok()
          if (Array.isArray(res)) return { entered: false, held: res.map(i => seats.seatNos[Number(i) - 1]) }
          if (res === 0 || force) return { entered: true, ticket }
          await sleep(pollMs)
        }
      } catch (err) {
        failed(err)
        return { entered: true, ticket: '' }
      }
    },
    async held (seats, heldUntil) {
      if (seats.seatNos.length === 0) return
      try {
        // SET … PXAT rather than PEXPIREAT: it shuts the gate until heldUntil even if the in-flight mark
        // already lapsed (a slow SQL hold), where PEXPIREAT on a missing key would do nothing.
        if (Number.isSafeInteger(heldUntil) && heldUntil > 0) await run(HELD, seats, String(heldUntil))
        else await redis.del(...keysOf(seats))
        ok()
      } catch (err) {
        failed(err)
      }
    },
    async abandon (seats, ticket) {
      if (seats.seatNos.length === 0 || ticket === '') return
      try {
        await run(ABANDON, seats, ticket)
        ok()
      } catch (err) {
        failed(err)
      }
    },
    async release (seats) {
      if (seats.seatNos.length === 0) return
      try {
        await redis.del(...keysOf(seats))
        ok()
      } catch (err) {
        failed(err)
      }
    }
  }
}

// HoldGate in Redis: one key per seat turns concurrent hold attempts away before they reach SQL, on every instance.

import type { Redis } from 'ioredis'
import type { HoldGate } from '../../modules/reservations/hold-gate.js'
import type { RedisLog } from './redis.js'

export interface RedisHoldGateOptions {
  prefix?: string
  /** How long an attempt keeps the seat's gate shut before its SQL hold is known (ms). */
  inFlightMs?: number
  log?: RedisLog
}

/**
 * A gate that only sheds load: `tryEnter` shuts the seat's key for inFlightMs unless it is shut (one Lua step), a successful hold keeps the key until the
 * hold lapses, `release` deletes it. SQL still decides who gets the seat, so when Redis is down the gate
 * fails open (every attempt goes to SQL) and its errors are logged once per outage, never thrown.
 */
/** KEYS[1] gate; ARGV now, inFlightMs → 1 entered (gate shut until now + inFlightMs), 0 shut by someone else. */
const ENTER = `
local shut = tonumber(redis.call('GET', KEYS[1]))
if shut and shut > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), 'PX', ARGV[2])
return 1`

export function createRedisHoldGate (redis: Redis, options: RedisHoldGateOptions = {}): HoldGate {
  const prefix = options.prefix ?? 'hold-gate:'
  const inFlightMs = options.inFlightMs ?? 3000
  const keyOf = (showId: number, seatNo: number): string => `${prefix}${showId}:${seatNo}`

  let failing = false
  const ok = (): void => { failing = false }
  const failed = (err: unknown): void => {
    if (failing) return
    failing = true
    options.log?.('warn', 'hold gate (redis) unavailable: letting every hold attempt through to SQL', err as Error)
  }

  return {
    async tryEnter (showId, seatNo, now) {
      try {
        // The key's value is the time (on the service's clock) until which the gate is shut, so the gate
        // opens exactly when SQL starts counting the hold as lapsed, whatever Redis's own clock says.
        const entered = await redis.eval(ENTER, 1, keyOf(showId, seatNo), String(now), String(inFlightMs))
        ok()
        return entered === 1
      } catch (err) {
        failed(err)
        return true
      }
    },
    async held (showId, seatNo, heldUntil) {
      try {
        // SET … PXAT rather than PEXPIREAT: it shuts the gate until heldUntil even if the in-flight key
        // already lapsed (a slow SQL hold), where PEXPIREAT on a missing key would do nothing.
        if (Number.isSafeInteger(heldUntil) && heldUntil > 0) await redis.set(keyOf(showId, seatNo), String(heldUntil), 'PXAT', heldUntil)
        else await redis.del(keyOf(showId, seatNo))
        ok()
      } catch (err) {
        failed(err)
      }
    },
    async release (showId, seatNo) {
      try {
        await redis.del(keyOf(showId, seatNo))
        ok()
      } catch (err) {
        failed(err)
      }
    }
  }
}

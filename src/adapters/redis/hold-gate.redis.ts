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
 * A gate that only sheds load: `tryEnter` is `SET NX PX inFlightMs`, a successful hold keeps the key until the
 * hold lapses, `release` deletes it. SQL still decides who gets the seat, so when Redis is down the gate
 * fails open (every attempt goes to SQL) and its errors are logged once per outage, never thrown.
 */
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
    async tryEnter (showId, seatNo) {
      try {
        const entered = await redis.set(keyOf(showId, seatNo), '1', 'PX', inFlightMs, 'NX')
        ok()
        return entered === 'OK'
      } catch (err) {
        failed(err)
        return true
      }
    },
    async held (showId, seatNo, heldUntil) {
      try {
        // SET … PXAT rather than PEXPIREAT: it shuts the gate until heldUntil even if the in-flight key
        // already lapsed (a slow SQL hold), where PEXPIREAT on a missing key would do nothing.
        if (Number.isSafeInteger(heldUntil) && heldUntil > 0) await redis.set(keyOf(showId, seatNo), '1', 'PXAT', heldUntil)
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

// Contract of the Redis hold gate, on one server and on a real Cluster: a committed hold shuts its seats until it lapses; an attempt in flight never turns others away; open when Redis is down.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createRedisHoldGate, type RedisHoldGateOptions } from '../../src/adapters/redis/hold-gate.redis.js'
import { connectRedis, createRedisClient, redisReady, type RedisClient } from '../../src/adapters/redis/redis.js'
import type { GateSeats, HoldGate } from '../../src/modules/reservations/hold-gate.js'
import { REDIS_BACKENDS, openTestRedis, type TestRedis } from '../support/backends.js'
import { freePort, sleep } from '../support/ports.js'

const seats = (...seatNos: number[]): GateSeats => ({ concertId: 7, showId: 3, seatNos })
const key = (seatNo: number): string => `gate-test:{c7}:3:${seatNo}`
/** An attempt let through: its ticket. */
async function entered (gate: HoldGate, s: GateSeats): Promise<string> {
  const entry = await gate.enter(s, Date.now())
  if (!entry.entered) throw new Error(`turned away: ${entry.held.join(',')}`)
  return entry.ticket
}

describe.each(REDIS_BACKENDS)('HoldGate on redis (%s)', (backend) => {
  let testRedis: TestRedis
  const opened: RedisClient[] = []

  async function openGate (options: RedisHoldGateOptions = {}): Promise<HoldGate> {
    const redis = connectRedis(testRedis.url, 'hold-gate-test')
    opened.push(redis)
    await redisReady(redis, 10_000)
    return createRedisHoldGate(redis, { prefix: 'gate-test:', ...options })
  }

  beforeAll(async () => { testRedis = await openTestRedis(backend) })
  beforeEach(async () => { await testRedis.flush() })
  afterEach(() => { for (const r of opened.splice(0)) r.disconnect() })
  afterAll(async () => { await testRedis.close() })

  it('a committed hold turns attempts at its seats away on any instance, naming the held seats, until it lapses', async () => {
    const [one, two] = [await openGate(), await openGate()]
    await entered(one, seats(12, 13))
    const heldUntil = Date.now() + 5000
    await one.held(seats(12, 13), heldUntil)
    expect(await two.enter(seats(11, 12, 13, 14), Date.now())).toEqual({ entered: false, held: [12, 13] })
    expect(await two.enter(seats(12), heldUntil)).toMatchObject({ entered: true }) // lapsed on the service's clock
    expect(await two.enter({ ...seats(12), showId: 4 }, Date.now())).toMatchObject({ entered: true })
    const ttl = await testRedis.redis.pttl(key(13))
    expect(ttl).toBeGreaterThan(4000)
    expect(ttl).toBeLessThanOrEqual(5000)
  })

  it('checks and marks several seats in one step: one held seat turns the whole attempt away and marks none', async () => {
    const gate = await openGate()
    await gate.held(seats(2), Date.now() + 5000)
    expect(await gate.enter(seats(1, 2, 3), Date.now())).toEqual({ entered: false, held: [2] })
    expect([await testRedis.redis.exists(key(1)), await testRedis.redis.exists(key(3))]).toEqual([0, 0])
    const ticket = await entered(gate, seats(3, 4))
    expect([await testRedis.redis.get(key(3)), await testRedis.redis.get(key(4))]).toEqual([`f${ticket}`, `f${ticket}`])
  })

  // Issue 9 item 8: an attempt that fails (the user's hold limit, say) must not refuse others a free seat.
  it('an attempt in flight never turns another away: the second waits and enters once the first abandons', async () => {
    const gate = await openGate({ waitMs: 10_000 })
    const first = await entered(gate, seats(23))
    const second = gate.enter(seats(23), Date.now())
    await sleep(30)
    await gate.abandon(seats(23), first)
    expect(await second).toMatchObject({ entered: true })
  })

  it('a waiting attempt is turned away when the attempt it waits for commits its hold', async () => {
    const gate = await openGate({ waitMs: 10_000 })
    await entered(gate, seats(5, 6))
    const second = gate.enter(seats(6, 7), Date.now())
    await sleep(30)
    await gate.held(seats(5, 6), Date.now() + 5000)
    expect(await second).toEqual({ entered: false, held: [6] })
  })

  it('a waiting attempt goes through to SQL after waitMs when the one in flight never reports back', async () => {
    const gate = await openGate({ waitMs: 40, inFlightMs: 60_000 })
    await entered(gate, seats(1))
    expect(await gate.enter(seats(1, 2), Date.now())).toMatchObject({ entered: true })
  })

  it('abandon lifts only the attempt\'s own marks, never another attempt\'s mark or a committed hold', async () => {
    const gate = await openGate({ waitMs: 20 })
    const mine = await entered(gate, seats(1))
    const theirs = await entered(gate, seats(2))
    await gate.held(seats(3), Date.now() + 5000)
    await gate.abandon(seats(1, 2, 3), mine)
    expect(await testRedis.redis.get(key(1))).toBeNull()
    expect(await testRedis.redis.get(key(2))).toBe(`f${theirs}`)
    expect(await gate.enter(seats(3), Date.now())).toEqual({ entered: false, held: [3] })
    await gate.abandon(seats(1), '') // an attempt that marked nothing (Redis was down) is harmless
  })

  it('an in-flight mark lapses by itself after inFlightMs', async () => {
    const gate = await openGate({ inFlightMs: 100 })
    await entered(gate, seats(1))
    expect(await testRedis.redis.pttl(key(1))).toBeLessThanOrEqual(100)
    await sleep(150)
    expect(await testRedis.redis.exists(key(1))).toBe(0)
  })

  it('release opens held seats at once (a cancel or a refund)', async () => {
    const gate = await openGate()
    await gate.held(seats(1, 2), Date.now() + 5000)
    await gate.release(seats(1, 2))
    expect(await gate.enter(seats(1, 2), Date.now())).toMatchObject({ entered: true })
    await gate.release(seats(99)) // releasing an open gate is harmless
  })

  it('shuts the seats for the hold even when the in-flight mark already lapsed, and not for a hold already over', async () => {
    const gate = await openGate({ inFlightMs: 50 })
    await entered(gate, seats(1))
    await sleep(80) // a slow SQL hold
    await gate.held(seats(1), Date.now() + 2000)
    expect(await gate.enter(seats(1), Date.now())).toEqual({ entered: false, held: [1] })
    await gate.held(seats(2), Date.now() - 1000)
    expect(await gate.enter(seats(2), Date.now())).toMatchObject({ entered: true })
  })

  // On a Cluster a script over keys of two slots fails (CROSSSLOT): these work because every key has the concert's tag.
  it('keeps every key of a concert under its hash tag, so one attempt over far-apart seats is one step', async () => {
    const gate = await openGate()
    const ticket = await entered(gate, seats(1, 40_000))
    expect(await testRedis.redis.get(key(40_000))).toBe(`f${ticket}`)
    await gate.held(seats(1, 40_000), Date.now() + 5000)
    expect(await testRedis.redis.get(key(1))).toMatch(/^h[0-9]+$/)
    expect(await gate.enter(seats(40_000, 2), Date.now())).toEqual({ entered: false, held: [40_000] })
  })

  it('lets every attempt through, without throwing, when Redis is unreachable', async () => {
    const redis = createRedisClient(`redis://127.0.0.1:${await freePort()}`, 'gate-unreachable')
    opened.push(redis)
    const warnings: string[] = []
    const gate = createRedisHoldGate(redis, { log: (level, message) => { if (level === 'warn') warnings.push(message) } })
    expect(await gate.enter(seats(1), Date.now())).toEqual({ entered: true, ticket: '' })
    expect(await gate.enter(seats(1, 2), Date.now())).toMatchObject({ entered: true })
    await expect(gate.held(seats(1), Date.now() + 5000)).resolves.toBeUndefined()
    await expect(gate.abandon(seats(1), 'x')).resolves.toBeUndefined()
    await expect(gate.release(seats(1))).resolves.toBeUndefined()
    expect(warnings).toHaveLength(1) // once per outage, not once per call
  })
})

// Contract of the Redis hold gate: one attempt per seat at a time, shut while held, open again on release, open when Redis is down.

import type { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createRedisHoldGate } from '../../src/adapters/redis/hold-gate.redis.js'
import { createRedisClient, redisReady } from '../../src/adapters/redis/redis.js'
import type { HoldGate } from '../../src/modules/reservations/hold-gate.js'
import { openTestRedis } from '../support/backends.js'

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

let testRedis: { url: string, redis: Redis, close: () => Promise<void> }
const opened: Redis[] = []

async function openGate (options: { inFlightMs?: number } = {}): Promise<HoldGate> {
  const redis = createRedisClient(testRedis.url, 'hold-gate-test')
  opened.push(redis)
  await redisReady(redis)
  return createRedisHoldGate(redis, { prefix: 'gate-test:', ...options })
}

beforeAll(async () => { testRedis = await openTestRedis() })
beforeEach(async () => { await testRedis.redis.flushdb() })
afterEach(() => { for (const r of opened.splice(0)) r.disconnect() })
afterAll(async () => { await testRedis.close() })

describe('HoldGate on redis', () => {
  it('lets one attempt at a seat through and turns the next away, on any instance', async () => {
    const [one, two] = [await openGate(), await openGate()]
    const now = Date.now()
    expect(await one.tryEnter(7, 12, now)).toBe(true)
    expect(await one.tryEnter(7, 12, now)).toBe(false)
    expect(await two.tryEnter(7, 12, now)).toBe(false)
    expect(await two.tryEnter(7, 13, now)).toBe(true)
    expect(await two.tryEnter(8, 12, now)).toBe(true)
  })

  it('lets only one of many simultaneous attempts at a seat through', async () => {
    const gates = await Promise.all(Array.from({ length: 5 }, () => openGate()))
    const results = await Promise.all(gates.flatMap(g => [g.tryEnter(1, 1, Date.now()), g.tryEnter(1, 1, Date.now())]))
    expect(results.filter(Boolean)).toHaveLength(1)
  })

  it('opens again when the attempt releases the seat', async () => {
    const gate = await openGate()
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(true)
    await gate.release(1, 1)
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(true)
    await gate.release(1, 99) // releasing an open gate is harmless
  })

  it('opens by itself when an attempt never reports back within inFlightMs', async () => {
    const gate = await openGate({ inFlightMs: 100 })
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(true)
    expect(await testRedis.redis.pttl('gate-test:1:1')).toBeLessThanOrEqual(100)
    await sleep(150)
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(true)
  })

  it('stays shut until the hold lapses once the hold succeeded', async () => {
    const gate = await openGate({ inFlightMs: 100 })
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(true)
    const heldUntil = Date.now() + 5000
    await gate.held(1, 1, heldUntil)
    await sleep(150)
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(false)
    const ttl = await testRedis.redis.pttl('gate-test:1:1')
    expect(ttl).toBeGreaterThan(4000)
    expect(ttl).toBeLessThanOrEqual(5000)
    await gate.release(1, 1) // e.g. the hold was cancelled
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(true)
  })

  it('shuts the gate for the hold even when the in-flight entry already lapsed', async () => {
    const gate = await openGate({ inFlightMs: 50 })
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(true)
    await sleep(80) // a slow SQL hold
    await gate.held(1, 1, Date.now() + 2000)
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(false)
  })

  it('opens at once for a hold that has already lapsed', async () => {
    const gate = await openGate()
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(true)
    await gate.held(1, 1, Date.now() - 1000)
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(true)
  })

  it('lets every attempt through, quickly and without throwing, when Redis is unreachable', async () => {
    const redis = createRedisClient('redis://127.0.0.1:6390', 'gate-unreachable')
    opened.push(redis)
    const warnings: string[] = []
    const gate = createRedisHoldGate(redis, { log: (level, message) => { if (level === 'warn') warnings.push(message) } })
    const started = performance.now()
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(true)
    expect(await gate.tryEnter(1, 1, Date.now())).toBe(true)
    await expect(gate.held(1, 1, Date.now() + 5000)).resolves.toBeUndefined()
    await expect(gate.release(1, 1)).resolves.toBeUndefined()
    expect(performance.now() - started).toBeLessThan(500)
    expect(warnings).toHaveLength(1) // once per outage, not once per call
  })
})

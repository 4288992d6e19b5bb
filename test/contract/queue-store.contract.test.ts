// Contract of the QueueStore port, run against the in-process store and the Redis store (one server and a
// Cluster); multi-instance checks on both Redis kinds; outage checks on one server.

import type { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryQueueStore } from '../../src/adapters/memory/queue.memory.js'
import { createRedisQueueStore, queueKeysOf } from '../../src/adapters/redis/queue.redis.js'
import { connectRedis, createRedisClient, redisReady, type RedisClient } from '../../src/adapters/redis/redis.js'
import { METER_BUCKET_MS, type QueueEntry, type QueuePolicy, type RoomTerms } from '../../src/modules/queue/queue.js'
import type { QueueStore } from '../../src/modules/queue/queue-store.js'
import { createManualClock } from '../../src/shared/clock.js'
import { ServiceUnavailableError } from '../../src/shared/errors.js'
import { openTestRedis, REDIS_BACKENDS, type RedisBackend, type TestRedis } from '../support/backends.js'
import { startProxy } from '../support/tcp-proxy.js'

const POLICY: QueuePolicy = {
  maxActive: 2, activeTtlMs: 600_000, heartbeatTimeoutMs: 60_000, idleTimeoutMs: 3_600_000, admission: 'capacity', admitPerTick: 50, tickMs: 5000
}
const CONCERT = 1
const OPEN: RoomTerms = { opensAt: null }

let testRedis: TestRedis<Redis>
const redises = new Map<RedisBackend, TestRedis>()
const opened: RedisClient[] = []

async function openClient (name: string, url = testRedis.url): Promise<RedisClient> {
  const redis = connectRedis(url, name)
  opened.push(redis)
  await redisReady(redis, 10_000)
  return redis
}

beforeAll(async () => {
  testRedis = await openTestRedis()
  redises.set('standalone', testRedis)
  if (REDIS_BACKENDS.includes('cluster')) redises.set('cluster', await openTestRedis('cluster'))
}, 120_000)
afterEach(() => { for (const r of opened.splice(0)) r.disconnect() })
afterAll(async () => { for (const r of redises.values()) await r.close() })

interface Backend { name: string, reset (): Promise<void>, open (policy: QueuePolicy): Promise<QueueStore> }

const backends: Backend[] = [
  { name: 'memory', reset: async () => {}, open: async (policy) => createMemoryQueueStore(policy) },
  ...REDIS_BACKENDS.map((kind): Backend => ({
    name: `redis ${kind}`,
    reset: () => redises.get(kind)!.flush(),
    open: async (policy) => createRedisQueueStore(await openClient('contract', redises.get(kind)!.url), policy, { prefix: 'queue-test:' })
  }))
]

describe.each(backends)('QueueStore on $name', (backend) => {
  let clock: ReturnType<typeof createManualClock>
  let open: (policy?: Partial<QueuePolicy>) => Promise<QueueStore>

  beforeEach(async () => {
    await backend.reset()
    clock = createManualClock()
    open = (policy = {}) => backend.open({ ...POLICY, ...policy })
  })

  /** Joins the users in order and returns their token ids. */
  async function joinAll (store: QueueStore, users: string[], concertId = CONCERT, terms = OPEN): Promise<string[]> {
    const tokens: string[] = []
    for (const u of users) tokens.push((await store.join(concertId, u, clock.now(), terms)).entry.tokenId)
    return tokens
  }
  const admit = (store: QueueStore, terms = OPEN, soldOut = false, concertId = CONCERT): Promise<number> => store.admit(concertId, clock.now(), terms, soldOut)
  const places = async (store: QueueStore, tokens: string[]): Promise<Array<string | null>> =>
    (await store.touchMany(CONCERT, tokens, clock.now())).map(e => e ? `${e.status}:${e.position}` : null)

  describe('order and capacity', () => {
    it('numbers the waiting users 1..n in the order they joined', async () => {
      const store = await open({ maxActive: 0 })
      const joined: Array<{ entry: QueueEntry, created: boolean }> = []
      for (const u of ['a', 'b', 'c', 'd']) joined.push(await store.join(CONCERT, u, clock.now(), OPEN))
      expect(joined.map(j => [j.entry.userId, j.entry.status, j.entry.position, j.created])).toEqual([
        ['a', 'WAITING', 1, true], ['b', 'WAITING', 2, true], ['c', 'WAITING', 3, true], ['d', 'WAITING', 4, true]
      ])
      expect(joined.every(j => j.entry.concertId === CONCERT && j.entry.activeUntil === null && !j.entry.drawn)).toBe(true)
      expect(new Set(joined.map(j => j.entry.tokenId)).size).toBe(4)
      expect(await places(store, joined.map(j => j.entry.tokenId))).toEqual(['WAITING:1', 'WAITING:2', 'WAITING:3', 'WAITING:4'])
    })

    it('gives a user who joins twice the same token and place, with created=false', async () => {
      const store = await open({ maxActive: 0 })
      await joinAll(store, ['a'])
      const first = await store.join(CONCERT, 'b', clock.now(), OPEN)
      clock.advance(1000)
      const again = await store.join(CONCERT, 'b', clock.now(), OPEN)
      expect(again.created).toBe(false)
      expect(again.entry).toEqual(first.entry)
      expect((await store.stats(CONCERT, clock.now())).waiting).toBe(2)
    })

    it('keeps queues of different concerts apart', async () => {
      const store = await open({ maxActive: 0 })
      const [a] = await joinAll(store, ['a'], 1)
      const [b] = await joinAll(store, ['a'], 2)
      expect(b).not.toBe(a)
      expect(await store.touch(2, a, clock.now())).toBeNull()
      expect((await store.touch(2, b, clock.now()))?.position).toBe(1)
    })

    it('admits a joining user in the same step when a slot is free and nobody waits ahead', async () => {
      const store = await open()
      const { entry, created } = await store.join(CONCERT, 'a', clock.now(), OPEN)
      expect(created).toBe(true)
      expect(entry).toEqual({
        tokenId: entry.tokenId, userId: 'a', concertId: CONCERT, status: 'ACTIVE', position: 0, activeUntil: clock.now() + POLICY.activeTtlMs, drawn: false
      })
      const again = await store.join(CONCERT, 'a', clock.now(), OPEN)
      expect(again).toEqual({ entry, created: false })
      expect(await admit(store)).toBe(0)
    })

    it('admits exactly maxActive users, earliest first, and the next ones as slots free by leaving or lapsing', async () => {
      const store = await open({ maxActive: 2, heartbeatTimeoutMs: 3_600_000 })
      const tokens = await joinAll(store, ['a', 'b', 'c', 'd', 'e'])
      const [a] = tokens
      expect(await admit(store)).toBe(0) // the joins of a and b took the two slots
      expect(await places(store, tokens)).toEqual(['ACTIVE:0', 'ACTIVE:0', 'WAITING:1', 'WAITING:2', 'WAITING:3'])

      await store.leave(CONCERT, a)
      expect(await places(store, tokens)).toEqual([null, 'ACTIVE:0', 'WAITING:1', 'WAITING:2', 'WAITING:3'])
      expect(await admit(store)).toBe(1)
      expect(await places(store, tokens)).toEqual([null, 'ACTIVE:0', 'ACTIVE:0', 'WAITING:1', 'WAITING:2'])

      clock.advance(POLICY.activeTtlMs / 2)
      expect(await admit(store)).toBe(0)
      clock.advance(POLICY.activeTtlMs / 2)
      // b lapses now (admitted at t0); c was admitted at t0 too, so both slots free up together.
      expect(await admit(store)).toBe(2)
      expect(await places(store, tokens)).toEqual([null, null, null, 'ACTIVE:0', 'ACTIVE:0'])
      expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 0, active: 2 })
    })

    it('never admits anyone when maxActive is 0', async () => {
      const store = await open({ maxActive: 0 })
      await joinAll(store, ['a', 'b'])
      expect(await admit(store)).toBe(0)
      expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 2, active: 0 })
    })

    it('moves those behind up at once when a waiting user leaves', async () => {
      const store = await open({ maxActive: 0 })
      const [a, b, c] = await joinAll(store, ['a', 'b', 'c'])
      await store.leave(CONCERT, b)
      await store.leave(CONCERT, 'no-such-token')
      await store.leave(99, a)
      expect(await places(store, [a, b, c])).toEqual(['WAITING:1', null, 'WAITING:2'])
      expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 2, active: 0 })
    })

    it('lets a paying user give their slot back by user id, and the next one in', async () => {
      const store = await open({ maxActive: 1 })
      const [a, b] = await joinAll(store, ['a', 'b'])
      await store.leaveByUser(CONCERT, 'a', clock.now(), true)
      await store.leaveByUser(CONCERT, 'nobody', clock.now(), true)
      expect(await store.touch(CONCERT, a, clock.now())).toBeNull()
      expect(await admit(store)).toBe(1)
      expect((await store.touch(CONCERT, b, clock.now()))?.status).toBe('ACTIVE')
      const rejoined = await store.join(CONCERT, 'a', clock.now(), OPEN)
      expect(rejoined.created).toBe(true)
      expect(rejoined.entry.tokenId).not.toBe(a)
    })

    it('counts waiting and live active users per concert', async () => {
      const store = await open({ maxActive: 2 })
      expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 0, active: 0 })
      await joinAll(store, ['a', 'b', 'c', 'd', 'e'])
      await joinAll(store, ['x', 'y', 'z'], 2)
      expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 3, active: 2 })
      expect(await store.stats(2, clock.now())).toEqual({ waiting: 1, active: 2 })
      clock.advance(POLICY.activeTtlMs)
      expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 3, active: 0 })
    })

    it('reads many tokens at once, in order, as heartbeats, with null for unknown and lapsed ones', async () => {
      const store = await open({ maxActive: 1 })
      const [a, b, c] = await joinAll(store, ['a', 'b', 'c'])
      expect(await store.touchMany(CONCERT, [], clock.now())).toEqual([])
      clock.advance(POLICY.heartbeatTimeoutMs / 2)
      const entries = await store.touchMany(CONCERT, [c, 'unknown', a, b], clock.now())
      expect(entries.map(e => e && [e.userId, e.status, e.position])).toEqual([['c', 'WAITING', 2], null, ['a', 'ACTIVE', 0], ['b', 'WAITING', 1]])
      clock.advance(POLICY.heartbeatTimeoutMs / 2 + 1)
      // The batch counted as a heartbeat for b and c, which would otherwise have timed out now.
      expect((await store.touchMany(CONCERT, [b, c], clock.now())).map(e => e?.status)).toEqual(['WAITING', 'WAITING'])
      expect(await store.touchMany(2, [a, b], clock.now())).toEqual([null, null])
    })

    it('lists the concerts that have anyone waiting or active', async () => {
      const store = await open({ maxActive: 1 })
      expect(await store.concerts()).toEqual([])
      await joinAll(store, ['a'], 1)
      await joinAll(store, ['b'], 2)
      expect((await store.concerts()).sort()).toEqual([1, 2])
    })

    it('answers ping while its store is up', async () => {
      const store = await open()
      await expect(store.ping()).resolves.toBeUndefined()
    })
  })

  describe('heartbeats and idle release', () => {
    it('drops a waiting user who stops sending heartbeats, and those behind move up', async () => {
      const store = await open({ maxActive: 1 })
      await joinAll(store, ['holder'])
      const [a, b, c] = await joinAll(store, ['a', 'b', 'c'])
      clock.advance(POLICY.heartbeatTimeoutMs / 2)
      await store.touchMany(CONCERT, [b, c], clock.now())
      clock.advance(POLICY.heartbeatTimeoutMs / 2)
      const [b2] = await joinAll(store, ['b']) // joining again is a heartbeat too
      expect(b2).toBe(b)
      clock.advance(1)
      expect(await store.touch(CONCERT, a, clock.now())).toBeNull() // gone before any admission sweeps it
      expect(await admit(store)).toBe(0)
      expect(await places(store, [b, c])).toEqual(['WAITING:1', 'WAITING:2'])
      expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 2, active: 1 })
      clock.advance(POLICY.heartbeatTimeoutMs) // exactly at the timeout: still there
      expect(await admit(store)).toBe(0)
      expect((await store.touch(CONCERT, c, clock.now()))?.position).toBe(2)
    })

    it('gives a user whose waiting token timed out a new token at the back when they join again', async () => {
      const store = await open({ maxActive: 0 })
      const [a] = await joinAll(store, ['a', 'b'])
      clock.advance(POLICY.heartbeatTimeoutMs + 1)
      const [c] = await joinAll(store, ['c'])
      const again = await store.join(CONCERT, 'a', clock.now(), OPEN)
      expect(again.created).toBe(true)
      expect(again.entry.tokenId).not.toBe(a)
      // Sweeping the old token must not cost the user the new one.
      await admit(store)
      const third = await store.join(CONCERT, 'a', clock.now(), OPEN)
      expect(third).toEqual({ created: false, entry: { ...again.entry, position: 2 } })
      expect((await store.touch(CONCERT, c, clock.now()))?.position).toBe(1)
      expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 2, active: 0 })
    })

    it('keeps a waiting user in the queue for as long as they send heartbeats', async () => {
      const store = await open({ maxActive: 0 })
      const [a] = await joinAll(store, ['a'])
      for (let i = 0; i < 10; i++) {
        clock.advance(POLICY.heartbeatTimeoutMs - 1)
        expect(await admit(store)).toBe(0)
        expect((await store.touch(CONCERT, a, clock.now()))?.status).toBe('WAITING')
      }
      expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 1, active: 0 })
    })

    it('lapses an active user at activeUntil, even before an admission sweeps them', async () => {
      const store = await open({ maxActive: 1, heartbeatTimeoutMs: 3_600_000 })
      const [a, b] = await joinAll(store, ['a', 'b'])
      clock.advance(POLICY.activeTtlMs - 1)
      expect((await store.touch(CONCERT, a, clock.now()))?.status).toBe('ACTIVE')
      clock.advance(1)
      expect(await store.touch(CONCERT, a, clock.now())).toBeNull()
      expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 1, active: 0 })
      expect(await admit(store)).toBe(1)
      expect((await store.touch(CONCERT, b, clock.now()))?.status).toBe('ACTIVE')
      const rejoined = await store.join(CONCERT, 'a', clock.now(), OPEN)
      expect(rejoined.created).toBe(true)
      expect(rejoined.entry.status).toBe('WAITING')
    })

    it('lapses an active user with no request for longer than the idle timeout, and admits the next in line', async () => {
      const idle = 120_000
      const store = await open({ maxActive: 1, idleTimeoutMs: idle, heartbeatTimeoutMs: 3_600_000 })
      const [a, b] = await joinAll(store, ['a', 'b'])
      clock.advance(idle)
      expect((await store.touch(CONCERT, a, clock.now()))?.status).toBe('ACTIVE') // exactly at the timeout: still there, and touched
      clock.advance(idle)
      expect(await admit(store)).toBe(0)
      clock.advance(1)
      expect(await store.touch(CONCERT, a, clock.now())).toBeNull() // gone before any admission sweeps it
      expect(await admit(store)).toBe(1)
      expect(await places(store, [a, b])).toEqual([null, 'ACTIVE:0'])
    })

    it('counts reading an active token through touchMany (an open stream) as activity', async () => {
      const idle = 10_000
      const store = await open({ maxActive: 1, idleTimeoutMs: idle, heartbeatTimeoutMs: 3_600_000 })
      const [a, b] = await joinAll(store, ['a', 'b'])
      for (let i = 0; i < 5; i++) {
        clock.advance(idle - 1)
        await store.touchMany(CONCERT, [a], clock.now())
        expect(await admit(store)).toBe(0)
      }
      expect(await places(store, [a, b])).toEqual(['ACTIVE:0', 'WAITING:1'])
    })
  })

  describe('admission models', () => {
    it('under the rate model a new token waits for the next tick even with free slots', async () => {
      const store = await open({ admission: 'rate', maxActive: 10, admitPerTick: 2, tickMs: 5000 })
      clock.set(Math.ceil(clock.now() / 5000) * 5000 + 1000) // 1 s into a tick window
      const tokens = await joinAll(store, ['a', 'b', 'c', 'd', 'e'])
      expect(await places(store, tokens)).toEqual(['WAITING:1', 'WAITING:2', 'WAITING:3', 'WAITING:4', 'WAITING:5'])
      expect(await admit(store)).toBe(2)
      expect(await admit(store)).toBe(0) // same window
      clock.advance(3999)
      expect(await admit(store)).toBe(0) // still the same window
      clock.advance(1)
      expect(await admit(store)).toBe(2)
      expect(await places(store, tokens)).toEqual(['ACTIVE:0', 'ACTIVE:0', 'ACTIVE:0', 'ACTIVE:0', 'WAITING:1'])
    })

    it('under the rate model never admits above maxActive', async () => {
      const store = await open({ admission: 'rate', maxActive: 3, admitPerTick: 2, tickMs: 1000 })
      const tokens = await joinAll(store, ['a', 'b', 'c', 'd', 'e'])
      expect(await admit(store)).toBe(2)
      clock.advance(1000)
      expect(await admit(store)).toBe(1)
      clock.advance(1000)
      expect(await admit(store)).toBe(0)
      await store.leave(CONCERT, tokens[0])
      clock.advance(1000)
      expect(await admit(store)).toBe(1)
      expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 1, active: 3 })
    })
  })

  describe('pre-queue and draw', () => {
    const opensAt = (): number => clock.now() + 3_600_000
    const TERMS = (): RoomTerms => ({ opensAt: 0 })

    it('pre-queues joins before the opening, with no position, no admission and no heartbeat needed', async () => {
      const store = await open({ maxActive: 5 })
      const terms = { opensAt: opensAt() }
      const joined = await store.join(CONCERT, 'a', clock.now(), terms)
      expect(joined).toEqual({ created: true, entry: { tokenId: joined.entry.tokenId, userId: 'a', concertId: CONCERT, status: 'PREQUEUE', position: null, activeUntil: null, drawn: false } })
      const tokens = [joined.entry.tokenId, ...await joinAll(store, ['b', 'c'], CONCERT, terms)]
      clock.advance(POLICY.heartbeatTimeoutMs * 10)
      expect(await admit(store, terms)).toBe(0)
      expect(await places(store, tokens)).toEqual(['PREQUEUE:null', 'PREQUEUE:null', 'PREQUEUE:null'])
      expect((await store.prequeued(CONCERT)).sort()).toEqual([...tokens].sort())
      expect(await store.figures(CONCERT, clock.now())).toMatchObject({ waiting: 0, active: 0, prequeued: 3, drawnAt: null })
      expect(await store.drawRecord(CONCERT)).toBeNull()
    })

    it('admits nobody after the opening until the draw placed the pre-queue, which then goes first in draw order', async () => {
      const store = await open({ maxActive: 2 })
      const terms = { opensAt: opensAt() }
      const early = await joinAll(store, ['a', 'b', 'c'], CONCERT, terms)
      clock.set(terms.opensAt)
      const late = await joinAll(store, ['late1', 'late2'], CONCERT, terms) // joined at the opening, before any draw
      expect(await places(store, late)).toEqual(['WAITING:1', 'WAITING:2'])
      expect(await admit(store, terms)).toBe(0)

      const order = [early[2], early[0], early[1]]
      clock.advance(100)
      expect(await store.draw(CONCERT, clock.now(), order)).toBe('drawn')
      expect(await store.drawRecord(CONCERT)).toEqual({ drawnAt: clock.now(), order })
      expect(await store.prequeued(CONCERT)).toEqual([])
      expect(await places(store, [...order, ...late])).toEqual(['WAITING:1', 'WAITING:2', 'WAITING:3', 'WAITING:4', 'WAITING:5'])
      expect((await store.touchMany(CONCERT, [...order, ...late], clock.now())).map(e => e?.drawn)).toEqual([true, true, true, false, false])
      // The next join's admission step admits the first two drawn.
      const after = await joinAll(store, ['after'], CONCERT, terms)
      expect(await places(store, [...order, ...late, ...after])).toEqual(['ACTIVE:0', 'ACTIVE:0', 'WAITING:1', 'WAITING:2', 'WAITING:3', 'WAITING:4'])
      expect(await admit(store, terms)).toBe(0)
      expect(await store.figures(CONCERT, clock.now())).toMatchObject({ prequeued: 0, drawnAt: terms.opensAt + 100 })
    })

    it('draws once: a second draw is "already", and a draw naming other tokens than the pre-queue is "changed"', async () => {
      const store = await open()
      const terms = { opensAt: opensAt() }
      const [a, b] = await joinAll(store, ['a', 'b'], CONCERT, terms)
      clock.set(terms.opensAt)
      expect(await store.draw(CONCERT, clock.now(), [a])).toBe('changed')
      expect(await store.draw(CONCERT, clock.now(), [a, 'intruder'])).toBe('changed')
      expect(await store.draw(CONCERT, clock.now(), [a, a])).toBe('changed')
      expect(await store.prequeued(CONCERT)).toHaveLength(2)
      expect(await store.draw(CONCERT, clock.now(), [b, a])).toBe('drawn')
      expect(await store.draw(CONCERT, clock.now(), [a, b])).toBe('already')
      expect(await store.drawRecord(CONCERT)).toEqual({ drawnAt: clock.now(), order: [b, a] })
    })

    it('marks an empty draw, and from then on joins queue as WAITING even from an instance whose clock is behind', async () => {
      const store = await open({ maxActive: 0 })
      const terms = { opensAt: opensAt() }
      clock.set(terms.opensAt)
      expect(await store.draw(CONCERT, clock.now(), [])).toBe('drawn')
      expect(await store.drawRecord(CONCERT)).toEqual({ drawnAt: clock.now(), order: [] })
      clock.advance(-1000)
      const { entry } = await store.join(CONCERT, 'slow-clock', clock.now(), terms)
      expect(entry).toMatchObject({ status: 'WAITING', position: 1 })
    })

    it('starts the heartbeat timeout of the drawn tokens at the draw', async () => {
      const store = await open({ maxActive: 0 })
      const terms = { opensAt: opensAt() }
      const [a, b] = await joinAll(store, ['a', 'b'], CONCERT, terms)
      clock.set(terms.opensAt)
      await store.draw(CONCERT, clock.now(), [a, b])
      clock.advance(POLICY.heartbeatTimeoutMs)
      await store.touch(CONCERT, b, clock.now())
      clock.advance(1)
      await admit(store, terms)
      expect(await places(store, [a, b])).toEqual([null, 'WAITING:1'])
    })

    it('a room whose opening has passed queues joins as WAITING', async () => {
      const store = await open({ maxActive: 0 })
      expect((await store.join(CONCERT, 'a', clock.now(), TERMS())).entry.status).toBe('WAITING')
    })
  })

  describe('sold out', () => {
    it('shows waiting tokens SOLD_OUT with their place, admits nobody, leaves ACTIVE alone, and reopens when seats come back', async () => {
      const store = await open({ maxActive: 1 })
      const tokens = await joinAll(store, ['a', 'b', 'c'])
      expect(await admit(store, OPEN, true)).toBe(0)
      expect(await places(store, tokens)).toEqual(['ACTIVE:0', 'SOLD_OUT:1', 'SOLD_OUT:2'])
      expect((await store.figures(CONCERT, clock.now())).soldOut).toBe(true)
      await store.leave(CONCERT, tokens[0])
      expect(await admit(store, OPEN, true)).toBe(0)
      expect(await admit(store, OPEN, false)).toBe(1)
      expect(await places(store, tokens)).toEqual([null, 'ACTIVE:0', 'WAITING:1'])
      expect((await store.figures(CONCERT, clock.now())).soldOut).toBe(false)
    })
  })

  describe('figures', () => {
    it('meters admissions and payments of active users in 10-second buckets over 10 minutes', async () => {
      const store = await open({ maxActive: 10, heartbeatTimeoutMs: 3_600_000 })
      clock.set(Math.floor(clock.now() / METER_BUCKET_MS) * METER_BUCKET_MS)
      const t0 = clock.now()
      const empty = await store.figures(CONCERT, clock.now())
      expect(empty).toEqual({ waiting: 0, active: 0, prequeued: 0, admissions: new Array(60).fill(0), payments: new Array(60).fill(0), soldOut: false, drawnAt: null })
      await joinAll(store, ['a', 'b'])
      clock.advance(30_000)
      await joinAll(store, ['c'])
      await store.leaveByUser(CONCERT, 'a', clock.now(), true)
      await store.leaveByUser(CONCERT, 'b', clock.now(), false)
      const f = await store.figures(CONCERT, clock.now())
      expect(f.admissions.slice(-4)).toEqual([2, 0, 0, 1])
      expect(f.payments.slice(-4)).toEqual([0, 0, 0, 1])
      expect(f).toMatchObject({ waiting: 0, active: 1 })
      clock.set(t0 + 590_000) // the first bucket is the oldest one still kept
      expect((await store.figures(CONCERT, clock.now())).admissions[0]).toBe(2)
      clock.set(t0 + 600_000)
      const later = await store.figures(CONCERT, clock.now())
      expect(later.admissions.reduce((x, y) => x + y)).toBe(1)
      expect(later.payments.reduce((x, y) => x + y)).toBe(1)
    })
  })
})

describe.each(REDIS_BACKENDS)('QueueStore on redis %s, with many instances', (kind) => {
  let clock: ReturnType<typeof createManualClock>
  let redis: TestRedis
  beforeEach(async () => {
    redis = redises.get(kind)!
    await redis.flush()
    clock = createManualClock()
  })

  /** Store objects on separate connections, as separate app instances would have. */
  async function instances (n: number, policy: QueuePolicy): Promise<QueueStore[]> {
    return Promise.all(Array.from({ length: n }, async (_, i) => createRedisQueueStore(await openClient(`instance-${i}`, redis.url), policy)))
  }

  it('never admits more than maxActive when ten instances run admission at the same moment', async () => {
    const policy = { ...POLICY, maxActive: 7, activeTtlMs: 1000, heartbeatTimeoutMs: 3_600_000 }
    const stores = await instances(10, { ...policy, maxActive: 0 })
    const users = Array.from({ length: 60 }, (_, i) => `u${i}`)
    const tokens: string[] = []
    for (const u of users) tokens.push((await stores[tokens.length % 10].join(CONCERT, u, clock.now(), OPEN)).entry.tokenId)
    const admitting = await instances(10, policy)

    for (let round = 0; round < 5; round++) {
      const admitted = await Promise.all(admitting.map(s => s.admit(CONCERT, clock.now(), OPEN, false)))
      expect(admitted.reduce((x, y) => x + y, 0)).toBe(7)
      expect(await admitting[0].stats(CONCERT, clock.now())).toEqual({ waiting: 60 - 7 * (round + 1), active: 7 })
      // Everyone admitted this round is the earliest of those still waiting.
      const entries = await admitting[round].touchMany(CONCERT, tokens, clock.now())
      expect(entries.map((e, i) => e?.status === 'ACTIVE' ? i : -1).filter(i => i >= 0))
        .toEqual(Array.from({ length: 7 }, (_, i) => 7 * round + i))
      clock.advance(policy.activeTtlMs) // every active slot lapses
    }
  })

  it('under the rate model admits one batch per tick window whichever of ten instances ticks first', async () => {
    const policy: QueuePolicy = { ...POLICY, admission: 'rate', maxActive: 100, admitPerTick: 3, tickMs: 2000, heartbeatTimeoutMs: 3_600_000 }
    const stores = await instances(10, policy)
    for (let i = 0; i < 20; i++) await stores[i % 10].join(CONCERT, `u${i}`, clock.now(), OPEN)
    for (let round = 0; round < 3; round++) {
      const admitted = await Promise.all(stores.map(s => s.admit(CONCERT, clock.now(), OPEN, false)))
      expect(admitted.reduce((x, y) => x + y, 0)).toBe(3)
      clock.advance(policy.tickMs)
    }
    expect(await stores[0].stats(CONCERT, clock.now())).toEqual({ waiting: 11, active: 9 })
  })

  it('joins through ten instances at once under capacity never admit more than maxActive', async () => {
    const stores = await instances(10, { ...POLICY, maxActive: 4 })
    const joins = await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % 10].join(CONCERT, `u${i}`, clock.now(), OPEN)))
    expect(joins.filter(j => j.entry.status === 'ACTIVE')).toHaveLength(4)
    expect(joins.filter(j => j.entry.status === 'WAITING').map(j => j.entry.position).sort((x, y) => x! - y!)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1))
  })

  it('gives a user one token even when they join through many instances at once', async () => {
    const stores = await instances(10, { ...POLICY, maxActive: 0 })
    const joins = await Promise.all(stores.map(s => s.join(CONCERT, 'same-user', clock.now(), OPEN)))
    expect(new Set(joins.map(j => j.entry.tokenId)).size).toBe(1)
    expect(joins.filter(j => j.created)).toHaveLength(1)
    expect(await stores[0].stats(CONCERT, clock.now())).toEqual({ waiting: 1, active: 0 })
  })

  it('lets exactly one of ten instances place the draw', async () => {
    const stores = await instances(10, POLICY)
    const terms = { opensAt: clock.now() + 1000 }
    const tokens: string[] = []
    for (let i = 0; i < 10; i++) tokens.push((await stores[i].join(CONCERT, `u${i}`, clock.now(), terms)).entry.tokenId)
    clock.set(terms.opensAt)
    const outcomes = await Promise.all(stores.map(s => s.draw(CONCERT, clock.now(), [...tokens].reverse())))
    expect(outcomes.filter(o => o === 'drawn')).toHaveLength(1)
    expect(outcomes.filter(o => o === 'already')).toHaveLength(9)
  })

  it('shows every instance the same positions and the same admissions', async () => {
    const [one, two] = await instances(2, { ...POLICY, maxActive: 0 })
    const tokens: string[] = []
    for (let i = 0; i < 6; i++) tokens.push((await (i % 2 ? two : one).join(CONCERT, `u${i}`, clock.now(), OPEN)).entry.tokenId)
    const positions = async (store: QueueStore): Promise<unknown[]> => (await store.touchMany(CONCERT, tokens, clock.now())).map(e => e && [e.status, e.position])
    expect(await positions(one)).toEqual(await positions(two))
    expect(await positions(two)).toEqual([1, 2, 3, 4, 5, 6].map(p => ['WAITING', p]))
    const [admitting] = await instances(1, { ...POLICY, maxActive: 1 })
    expect(await admitting.admit(CONCERT, clock.now(), OPEN, false)).toBe(1)
    expect(await positions(two)).toEqual([['ACTIVE', 0], ...[1, 2, 3, 4, 5].map(p => ['WAITING', p])])
    expect(await positions(one)).toEqual(await positions(two))
    expect(await two.concerts()).toEqual([CONCERT])
    expect((await one.figures(CONCERT, clock.now())).admissions.at(-1)).toBe(1)
  })

  it('keeps every key of a concert under its hash tag with a time-to-live, beside one plain set of room ids', async () => {
    const [store] = await instances(1, POLICY)
    await store.join(CONCERT, 'a', clock.now(), OPEN)
    await store.join(CONCERT, 'b', clock.now(), OPEN)
    await store.join(CONCERT, 'c', clock.now(), OPEN)
    await store.leaveByUser(CONCERT, 'a', clock.now(), true)
    const keys = queueKeysOf(CONCERT)
    expect(keys.every(k => k.startsWith('queue:{c1}:'))).toBe(true)
    const present = (await Promise.all(keys.map(k => redis.redis.exists(k)))).filter(Boolean)
    expect(present.length).toBeGreaterThan(5)
    const keep = Math.max(POLICY.activeTtlMs, POLICY.heartbeatTimeoutMs, POLICY.idleTimeoutMs) + 60_000
    for (const key of keys) {
      const ttl = await redis.redis.pttl(key)
      if (ttl === -2) continue // this key is empty now
      expect(ttl, key).toBeGreaterThan(keep - 60_000)
      expect(ttl, key).toBeLessThanOrEqual(keep)
    }
    expect(await redis.redis.smembers('queue:rooms')).toEqual(['1'])
    if (kind === 'standalone') {
      const all = await testRedis.redis.keys('queue:*')
      expect(all.filter(k => !k.startsWith('queue:{c1}:'))).toEqual(['queue:rooms'])
    }
  })

  it('keeps a pre-queue at least until its opening', async () => {
    const [store] = await instances(1, POLICY)
    const opensAt = clock.now() + 7 * 24 * 3600_000
    await store.join(CONCERT, 'a', clock.now(), { opensAt })
    expect(await redis.redis.pttl('queue:{c1}:prequeue')).toBeGreaterThan(opensAt - clock.now())
  })

  it('forgets a concert whose keys expired while no instance was running admissions', async () => {
    const [store] = await instances(1, POLICY)
    await store.join(CONCERT, 'a', clock.now(), OPEN)
    await store.join(2, 'a', clock.now(), OPEN)
    const [other] = await instances(1, POLICY) // knows neither concert from its own joins
    await redis.redis.del(...queueKeysOf(CONCERT)) // one slot: a multi-key DEL is fine on a Cluster too
    expect(await other.concerts()).toEqual([2])
    expect(await redis.redis.smembers('queue:rooms')).toEqual(['2'])
  })
})

describe('QueueStore on redis, while Redis is down', () => {
  it('answers SERVICE_UNAVAILABLE within moments when nothing listens at the Redis address', async () => {
    const redis = createRedisClient('redis://127.0.0.1:6390', 'unreachable')
    opened.push(redis)
    const store = createRedisQueueStore(redis, POLICY)
    await new Promise(resolve => setTimeout(resolve, 100)) // let the first connection attempt fail
    for (const call of [
      () => store.join(CONCERT, 'a', Date.now(), OPEN), () => store.touch(CONCERT, 't', Date.now()), () => store.admit(CONCERT, Date.now(), OPEN, false),
      () => store.figures(CONCERT, Date.now()), () => store.draw(CONCERT, Date.now(), []), () => store.concerts(), () => store.ping()
    ]) {
      const started = performance.now()
      const err = await call().then(() => null, (e: unknown) => e)
      expect(err).toBeInstanceOf(ServiceUnavailableError)
      expect(err).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' })
      expect((err as ServiceUnavailableError).retryAfterSeconds).toBeGreaterThan(0)
      expect(performance.now() - started).toBeLessThan(500)
    }
  })

  it('fails fast during an outage and serves again by itself once Redis is back', async () => {
    const target = new URL(testRedis.url)
    let proxy = await startProxy({ host: target.hostname, port: Number(target.port) })
    const redis = await openClient('through-proxy', `redis://127.0.0.1:${proxy.port}${target.pathname}`) as Redis
    const store = createRedisQueueStore(redis, { ...POLICY, maxActive: 0 })
    const clock = createManualClock()
    const { entry } = await store.join(CONCERT, 'a', clock.now(), OPEN)

    await proxy.stop()
    await new Promise(resolve => setTimeout(resolve, 50))
    const started = performance.now()
    await expect(store.touch(CONCERT, entry.tokenId, clock.now())).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
    expect(performance.now() - started).toBeLessThan(1000)

    proxy = await startProxy({ host: target.hostname, port: Number(target.port) }, proxy.port)
    await redisReady(redis, 5000)
    expect((await store.touch(CONCERT, entry.tokenId, clock.now()))?.position).toBe(1)
    redis.disconnect()
    await proxy.stop()
  })
})

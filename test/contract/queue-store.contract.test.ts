// Contract of the QueueStore port, run against the in-process store and the Redis store; Redis-only multi-instance checks.

import type { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryQueueStore } from '../../src/adapters/memory/queue.memory.js'
import { createRedisQueueStore } from '../../src/adapters/redis/queue.redis.js'
import { createRedisClient, redisReady } from '../../src/adapters/redis/redis.js'
import type { QueueEntry, QueuePolicy } from '../../src/modules/queue/queue.js'
import type { QueueStore } from '../../src/modules/queue/queue-store.js'
import { createManualClock } from '../../src/shared/clock.js'
import { ServiceUnavailableError } from '../../src/shared/errors.js'
import { openTestRedis } from '../support/backends.js'
import { startProxy } from '../support/tcp-proxy.js'

const POLICY: QueuePolicy = { maxActive: 2, activeTtlMs: 600_000, heartbeatTimeoutMs: 60_000 }
const CONCERT = 1

let testRedis: { url: string, redis: Redis, close: () => Promise<void> }
const opened: Redis[] = []

async function openClient (name: string, url = testRedis.url): Promise<Redis> {
  const redis = createRedisClient(url, name)
  opened.push(redis)
  await redisReady(redis)
  return redis
}

beforeAll(async () => { testRedis = await openTestRedis() })
afterEach(() => { for (const r of opened.splice(0)) r.disconnect() })
afterAll(async () => { await testRedis.close() })

interface Backend { name: string, open (policy: QueuePolicy): Promise<QueueStore> }

const backends: Backend[] = [
  { name: 'memory', open: async (policy) => createMemoryQueueStore(policy) },
  { name: 'redis', open: async (policy) => createRedisQueueStore(await openClient('contract'), policy, { prefix: 'queue-test:' }) }
]

describe.each(backends)('QueueStore on $name', (backend) => {
  let clock: ReturnType<typeof createManualClock>
  let open: (policy?: Partial<QueuePolicy>) => Promise<QueueStore>

  beforeEach(async () => {
    await testRedis.redis.flushdb()
    clock = createManualClock()
    open = (policy = {}) => backend.open({ ...POLICY, ...policy })
  })

  /** Joins the users in order and returns their token ids. */
  async function joinAll (store: QueueStore, users: string[], concertId = CONCERT): Promise<string[]> {
    const tokens: string[] = []
    for (const u of users) tokens.push((await store.join(concertId, u, clock.now())).entry.tokenId)
    return tokens
  }

  it('numbers the waiting users 1..n in the order they joined', async () => {
    const store = await open()
    const joined: Array<{ entry: QueueEntry, created: boolean }> = []
    for (const u of ['a', 'b', 'c', 'd']) joined.push(await store.join(CONCERT, u, clock.now()))
    expect(joined.map(j => [j.entry.userId, j.entry.status, j.entry.position, j.created])).toEqual([
      ['a', 'WAITING', 1, true], ['b', 'WAITING', 2, true], ['c', 'WAITING', 3, true], ['d', 'WAITING', 4, true]
    ])
    expect(joined.every(j => j.entry.concertId === CONCERT && j.entry.activeUntil === null)).toBe(true)
    expect(new Set(joined.map(j => j.entry.tokenId)).size).toBe(4)
    const touched = await store.touchMany(CONCERT, joined.map(j => j.entry.tokenId), clock.now())
    expect(touched.map(e => e?.position)).toEqual([1, 2, 3, 4])
  })

  it('gives a user who joins twice the same token and place, with created=false', async () => {
    const store = await open()
    await joinAll(store, ['a'])
    const first = await store.join(CONCERT, 'b', clock.now())
    clock.advance(1000)
    const again = await store.join(CONCERT, 'b', clock.now())
    expect(again.created).toBe(false)
    expect(again.entry).toEqual(first.entry)
    expect((await store.stats(CONCERT, clock.now())).waiting).toBe(2)
  })

  it('keeps queues of different concerts apart', async () => {
    const store = await open()
    const [a] = await joinAll(store, ['a'], 1)
    const [b] = await joinAll(store, ['a'], 2)
    expect(b).not.toBe(a)
    expect(await store.touch(2, a, clock.now())).toBeNull()
    expect((await store.touch(2, b, clock.now()))?.position).toBe(1)
  })

  it('admits a user at once when a slot is free and nobody waits ahead', async () => {
    const store = await open()
    const { entry } = await store.join(CONCERT, 'a', clock.now())
    expect(await store.admit(CONCERT, clock.now())).toBe(1)
    expect(await store.touch(CONCERT, entry.tokenId, clock.now())).toEqual({
      tokenId: entry.tokenId, userId: 'a', concertId: CONCERT, status: 'ACTIVE', position: 0, activeUntil: clock.now() + POLICY.activeTtlMs
    })
    const again = await store.join(CONCERT, 'a', clock.now())
    expect(again.created).toBe(false)
    expect(again.entry.status).toBe('ACTIVE')
  })

  it('admits exactly maxActive users, earliest first, and the next ones as slots free by leaving or lapsing', async () => {
    const store = await open({ maxActive: 2, heartbeatTimeoutMs: 3_600_000 })
    const [a, b, c, d, e] = await joinAll(store, ['a', 'b', 'c', 'd', 'e'])
    expect(await store.admit(CONCERT, clock.now())).toBe(2)
    expect(await store.admit(CONCERT, clock.now())).toBe(0)
    const statuses = async (): Promise<Array<string | null>> =>
      (await store.touchMany(CONCERT, [a, b, c, d, e], clock.now())).map(x => x ? `${x.status}:${x.position}` : null)
    expect(await statuses()).toEqual(['ACTIVE:0', 'ACTIVE:0', 'WAITING:1', 'WAITING:2', 'WAITING:3'])

    await store.leave(CONCERT, a)
    expect(await statuses()).toEqual([null, 'ACTIVE:0', 'WAITING:1', 'WAITING:2', 'WAITING:3'])
    expect(await store.admit(CONCERT, clock.now())).toBe(1)
    expect(await statuses()).toEqual([null, 'ACTIVE:0', 'ACTIVE:0', 'WAITING:1', 'WAITING:2'])

    clock.advance(POLICY.activeTtlMs / 2)
    expect(await store.admit(CONCERT, clock.now())).toBe(0)
    clock.advance(POLICY.activeTtlMs / 2)
    // b lapses now (admitted at t0); c was admitted at t0 too, so both slots free up together.
    expect(await store.admit(CONCERT, clock.now())).toBe(2)
    expect(await statuses()).toEqual([null, null, null, 'ACTIVE:0', 'ACTIVE:0'])
    expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 0, active: 2 })
  })

  it('never admits anyone when maxActive is 0', async () => {
    const store = await open({ maxActive: 0 })
    await joinAll(store, ['a', 'b'])
    expect(await store.admit(CONCERT, clock.now())).toBe(0)
    expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 2, active: 0 })
  })

  it('drops a waiting user who stops sending heartbeats, and those behind move up', async () => {
    const store = await open({ maxActive: 1 })
    await joinAll(store, ['holder'])
    await store.admit(CONCERT, clock.now())
    const [a, b, c] = await joinAll(store, ['a', 'b', 'c'])
    clock.advance(POLICY.heartbeatTimeoutMs / 2)
    await store.touchMany(CONCERT, [b, c], clock.now())
    clock.advance(POLICY.heartbeatTimeoutMs / 2)
    const [b2] = await joinAll(store, ['b']) // joining again is a heartbeat too
    expect(b2).toBe(b)
    clock.advance(1)
    expect(await store.touch(CONCERT, a, clock.now())).toBeNull() // gone before any admission sweeps it
    expect(await store.admit(CONCERT, clock.now())).toBe(0)
    expect((await store.touchMany(CONCERT, [b, c], clock.now())).map(e => e?.position)).toEqual([1, 2])
    expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 2, active: 1 })
    clock.advance(POLICY.heartbeatTimeoutMs) // exactly at the timeout: still there
    expect(await store.admit(CONCERT, clock.now())).toBe(0)
    expect((await store.touch(CONCERT, c, clock.now()))?.position).toBe(2)
  })

  it('gives a user whose waiting token timed out a new token at the back when they join again', async () => {
    const store = await open({ maxActive: 0 })
    const [a] = await joinAll(store, ['a', 'b'])
    clock.advance(POLICY.heartbeatTimeoutMs + 1)
    const [c] = await joinAll(store, ['c'])
    const again = await store.join(CONCERT, 'a', clock.now())
    expect(again.created).toBe(true)
    expect(again.entry.tokenId).not.toBe(a)
    // Sweeping the old token must not cost the user the new one.
    await store.admit(CONCERT, clock.now())
    const third = await store.join(CONCERT, 'a', clock.now())
    expect(third).toEqual({ created: false, entry: { ...again.entry, position: 2 } })
    expect((await store.touch(CONCERT, c, clock.now()))?.position).toBe(1)
    expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 2, active: 0 })
  })

  it('keeps a waiting user in the queue for as long as they send heartbeats', async () => {
    const store = await open({ maxActive: 0 })
    const [a] = await joinAll(store, ['a'])
    for (let i = 0; i < 10; i++) {
      clock.advance(POLICY.heartbeatTimeoutMs - 1)
      expect(await store.admit(CONCERT, clock.now())).toBe(0)
      expect((await store.touch(CONCERT, a, clock.now()))?.status).toBe('WAITING')
    }
    expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 1, active: 0 })
  })

  it('lapses an active user at activeUntil, even before an admission sweeps them', async () => {
    const store = await open({ maxActive: 1, heartbeatTimeoutMs: 3_600_000 })
    const [a, b] = await joinAll(store, ['a', 'b'])
    await store.admit(CONCERT, clock.now())
    clock.advance(POLICY.activeTtlMs - 1)
    expect((await store.touch(CONCERT, a, clock.now()))?.status).toBe('ACTIVE')
    clock.advance(1)
    expect(await store.touch(CONCERT, a, clock.now())).toBeNull()
    expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 1, active: 0 })
    expect(await store.admit(CONCERT, clock.now())).toBe(1)
    expect((await store.touch(CONCERT, b, clock.now()))?.status).toBe('ACTIVE')
    const rejoined = await store.join(CONCERT, 'a', clock.now())
    expect(rejoined.created).toBe(true)
    expect(rejoined.entry.status).toBe('WAITING')
  })

  it('lets a paying user give their slot back by user id, and the next one in', async () => {
    const store = await open({ maxActive: 1 })
    const [a, b] = await joinAll(store, ['a', 'b'])
    await store.admit(CONCERT, clock.now())
    await store.leaveByUser(CONCERT, 'a')
    await store.leaveByUser(CONCERT, 'nobody')
    expect(await store.touch(CONCERT, a, clock.now())).toBeNull()
    expect(await store.admit(CONCERT, clock.now())).toBe(1)
    expect((await store.touch(CONCERT, b, clock.now()))?.status).toBe('ACTIVE')
    const rejoined = await store.join(CONCERT, 'a', clock.now())
    expect(rejoined.created).toBe(true)
    expect(rejoined.entry.tokenId).not.toBe(a)
  })

  it('moves those behind up at once when a waiting user leaves', async () => {
    const store = await open({ maxActive: 0 })
    const [a, b, c] = await joinAll(store, ['a', 'b', 'c'])
    await store.leave(CONCERT, b)
    await store.leave(CONCERT, 'no-such-token')
    await store.leave(99, a)
    expect((await store.touchMany(CONCERT, [a, b, c], clock.now())).map(e => e?.position ?? null)).toEqual([1, null, 2])
    expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 2, active: 0 })
  })

  it('counts waiting and live active users per concert', async () => {
    const store = await open({ maxActive: 2 })
    expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 0, active: 0 })
    await joinAll(store, ['a', 'b', 'c', 'd', 'e'])
    await joinAll(store, ['x'], 2)
    await store.admit(CONCERT, clock.now())
    expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 3, active: 2 })
    expect(await store.stats(2, clock.now())).toEqual({ waiting: 1, active: 0 })
    clock.advance(POLICY.activeTtlMs)
    expect(await store.stats(CONCERT, clock.now())).toEqual({ waiting: 3, active: 0 })
  })

  it('reports the admissions of the minute before now', async () => {
    const store = await open({ maxActive: 10, heartbeatTimeoutMs: 600_000 })
    expect(await store.admittedLastMinute(CONCERT, clock.now())).toBe(0)
    const t0 = clock.now()
    await joinAll(store, ['a', 'b'])
    await store.admit(CONCERT, clock.now())
    clock.advance(30_000)
    await joinAll(store, ['c'])
    await store.admit(CONCERT, clock.now())
    expect(await store.admittedLastMinute(CONCERT, clock.now())).toBe(3)
    clock.set(t0 + 59_999)
    expect(await store.admittedLastMinute(CONCERT, clock.now())).toBe(3)
    clock.set(t0 + 60_000)
    expect(await store.admittedLastMinute(CONCERT, clock.now())).toBe(1)
    await store.admit(CONCERT, clock.now())
    expect(await store.admittedLastMinute(CONCERT, clock.now())).toBe(1)
    clock.set(t0 + 90_000)
    expect(await store.admittedLastMinute(CONCERT, clock.now())).toBe(0)
    expect(await store.admittedLastMinute(2, clock.now())).toBe(0)
  })

  it('lists the concerts that have anyone waiting or active, and forgets one once it is empty', async () => {
    const store = await open({ maxActive: 1 })
    expect(await store.concerts()).toEqual([])
    const [a] = await joinAll(store, ['a'], 1)
    await joinAll(store, ['b'], 2)
    expect((await store.concerts()).sort()).toEqual([1, 2])
    await store.admit(1, clock.now())
    await store.leave(1, a)
    expect(await store.admit(1, clock.now())).toBe(0)
    expect(await store.concerts()).toEqual([2])
    clock.advance(POLICY.heartbeatTimeoutMs + 1)
    await store.admit(2, clock.now())
    expect(await store.concerts()).toEqual([])
  })

  it('reads many tokens at once, in order, as heartbeats, with null for unknown and lapsed ones', async () => {
    const store = await open({ maxActive: 1 })
    const [a, b, c] = await joinAll(store, ['a', 'b', 'c'])
    await store.admit(CONCERT, clock.now())
    expect(await store.touchMany(CONCERT, [], clock.now())).toEqual([])
    clock.advance(POLICY.heartbeatTimeoutMs / 2)
    const entries = await store.touchMany(CONCERT, [c, 'unknown', a, b], clock.now())
    expect(entries.map(e => e && [e.userId, e.status, e.position])).toEqual([['c', 'WAITING', 2], null, ['a', 'ACTIVE', 0], ['b', 'WAITING', 1]])
    clock.advance(POLICY.heartbeatTimeoutMs / 2 + 1)
    // The batch counted as a heartbeat for b and c, which would otherwise have timed out now.
    expect((await store.touchMany(CONCERT, [b, c], clock.now())).map(e => e?.status)).toEqual(['WAITING', 'WAITING'])
    expect(await store.touchMany(2, [a, b], clock.now())).toEqual([null, null])
  })

  it('answers ping while its store is up', async () => {
    const store = await open()
    await expect(store.ping()).resolves.toBeUndefined()
  })
})

describe('QueueStore on redis, with many instances', () => {
  let clock: ReturnType<typeof createManualClock>
  beforeEach(async () => {
    await testRedis.redis.flushdb()
    clock = createManualClock()
  })

  /** Store objects on separate connections, as separate app instances would have. */
  async function instances (n: number, policy: QueuePolicy): Promise<QueueStore[]> {
    return Promise.all(Array.from({ length: n }, async (_, i) => createRedisQueueStore(await openClient(`instance-${i}`), policy)))
  }

  it('never admits more than maxActive when ten instances run admission at the same moment', async () => {
    const policy = { maxActive: 7, activeTtlMs: 1000, heartbeatTimeoutMs: 3_600_000 }
    const stores = await instances(10, policy)
    const users = Array.from({ length: 60 }, (_, i) => `u${i}`)
    const tokens: string[] = []
    for (const u of users) tokens.push((await stores[tokens.length % 10].join(CONCERT, u, clock.now())).entry.tokenId)

    for (let round = 0; round < 5; round++) {
      const admitted = await Promise.all(stores.map(s => s.admit(CONCERT, clock.now())))
      expect(admitted.reduce((x, y) => x + y, 0)).toBe(7)
      expect(await stores[0].stats(CONCERT, clock.now())).toEqual({ waiting: 60 - 7 * (round + 1), active: 7 })
      // Everyone admitted this round is the earliest of those still waiting.
      const entries = await stores[round].touchMany(CONCERT, tokens, clock.now())
      expect(entries.map((e, i) => e?.status === 'ACTIVE' ? i : -1).filter(i => i >= 0))
        .toEqual(Array.from({ length: 7 }, (_, i) => 7 * round + i))
      clock.advance(policy.activeTtlMs) // every active slot lapses
    }
  })

  it('gives a user one token even when they join through many instances at once', async () => {
    const stores = await instances(10, POLICY)
    const joins = await Promise.all(stores.map(s => s.join(CONCERT, 'same-user', clock.now())))
    expect(new Set(joins.map(j => j.entry.tokenId)).size).toBe(1)
    expect(joins.filter(j => j.created)).toHaveLength(1)
    expect(await stores[0].stats(CONCERT, clock.now())).toEqual({ waiting: 1, active: 0 })
  })

  it('shows every instance the same positions and the same admissions', async () => {
    const [one, two] = await instances(2, { ...POLICY, maxActive: 1 })
    const tokens: string[] = []
    for (let i = 0; i < 6; i++) tokens.push((await (i % 2 ? two : one).join(CONCERT, `u${i}`, clock.now())).entry.tokenId)
    const positions = async (store: QueueStore): Promise<unknown[]> => (await store.touchMany(CONCERT, tokens, clock.now())).map(e => e && [e.status, e.position])
    expect(await positions(one)).toEqual(await positions(two))
    expect(await positions(two)).toEqual([1, 2, 3, 4, 5, 6].map(p => ['WAITING', p]))
    expect(await one.admit(CONCERT, clock.now())).toBe(1)
    expect(await two.admit(CONCERT, clock.now())).toBe(0)
    expect(await positions(two)).toEqual([['ACTIVE', 0], ...[1, 2, 3, 4, 5].map(p => ['WAITING', p])])
    expect(await positions(one)).toEqual(await positions(two))
    expect(await two.concerts()).toEqual([CONCERT])
    expect(await two.admittedLastMinute(CONCERT, clock.now())).toBe(1)
  })

  it('puts a time-to-live on every key of a concert, and leaves none behind once the concert is empty', async () => {
    const [store] = await instances(1, POLICY)
    const a = (await store.join(CONCERT, 'a', clock.now())).entry.tokenId
    await store.join(CONCERT, 'b', clock.now())
    await store.admit(CONCERT, clock.now())
    const keys = (await testRedis.redis.keys('queue:*')).sort()
    expect(keys).toEqual(['queue:1:active', 'queue:1:admissions', 'queue:1:owner', 'queue:1:room', 'queue:1:users', 'queue:concerts', 'queue:seq'])
    for (const key of keys.filter(k => k.startsWith('queue:1:'))) {
      const ttl = await testRedis.redis.pttl(key)
      expect(ttl, key).toBeGreaterThan(POLICY.activeTtlMs)
      expect(ttl, key).toBeLessThanOrEqual(POLICY.activeTtlMs + 60_000)
    }
    await store.leave(CONCERT, a)
    await store.leaveByUser(CONCERT, 'b')
    await store.admit(CONCERT, clock.now())
    expect((await testRedis.redis.keys('queue:*')).sort()).toEqual(['queue:seq'])
  })

  it('forgets a concert whose keys expired while no instance was running admissions', async () => {
    const [store] = await instances(1, POLICY)
    await store.join(CONCERT, 'a', clock.now())
    await store.join(2, 'a', clock.now())
    await testRedis.redis.del('queue:1:room', 'queue:1:waiting', 'queue:1:seen', 'queue:1:owner', 'queue:1:users')
    expect(await store.concerts()).toEqual([2])
    expect(await testRedis.redis.smembers('queue:concerts')).toEqual(['2'])
  })
})

describe('QueueStore on redis, while Redis is down', () => {
  it('answers SERVICE_UNAVAILABLE within moments when nothing listens at the Redis address', async () => {
    const redis = createRedisClient('redis://127.0.0.1:6390', 'unreachable')
    opened.push(redis)
    const store = createRedisQueueStore(redis, POLICY)
    await new Promise(resolve => setTimeout(resolve, 100)) // let the first connection attempt fail
    for (const call of [
      () => store.join(CONCERT, 'a', Date.now()), () => store.touch(CONCERT, 't', Date.now()), () => store.admit(CONCERT, Date.now()),
      () => store.stats(CONCERT, Date.now()), () => store.concerts(), () => store.ping()
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
    const redis = await openClient('through-proxy', `redis://127.0.0.1:${proxy.port}${target.pathname}`)
    const store = createRedisQueueStore(redis, POLICY)
    const clock = createManualClock()
    const { entry } = await store.join(CONCERT, 'a', clock.now())

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

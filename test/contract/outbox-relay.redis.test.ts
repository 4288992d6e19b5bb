// Contract of the outbox relay on every SQL backend × every Redis backend: in order, at least once, one relay at a time, nothing lost.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createRedisEventStream, fenceKeyOf } from '../../src/adapters/redis/event-stream.redis.js'
import { connectRedis, createRedisClient, redisReady, type RedisClient } from '../../src/adapters/redis/redis.js'
import { createSqlOutboxRelayStore } from '../../src/adapters/sql/outbox-relay.sql.js'
import { createSqlTransact } from '../../src/adapters/sql/stores.js'
import type { NewOutboxEvent } from '../../src/modules/outbox/outbox.js'
import { pruneEvents, relayEvents, type RelayEventsDeps } from '../../src/modules/outbox/relay-events.js'
import { createManualClock } from '../../src/shared/clock.js'
import { randomId } from '../../src/shared/ids.js'
import { REDIS_BACKENDS, SQL_BACKENDS, openTestDatabase, openTestRedis, type TestRedis } from '../support/backends.js'
import { readStream } from '../support/redis-stream.js'
import { waitUntil } from '../support/ports.js'
import { acquireSharedRedisCluster } from '../support/redis-cluster.js'
import { onRedisPort } from '../support/redis-server.js'
import { startProxy } from '../support/tcp-proxy.js'

const DAY = 86_400_000
const combos = SQL_BACKENDS.flatMap(sql => REDIS_BACKENDS.map(redis => ({ sql, redis })))

describe.each(combos)('Outbox relay on $sql + $redis', ({ sql, redis: redisBackend }) => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>
  let testRedis: TestRedis
  const opened: RedisClient[] = []
  let stream: string

  beforeAll(async () => {
    db = await openTestDatabase(sql, 'relay')
    testRedis = await openTestRedis(redisBackend)
  })
  afterAll(async () => {
    await db?.close()
    await testRedis?.close()
  })
  afterEach(async () => {
    for (const c of opened.splice(0)) c.disconnect()
    // Each test starts from an empty outbox and a free lease.
    await db.database.db.deleteFrom('outbox').execute()
    await db.database.db.updateTable('outbox_relay').set({ holder: null, expires_at: 0 }).execute()
  })

  const transact = (): ReturnType<typeof createSqlTransact> => createSqlTransact(db.database)
  const event = (n: number, showId: number | null = 7): NewOutboxEvent =>
    ({ type: 'payment.confirmed', showId, occurredAt: Date.now(), data: { reservationId: String(n), seatNos: [n], amount: 1000 * n } })

  async function commit (...events: NewOutboxEvent[]): Promise<void> {
    await transact()(async tx => { for (const e of events) await tx.outbox.add(e) })
  }

  async function relayDeps (holder: string, options: Partial<RelayEventsDeps> & { url?: string } = {}): Promise<RelayEventsDeps> {
    const client = connectRedis(options.url ?? testRedis.url, `relay-${holder}`)
    opened.push(client)
    await redisReady(client, 10_000)
    stream ??= `events-test-${randomId(6)}`
    return {
      relay: createSqlOutboxRelayStore(db.database.db),
      stream: createRedisEventStream(client, stream),
      clock: createManualClock(Date.now()),
      holder,
      leaseMs: 10_000,
      retentionMs: 7 * DAY,
      ...options
    }
  }

  /** A client that reaches the test Redis through a TCP proxy the test can stop (an outage of this client only). */
  async function throughProxy (name: string): Promise<{ target: URL, client: { redis: RedisClient, proxy: Awaited<ReturnType<typeof startProxy>> } }> {
    const target = new URL(testRedis.url)
    const proxy = await startProxy({ host: target.hostname, port: Number(target.port) })
    const redis = createRedisClient(`redis://127.0.0.1:${proxy.port}${target.pathname}`, name)
    opened.push(redis)
    await redisReady(redis)
    return { target, client: { redis, proxy } }
  }

  const unpublished = async (): Promise<number> =>
    Number((await db.database.db.selectFrom('outbox').select(eb => eb.fn.countAll().as('n')).where('published_at', 'is', null).executeTakeFirstOrThrow()).n)

  it('delivers committed events once, in commit order, as { id, type, occurredAt, data } with the outbox id', async () => {
    stream = `events-test-${randomId(6)}`
    const deps = await relayDeps('a')
    await commit(event(1), event(2))
    await commit(event(3, null))
    expect(await relayEvents(deps)).toEqual({ leader: true, delivered: 3 })
    expect(await relayEvents(deps)).toEqual({ leader: true, delivered: 0 })

    const rows = await db.database.db.selectFrom('outbox').selectAll().orderBy('id').execute()
    const entries = await readStream(testRedis.redis, stream)
    expect(entries.map(e => e.id)).toEqual(rows.map(r => String(r.id)))
    expect(entries[0]).toMatchObject({ type: 'payment.confirmed', data: { reservationId: '1', seatNos: [1], amount: 1000 } })
    expect(entries[0].occurredAt).toBe(new Date(Number(rows[0].occurred_at)).toISOString())
    expect(rows.every(r => r.published_at !== null)).toBe(true)
  })

  it('publishes nothing for a change that rolled back', async () => {
    stream = `events-test-${randomId(6)}`
    const deps = await relayDeps('a')
    await expect(transact()(async tx => { await tx.outbox.add(event(1)); throw new Error('payment failed') })).rejects.toThrow('payment failed')
    await commit(event(2))
    await relayEvents(deps)
    expect((await readStream(testRedis.redis, stream)).map(e => e.data.reservationId)).toEqual(['2'])
  })

  it('lets only one of several relays deliver while its lease lasts, so every event arrives exactly once', async () => {
    stream = `events-test-${randomId(6)}`
    const relays = await Promise.all(['a', 'b', 'c'].map(h => relayDeps(h)))
    const leaders = new Set<string>()
    for (let round = 0; round < 10; round++) {
      await commit(event(round * 3 + 1), event(round * 3 + 2))
      await commit(event(round * 3 + 3))
      const outcomes = await Promise.all(relays.map(r => relayEvents({ ...r, batchSize: 2 })))
      outcomes.forEach((o, i) => { if (o.leader) leaders.add(relays[i].holder) })
      expect(outcomes.filter(o => o.leader)).toHaveLength(1)
    }
    expect(leaders.size).toBe(1)
    const ids = (await readStream(testRedis.redis, stream)).map(e => Number(e.data.reservationId))
    expect(ids).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    expect(await unpublished()).toBe(0)
  })

  it('hands over when the lease lapses, and fences the former holder off the stream and the table', async () => {
    stream = `events-test-${randomId(6)}`
    const a = await relayDeps('a', { leaseMs: 1000 })
    const b = await relayDeps('b', { leaseMs: 1000, clock: a.clock })
    await commit(event(1))
    expect(await relayEvents(a)).toMatchObject({ leader: true, delivered: 1 })
    const stale = await a.relay.acquireLease('a', a.clock.now(), 1000)
    await commit(event(2))
    expect(await relayEvents(b)).toEqual({ leader: false, delivered: 0 })

    ;(a.clock as ReturnType<typeof createManualClock>).advance(1001) // a stalls past its lease
    expect(await relayEvents(b)).toEqual({ leader: true, delivered: 1 })
    await commit(event(3))
    const late = await a.relay.listUnpublished(10)
    // a wakes up with its old lease: the stream refuses it and the table ignores its marks.
    expect(await a.stream.append(late, stale!.token, 0)).toBe('fenced')
    expect(await a.relay.markPublished(late.map(e => e.id), a.clock.now(), stale!)).toBe(0)
    expect(await relayEvents(b)).toMatchObject({ leader: true, delivered: 1 })
    expect((await readStream(testRedis.redis, stream)).map(e => e.data.reservationId)).toEqual(['1', '2', '3'])
    expect(Number(await testRedis.redis.get(fenceKeyOf(stream)))).toBeGreaterThan(stale!.token)
  })

  it('delivers again after a crash between append and mark, with the same ids for consumers to drop', async () => {
    stream = `events-test-${randomId(6)}`
    const a = await relayDeps('a', { leaseMs: 1000 })
    const b = await relayDeps('b', { leaseMs: 1000, clock: a.clock })
    await commit(event(1), event(2))
    const lease = await a.relay.acquireLease('a', a.clock.now(), 1000)
    await a.stream.append(await a.relay.listUnpublished(10), lease!.token, 0) // then the process dies
    ;(a.clock as ReturnType<typeof createManualClock>).advance(1001)
    expect(await relayEvents(b)).toMatchObject({ leader: true, delivered: 2 })
    const entries = await readStream(testRedis.redis, stream)
    expect(entries.map(e => e.data.reservationId)).toEqual(['1', '2', '1', '2'])
    expect([...new Set(entries.map(e => e.id))]).toHaveLength(2)
    expect(await unpublished()).toBe(0)
  })

  it('gives a graceful leaver\'s lease to the next relay at once', async () => {
    const a = await relayDeps('a')
    const b = await relayDeps('b', { clock: a.clock })
    expect((await relayEvents(a)).leader).toBe(true)
    expect((await relayEvents(b)).leader).toBe(false)
    await a.relay.releaseLease('a')
    expect((await relayEvents(b)).leader).toBe(true)
  })

  it('prunes delivered events after the retention period, keeps undelivered ones and the newest id', async () => {
    const deps = await relayDeps('a')
    const clock = deps.clock as ReturnType<typeof createManualClock>
    await commit(event(1), event(2), event(3), event(4))
    await relayEvents(deps)
    // 2 as if some relay had not delivered it yet.
    await db.database.db.updateTable('outbox').set({ published_at: null }).where('data', 'like', '%"reservationId":"2"%').execute()
    clock.advance(7 * DAY + 1)
    expect(await pruneEvents({ relay: deps.relay, clock, retentionMs: 7 * DAY }, { withStream: true })).toBe(2)
    const left = await db.database.db.selectFrom('outbox').select('data').orderBy('id').execute()
    expect(left.map(r => JSON.parse(r.data).reservationId)).toEqual(['2', '4'])
    expect(await pruneEvents({ relay: deps.relay, clock, retentionMs: 7 * DAY }, { withStream: true })).toBe(0)
  })

  it('without a stream (embedded) prunes every event older than the retention period but the newest', async () => {
    const deps = await relayDeps('a')
    await commit(event(1), event(2), event(3))
    // The clock starts after the events' occurredAt (Date.now() at commit), so each is older than the period.
    const clock = createManualClock(Date.now())
    clock.advance(7 * DAY + 1)
    expect(await pruneEvents({ relay: deps.relay, clock, retentionMs: 7 * DAY }, { withStream: false })).toBe(2)
    expect(await unpublished()).toBe(1)
  })

  it('trims stream entries older than the retention period as it appends', async () => {
    stream = `events-test-${randomId(6)}`
    const deps = await relayDeps('a', { retentionMs: 7 * DAY })
    await commit(event(1))
    await relayEvents(deps)
    await new Promise(resolve => setTimeout(resolve, 5))
    await commit(event(2))
    ;(deps.clock as ReturnType<typeof createManualClock>).set(Date.now())
    await relayEvents({ ...deps, retentionMs: 1 })
    expect((await readStream(testRedis.redis, stream)).map(e => e.data.reservationId)).toEqual(['2'])
  })

  it.runIf(redisBackend === 'standalone')('keeps events while Redis is down and delivers all of them, in order, once it is back', async () => {
    stream = `events-test-${randomId(6)}`
    const { target, client } = await throughProxy('relay-through-proxy')
    let proxy = client.proxy
    const deps = await relayDeps('a', { stream: createRedisEventStream(client.redis, stream) })
    await commit(event(1))
    await relayEvents(deps)

    await proxy.stop()
    for (let n = 2; n <= 6; n++) {
      await commit(event(n))
      await expect(relayEvents(deps)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
    }
    expect(await unpublished()).toBe(5)

    proxy = await startProxy({ host: target.hostname, port: Number(target.port) }, proxy.port)
    await redisReady(client.redis, 5000)
    expect(await relayEvents(deps)).toEqual({ leader: true, delivered: 5 })
    expect((await readStream(testRedis.redis, stream)).map(e => e.data.reservationId)).toEqual(['1', '2', '3', '4', '5', '6'])
    await proxy.stop()
  })

  it.runIf(redisBackend === 'standalone')('hands the lease over when only its holder cannot reach Redis, so another relay delivers', async () => {
    stream = `events-test-${randomId(6)}`
    const { client: cutOff } = await throughProxy('relay-cut-off')
    await cutOff.proxy.stop()
    const a = await relayDeps('a', { stream: createRedisEventStream(cutOff.redis, stream) })
    const b = await relayDeps('b', { clock: a.clock })
    await commit(event(1), event(2))
    await expect(relayEvents(a)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
    expect(await relayEvents(b)).toEqual({ leader: true, delivered: 2 })
    expect((await readStream(testRedis.redis, stream)).map(e => e.data.reservationId)).toEqual(['1', '2'])
  })

  it.runIf(redisBackend === 'cluster')('counts a batch delivered only once a replica of the stream\'s master has it', async () => {
    stream = `events-test-${randomId(6)}`
    const deps = await relayDeps('a')
    const cluster = (await acquireSharedRedisCluster())
    try {
      const master = await cluster.cluster.masterOf(stream)
      const [replica] = await cluster.cluster.replicasOf(master)
      const client = connectRedis(testRedis.url, 'relay-waits')
      opened.push(client)
      await redisReady(client)
      const waiting = { ...deps, stream: createRedisEventStream(client, stream, { replicaWaitMs: 300 }) }
      await commit(event(1))
      expect(await relayEvents(waiting)).toMatchObject({ delivered: 1 })

      await cluster.cluster.pause(replica)
      try {
        await commit(event(2))
        await expect(relayEvents(waiting)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
        expect(await unpublished()).toBe(1)
      } finally {
        await cluster.cluster.resume(replica)
      }
      await waitUntil(async () => (await relayEvents(waiting).catch(() => ({ delivered: 0 }))).delivered === 1, 10_000, () => 'the batch was never confirmed')
      expect(await unpublished()).toBe(0)
      // The replica has every event, the one first written while it stalled included (twice: same id).
      const onReplica = await onRedisPort(replica, async r => { await r.call('READONLY'); return r.xrange(stream, '-', '+') })
      expect([...new Set(onReplica.map(([, f]) => f[f.indexOf('id') + 1]))]).toHaveLength(2)
    } finally {
      await cluster.release()
    }
  })
})

// A Redis Cluster master killed mid-traffic under two real instances: its replica takes over, clients see only answers or 503 with retry-after, the books hold.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectRedis, redisReady } from '../../src/adapters/redis/redis.js'
import { readBooks } from '../support/books.js'
import { startCluster, type Cluster } from '../support/cluster.js'
import { admitted, bearer, call, demoDates, joinQueue, type Reply } from '../support/http-client.js'
import type { Instance } from '../support/instances.js'
import { sleep, waitUntil } from '../support/ports.js'
import { startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js'
import { readStream } from '../support/redis-stream.js'

const STREAM = 'concert-events:{c1}'

interface Sample { at: number, what: string, status: number, code: string | null, retryAfter: string | null, error: string | null }

let redis: TestRedisCluster
let cluster: Cluster
let concertId: string
let dates: string[]

beforeAll(async () => {
  // A master that stops answering is failed over after about a second (the default is 15 s).
  redis = await startRedisCluster({ nodeTimeoutMs: 1000 })
  cluster = await startCluster({
    label: 'failover', size: 2, redisUrl: redis.url,
    // The events stream shares the demo concert's slot, so the master killed below holds it too.
    env: { QUEUE_MAX_ACTIVE: '1000', HOLD_TTL_SECONDS: '30', EVENTS_RELAY_LEASE_SECONDS: '2', EVENTS_STREAM: STREAM }
  })
  ;({ concertId, dates } = await demoDates(cluster.instances[0].url))
}, 120_000)

afterAll(async () => {
  await cluster?.close()
  await redis?.close()
})

describe('a Redis Cluster master fails over mid-traffic', () => {
  it('answers every request with a contract answer or 503 + retry-after, recovers without a restart, and keeps the books', async () => {
    const samples: Sample[] = []
    const sample = async (what: string, run: () => Promise<Reply>): Promise<Reply | null> => {
      try {
        const r = await run()
        samples.push({ at: Date.now(), what, status: r.status, code: (r.body?.code as string | undefined) ?? null, retryAfter: r.headers.get('retry-after'), error: null })
        return r
      } catch (err) {
        samples.push({ at: Date.now(), what, status: 0, code: null, retryAfter: null, error: (err as Error).message })
        return null
      }
    }

    /** One fan from joining to paying; false when any step was refused (503, lost queue state, seat taken). */
    const journey = async (app: Instance, user: string): Promise<boolean> => {
      const joined = await sample('join', () => joinQueue(app.url, user, concertId))
      if (joined?.status !== 201 && joined?.status !== 200) return false
      const headers = admitted(user, joined.body.token as string)
      for (let i = 0; joined.body.status !== 'ACTIVE'; i++) {
        const current = await sample('current', () => call(app.url, 'GET', '/queue/tokens/current', { headers }))
        if (current?.status !== 200) return false
        if (current.body.status === 'ACTIVE') break
        if (i > 40) return false
        await sleep(50)
      }
      const charged = await sample('charge', () => call(app.url, 'POST', `/users/${user}/points/charge`, { headers: bearer(user), body: { amount: 200_000 } }))
      if (charged?.status !== 200) return false
      const date = dates[Math.floor(Math.random() * dates.length)]
      const held = await sample('hold', () => call(app.url, 'POST', '/reservations', { headers, body: { date, seatNo: 1 + Math.floor(Math.random() * 50) } }))
      if (held?.status !== 201) return held?.status === 409
      const paid = await sample('pay', () => call(app.url, 'POST', `/reservations/${held.body.id as string}/pay`, { headers: bearer(user) }))
      return paid?.status === 200
    }

    let stop = false
    let healedAt = Infinity
    const completedAfterHeal = new Map<number, number>()
    const worker = async (w: number): Promise<void> => {
      const app = cluster.instances[w % cluster.instances.length]
      for (let n = 0; !stop; n++) {
        const startedAt = Date.now()
        const done = await journey(app, `fo-${w}-${n}`)
        if (done && startedAt > healedAt) completedAfterHeal.set(w, (completedAfterHeal.get(w) ?? 0) + 1)
        if (!done) await sleep(50)
      }
    }
    const workers = Array.from({ length: 4 }, (_, w) => worker(w))
    await waitUntil(async () => samples.filter(s => s.what === 'pay' && s.status === 200).length >= 4, 30_000, () => 'no payments before the failover', 50)

    // Every key of the concert (queue, gate, seat events) lives in the slot of its hash tag: kill that master.
    const master = await redis.masterOf(`{c${concertId}}`)
    expect(await redis.masterOf(STREAM)).toBe(master)
    const [replica] = await redis.replicasOf(master)
    const killedAt = Date.now()
    await redis.kill(master)
    await redis.waitHealthy(30_000)
    expect(await redis.masterOf(`{c${concertId}}`)).toBe(replica)
    healedAt = Date.now()

    // Recovered without a restart: both instances ready again, and every worker finishes a whole journey afterwards.
    for (const app of cluster.instances) {
      await waitUntil(async () => (await call(app.url, 'GET', '/ready')).status === 200, 20_000, () => `${app.name} did not become ready again`, 100)
    }
    await waitUntil(async () => completedAfterHeal.size === 4, 60_000, () => `journeys completed after the failover: ${JSON.stringify([...completedAfterHeal])}`, 100)
    stop = true
    await Promise.all(workers)

    const outcomes = samples.reduce<Record<string, number>>((acc, s) => {
      const k = s.error ? `error ${s.error}` : `${s.status}${s.code ? ` ${s.code}` : ''}`
      acc[k] = (acc[k] ?? 0) + 1
      return acc
    }, {})
    console.info(`[failover] ${samples.length} requests, ${samples.filter(s => s.at > killedAt && s.at < healedAt).length} during the ${healedAt - killedAt} ms failover: ${JSON.stringify(outcomes)}`)
    for (const s of samples) {
      expect(s.error, `${s.what}: a request failed without an answer`).toBeNull()
      if (s.status >= 500) expect([s.what, s.status, s.code, /^\d+$/.test(s.retryAfter ?? '')]).toEqual([s.what, 503, 'SERVICE_UNAVAILABLE', true])
    }
    for (const app of cluster.instances) expect(await Promise.race([app.exited.then(() => 'exited'), sleep(10).then(() => 'running')])).toBe('running')

    const conn = await cluster.sql()
    try {
      const books = await readBooks(conn)
      expect(books.soldWithoutOneSale).toBe(0)
      expect(books.paymentsNotConfirmed).toBe(0)
      expect(books.charged - books.used + books.refunded).toBe(books.balances)
      expect(books.useRows).toBe(books.payments)
      expect(books.used).toBe(books.paymentSum)
      expect(books.sold).toBe(books.payments)
      expect(books.payments).toBeGreaterThanOrEqual(8)

      // Every payment's event reached the stream, the ones appended just before the failover included.
      await waitUntil(async () => Number(((await conn.query('SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL'))[0] as Array<{ n: number }>)[0].n) === 0,
        15_000, () => 'the relay did not catch up after the failover')
      const paid = ((await conn.query('SELECT reservation_id AS id FROM payments'))[0] as Array<{ id: number }>).map(r => String(r.id))
      const reader = connectRedis(redis.url, 'failover-reader')
      try {
        await redisReady(reader, 10_000)
        const confirmed = new Set((await readStream(reader, STREAM)).filter(e => e.type === 'payment.confirmed').map(e => String(e.data.reservationId)))
        expect(paid.filter(id => !confirmed.has(id))).toEqual([])
      } finally {
        reader.disconnect()
      }
    } finally {
      await conn.end()
    }
  })
})

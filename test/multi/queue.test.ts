// The waiting room across real instances: one FIFO order and one capacity, live admission events, idle slots
// handed on, a sold-out room closing and reopening, a draw anyone can verify, the rate model, and the
// embedded mode keeping every place across a restart.

import { createHash, createHmac } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type Cluster } from '../support/cluster.js'
import { admitted, bearer, call, demoDates, joinQueue, type Reply } from '../support/http-client.js'
import { startInstance, type Instance } from '../support/instances.js'
import { sleep, waitUntil } from '../support/ports.js'
import { openEventStream } from '../support/sse-client.js'

describe('one waiting room across two instances', () => {
  let cluster: Cluster
  let a: Instance
  let b: Instance
  let concertId: string
  let dates: string[]
  const on = (i: number): Instance => (i % 2 === 0 ? a : b)

  beforeAll(async () => {
    cluster = await startCluster({ label: 'queue', env: { QUEUE_MAX_ACTIVE: '3' } })
    ;[a, b] = cluster.instances
    ;({ concertId, dates } = await demoDates(a.url))
  }, 120_000)

  afterAll(async () => { await cluster?.close() })

  const users = Array.from({ length: 10 }, (_, i) => `fan-${i}`)
  const tokens: string[] = []
  const headersOf = (i: number): Record<string, string> => admitted(users[i], tokens[i])

  /** Every user's ticket as `STATUS:position` (null once gone), read through `instance`. */
  async function places (instance: Instance): Promise<Array<string | null>> {
    return Promise.all(users.map(async (_, i) => {
      const r = await call(instance.url, 'GET', '/queue/tokens/current', { headers: headersOf(i) })
      if (r.status === 410) return null
      expect(r.status, r.text).toBe(200)
      return `${r.body.status as string}:${r.body.position as number}`
    }))
  }

  const gauge = (text: string, name: string): number => Number(new RegExp(`^${name}\\{concert_id="${concertId}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN)

  /**
   * The queue gauges as /metrics of `instance` reports them (read from Redis, so the same on every instance).
   */
  async function gauges (instance: Instance): Promise<{ active: number, waiting: number }> {
    const text = (await call(instance.url, 'GET', '/metrics')).text
    return { active: gauge(text, 'concert_queue_active'), waiting: gauge(text, 'concert_queue_waiting') }
  }

    it('10 users joining one after another through alternating instances: 3 ACTIVE, the rest waiting 1..7 in join order', async () => {
      for (let i = 0; i < users.length; i++) {
        const r = await joinQueue(on(i).url, users[i], concertId)
        expect(r.status, r.text).toBe(201)
        tokens.push(r.body.token as string)
        const got = `${r.body.status as string}:${r.body.position as number}`
        expect(got).toBe(i < 3 ? 'ACTIVE:0' : `WAITING:${i - 2}`)
      }
      const expected = users.map((_, i) => (i < 3 ? 'ACTIVE:0' : `WAITING:${i - 2}`))
      expect(await places(a)).toEqual(expected)
      expect(await places(b)).toEqual(expected)
      // A join again (on the other instance) keeps the place: same token, 200.
      const again = await joinQueue(b.url, users[4], concertId)
      expect(again.status).toBe(200)
      expect(again.body).toMatchObject({ token: tokens[4], status: 'WAITING', position: 2 })
      // Both instances run the admission tick; neither admits beyond the capacity.
      await new Promise(resolve => setTimeout(resolve, 1200))
      expect(await places(a)).toEqual(expected)
      expect(await gauges(a)).toEqual({ active: 3, waiting: 7 })
      expect(await gauges(b)).toEqual({ active: 3, waiting: 7 })
    })

    it('a waiting user is refused the seat map and holds on either instance', async () => {
      for (const instance of [a, b]) {
        const seats = await call(instance.url, 'GET', `/concerts/${dates[0]}/seats`, { headers: headersOf(5) })
        expect(seats.status).toBe(403)
        expect(seats.body.code).toBe('QUEUE_NOT_ADMITTED')
        const hold = await call(instance.url, 'POST', '/reservations', { headers: headersOf(5), body: { date: dates[0], seatNo: 1 } })
        expect(hold.body.code).toBe('QUEUE_NOT_ADMITTED')
      }
    })

    it('a slot given back through instance B admits the earliest waiter, whose stream on instance A says ACTIVE', async () => {
      const stream = await openEventStream(`${a.url}/queue/tokens/current/events`, headersOf(3))
      try {
        expect(stream.status).toBe(200)
        expect((await stream.next(() => true)).data).toMatchObject({ status: 'WAITING', position: 1 })
        const left = await call(b.url, 'DELETE', '/queue/tokens/current', { headers: headersOf(0) })
        expect(left.status).toBe(204)
        const started = Date.now()
        const event = await stream.next(e => (e.data as { status: string }).status === 'ACTIVE', 3000)
        expect(event.data).toMatchObject({ token: tokens[3], status: 'ACTIVE', position: 0 })
        expect(Date.now() - started).toBeLessThan(2000) // the admission tick runs every 500 ms on each instance
      } finally {
        stream.close()
      }
      const expected = [null, 'ACTIVE:0', 'ACTIVE:0', 'ACTIVE:0', ...users.slice(4).map((_, i) => `WAITING:${i + 1}`)]
      expect(await places(a)).toEqual(expected)
      expect(await places(b)).toEqual(expected)
      expect(await gauges(b)).toEqual({ active: 3, waiting: 6 })
    })

    it('a waiter whose stream is open on one instance moves up as those ahead leave through the other', async () => {
      const stream = await openEventStream(`${b.url}/queue/tokens/current/events`, headersOf(9))
      try {
        expect((await stream.next(() => true)).data).toMatchObject({ status: 'WAITING', position: 6 })
        // fan-5 (waiting, position 2) leaves through A: fan-9 moves from 6 to 5.
        expect((await call(a.url, 'DELETE', '/queue/tokens/current', { headers: headersOf(5) })).status).toBe(204)
        expect((await stream.next(e => (e.data as { position: number }).position === 5, 3000)).data).toMatchObject({ status: 'WAITING' })
      } finally {
        stream.close()
      }
      // fan-4 is next after fan-5 left: when a slot frees, it is admitted, not fan-6.
      expect((await call(a.url, 'DELETE', '/queue/tokens/current', { headers: headersOf(1) })).status).toBe(204)
      await waitUntil(async () => (await call(b.url, 'GET', '/queue/tokens/current', { headers: headersOf(4) })).body.status === 'ACTIVE', 3000, () => 'fan-4 was not admitted')
      expect(await places(b)).toEqual([null, null, 'ACTIVE:0', 'ACTIVE:0', 'ACTIVE:0', null, 'WAITING:1', 'WAITING:2', 'WAITING:3', 'WAITING:4'])
    })

    it('one scrape of /metrics reports the users waiting right now', async () => {
      expect(await gauges(a)).toEqual({ active: 3, waiting: 4 })
      expect((await joinQueue(b.url, 'fan-late', concertId)).body).toMatchObject({ status: 'WAITING', position: 5 })
      const text = (await call(a.url, 'GET', '/metrics')).text
      expect({ active: gauge(text, 'concert_queue_active'), waiting: gauge(text, 'concert_queue_waiting') }).toEqual({ active: 3, waiting: 5 })
    })
})

const ADMIN = bearer('root', 'admin')
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

/** Creates a concert of `seats` seats on one show a few days ahead through the admin route; returns its id and date. */
async function newConcert (url: string, title: string, seats: number): Promise<{ concertId: string, date: string }> {
  const date = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10)
  const r = await call(url, 'POST', '/admin/concerts', {
    headers: ADMIN,
    body: { title, venue: 'Test Hall', shows: [{ date, startsAt: `${date}T10:00:00.000Z`, seats: [{ from: 1, to: seats, grade: 'R', price: 1000 }] }] }
  })
  if (r.status !== 201) throw new Error(`concert not created: ${r.status} ${r.text}`)
  return { concertId: r.body.id as string, date }
}

const current = (instance: Instance, userId: string, token: string): Promise<Reply> =>
  call(instance.url, 'GET', '/queue/tokens/current', { headers: admitted(userId, token) })

describe('idle slots, sold out and the draw across two instances (QUEUE_MAX_ACTIVE=1, QUEUE_IDLE_TIMEOUT_SECONDS=3)', () => {
  let cluster: Cluster
  let a: Instance
  let b: Instance
  beforeAll(async () => {
    cluster = await startCluster({ label: 'room', env: { QUEUE_MAX_ACTIVE: '1', QUEUE_IDLE_TIMEOUT_SECONDS: '3', LOG_LEVEL: 'info' } })
    ;[a, b] = cluster.instances
  }, 120_000)
  afterAll(async () => { await cluster?.close() })

  it('hands an idle slot on to the next in line, while requests or an open stream keep a slot busy', { timeout: 90_000 }, async () => {
    const { concertId, date } = await newConcert(a.url, 'Idle', 5)
    const first = await joinQueue(a.url, 'idle-a', concertId)
    const second = await joinQueue(b.url, 'idle-b', concertId)
    const third = await joinQueue(a.url, 'idle-c', concertId)
    expect([first.body.status, second.body.status, third.body.position]).toEqual(['ACTIVE', 'WAITING', 2])
    const seats = (instance: Instance): Promise<Reply> =>
      call(instance.url, 'GET', `/concerts/${date}/seats?concertId=${concertId}`, { headers: admitted('idle-a', first.body.token as string) })

    // Requests on either instance for twice the idle timeout: the slot stays with idle-a.
    for (let i = 0; i < 12; i++) {
      expect((await seats(i % 2 ? a : b)).status).toBe(200)
      expect((await current(i % 2 ? b : a, 'idle-b', second.body.token as string)).body.status).toBe('WAITING')
      await sleep(500)
    }
    // idle-a closes the tab: idle-b is admitted once the idle timeout has passed, and idle-a's token is refused.
    await waitUntil(async () => (await current(a, 'idle-b', second.body.token as string)).body.status === 'ACTIVE', 20_000, () => 'idle-b was never admitted')
    expect((await seats(b)).status).toBe(410)
    expect((await current(b, 'idle-c', third.body.token as string)).body).toMatchObject({ status: 'WAITING', position: 1 })

    // An open stream is activity too: idle-b sends nothing for twice the timeout and keeps the slot.
    const stream = await openEventStream(`${b.url}/queue/tokens/current/events`, admitted('idle-b', second.body.token as string))
    try {
      for (let i = 0; i < 6; i++) {
        await sleep(1000)
        expect((await current(a, 'idle-c', third.body.token as string)).body.status).toBe('WAITING')
      }
    } finally {
      stream.close()
    }
    await waitUntil(async () => (await current(b, 'idle-c', third.body.token as string)).body.status === 'ACTIVE', 20_000, () => 'idle-c was never admitted')
  })

  it('closes a sold-out room (waiting fans told SOLD_OUT, their streams end, new joins 409) and reopens it when a seat comes back', { timeout: 90_000 }, async () => {
    const { concertId, date } = await newConcert(a.url, 'Sold out', 1)
    const buyer = await joinQueue(a.url, 'so-buyer', concertId)
    const waiter = await joinQueue(b.url, 'so-waiter', concertId)
    expect([buyer.body.status, waiter.body.status]).toEqual(['ACTIVE', 'WAITING'])
    const waiterToken = waiter.body.token as string
    const stream = await openEventStream(`${b.url}/queue/tokens/current/events`, admitted('so-waiter', waiterToken))
    try {
      const hold = await call(a.url, 'POST', '/reservations', { headers: admitted('so-buyer', buyer.body.token as string), body: { date, seatNo: 1, concertId } })
      expect(hold.status, hold.text).toBe(201)
      expect((await call(b.url, 'POST', '/users/so-buyer/points/charge', { headers: bearer('so-buyer'), body: { amount: 1000 } })).status).toBe(200)
      const paid = await call(b.url, 'POST', `/reservations/${hold.body.id as string}/pay`, { headers: bearer('so-buyer') })
      expect(paid.status, paid.text).toBe(200)

      const soldOut = await stream.next(e => (e.data as { status?: string }).status === 'SOLD_OUT', 10_000)
      expect(soldOut.data).toMatchObject({ status: 'SOLD_OUT', position: 1, soldOutLikely: true })
    } finally {
      stream.close()
    }
    expect((await current(a, 'so-waiter', waiterToken)).body).toMatchObject({ status: 'SOLD_OUT', position: 1 })
    const late = await joinQueue(a.url, 'so-late', concertId)
    expect([late.status, late.body.code]).toEqual([409, 'SOLD_OUT'])

    // The seat comes back, as a refund returns it: the room reopens and the waiting fan is admitted.
    const sql = await cluster.sql()
    try {
      await sql.query("UPDATE seats s JOIN shows h ON h.id = s.show_id SET s.status = 'AVAILABLE', s.user_id = NULL, s.reservation_id = NULL, s.held_until = NULL WHERE h.concert_id = ?", [Number(concertId)])
    } finally {
      await sql.end()
    }
    await waitUntil(async () => (await current(b, 'so-waiter', waiterToken)).body.status === 'ACTIVE', 20_000, () => 'the room did not reopen')
    expect((await joinQueue(a.url, 'so-late', concertId)).status).toBe(201)
  })

  it('draws the pre-queue at salesOpenAt in one order for both instances, verifiable from the public route alone, and never shows the seed before', { timeout: 90_000 }, async () => {
    const { concertId, date } = await newConcert(a.url, 'Drawn', 10)
    const opensAt = Date.now() + 8000
    const sql = await cluster.sql()
    try {
      await sql.query('UPDATE concerts SET sales_open_at = ? WHERE id = ?', [opensAt, Number(concertId)])
    } finally {
      await sql.end()
    }
    const seenBefore: string[] = []
    const draw = async (instance: Instance): Promise<Reply> => {
      const r = await call(instance.url, 'GET', `/concerts/${concertId}/draw`)
      if (r.body.seed === null || r.status !== 200) seenBefore.push(r.text)
      return r
    }
    await waitUntil(async () => (await draw(b)).status === 200, 5000, () => 'the draw route never saw salesOpenAt') // concerts are cached for a second
    const commitment = (await draw(a)).body.drawCommitment as string
    expect((await draw(b)).body).toEqual({ drawCommitment: commitment, seed: null, drawnAt: null, entries: null })

    const fans = Array.from({ length: 6 }, (_, i) => `drawn-${i}`)
    const tickets: Reply[] = []
    for (const [i, fan] of fans.entries()) {
      const r = await joinQueue(i % 2 ? b.url : a.url, fan, concertId)
      seenBefore.push(r.text)
      expect(r.body).toMatchObject({ status: 'PREQUEUE', position: null, drawKey: null })
      tickets.push(r)
    }
    const waitingRoute = await call(a.url, 'GET', `/concerts/${date}/seats`, { headers: admitted('drawn-0', tickets[0].body.token as string) })
    seenBefore.push(waitingRoute.text)
    expect(waitingRoute.body.code).toBe('QUEUE_NOT_ADMITTED')
    for (const [i, fan] of fans.entries()) seenBefore.push((await current(i % 2 ? a : b, fan, tickets[i].body.token as string)).text)

    let asked = 0
    await waitUntil(async () => (await draw(asked++ % 2 ? a : b)).body.seed !== null, 30_000, () => 'the draw did not run')
    const published = (await draw(a)).body as { drawCommitment: string, seed: string, drawnAt: string, entries: string[] }
    expect((await draw(b)).body).toEqual(published)
    // Anyone can check: the seed matches the commitment published before, the keys are sorted, and each is the HMAC of a token id.
    const seed = Buffer.from(published.seed, 'hex')
    expect(seed).toHaveLength(32)
    expect(sha256(seed)).toBe(commitment)
    expect(Date.parse(published.drawnAt)).toBeGreaterThanOrEqual(opensAt)
    expect(published.entries).toEqual([...published.entries].sort())
    const keyOf = (tokenId: string): string => createHmac('sha256', seed).update(tokenId, 'utf8').digest('hex')
    expect([...published.entries].sort()).toEqual(tickets.map(t => keyOf(t.body.tokenId as string)).sort())
    const first = tickets.findIndex(t => keyOf(t.body.tokenId as string) === published.entries[0])
    await waitUntil(async () => (await current(a, fans[first], tickets[first].body.token as string)).body.status === 'ACTIVE', 10_000, () => 'the first drawn was never admitted')
    // Each fan's place follows their key: the lowest one admitted, the others waiting in key order.
    const now = await Promise.all(fans.map((fan, i) => current(i % 2 ? a : b, fan, tickets[i].body.token as string)))
    for (const [i, r] of now.entries()) {
      expect(r.body.drawKey).toBe(keyOf(tickets[i].body.tokenId as string))
      const rank = published.entries.indexOf(r.body.drawKey as string)
      expect(r.body.status === 'ACTIVE' ? 0 : r.body.position).toBe(rank)
    }
    const late = await joinQueue(b.url, 'drawn-late', concertId)
    expect(late.body).toMatchObject({ status: 'WAITING', position: 6, drawKey: null })
    // The seed appeared nowhere before the draw: not in a response, not in a log line.
    for (const text of seenBefore) expect(text).not.toContain(published.seed)
    expect(a.output() + b.output()).not.toContain(published.seed)
  })
})

describe('the rate model across two instances (2 every second, QUEUE_MAX_ACTIVE=5)', () => {
  let cluster: Cluster
  beforeAll(async () => {
    cluster = await startCluster({ label: 'rate', env: { QUEUE_ADMISSION: 'rate', QUEUE_ADMIT_PER_TICK: '2', QUEUE_TICK_SECONDS: '1', QUEUE_MAX_ACTIVE: '5' } })
  }, 120_000)
  afterAll(async () => { await cluster?.close() })

  it('admits in join order, a batch per tick whichever instance ticks, never above QUEUE_MAX_ACTIVE', { timeout: 60_000 }, async () => {
    const [a, b] = cluster.instances
    const { concertId } = await newConcert(a.url, 'Rate', 20)
    const fans = Array.from({ length: 8 }, (_, i) => `rate-${i}`)
    const tokens: string[] = []
    for (const [i, fan] of fans.entries()) {
      const r = await joinQueue(i % 2 ? b.url : a.url, fan, concertId)
      expect(r.body.status).toBe('WAITING') // even with free slots: admission waits for the tick
      tokens.push(r.body.token as string)
    }
    const statuses = async (): Promise<string[]> =>
      (await Promise.all(fans.map((fan, i) => current(i % 2 ? a : b, fan, tokens[i])))).map(r => r.body.status as string)
    let samples = 0
    await waitUntil(async () => {
      const now = await statuses()
      samples++
      expect(now.filter(s => s === 'ACTIVE').length).toBeLessThanOrEqual(5)
      return now.filter(s => s === 'ACTIVE').length === 5
    }, 20_000, () => 'five fans were never admitted', 150)
    expect(samples).toBeGreaterThan(1)
    expect(await statuses()).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'WAITING', 'WAITING', 'WAITING'])
    await sleep(2500) // more ticks pass: still capped
    expect((await statuses()).filter(s => s === 'ACTIVE')).toHaveLength(5)
  })
})

describe('the embedded mode across a restart (SQLite file, no JWT_SECRET)', () => {
  let dir: string
  let instance: Instance | undefined
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'concert-embedded-')) })
  afterAll(async () => { await instance?.kill(); rmSync(dir, { recursive: true, force: true }) })

  it('keeps the sign-ins, the ACTIVE fan\'s token and every waiting fan\'s place after the process is killed and started again', { timeout: 120_000 }, async () => {
    const file = join(dir, 'data', 'concert.db')
    const env = { DATABASE_URL: `sqlite:${file}`, QUEUE_MAX_ACTIVE: '1', JWT_SECRET: '', REDIS_URL: '' }
    instance = await startInstance('embedded-1', env)
    const { concertId, dates } = await demoDates(instance.url)
    const signIn = async (url: string, userId: string): Promise<Record<string, string>> => {
      const r = await call(url, 'POST', '/auth/token', { body: { userId } })
      expect(r.status, r.text).toBe(200)
      return { authorization: `Bearer ${r.body.accessToken as string}` }
    }
    const fans = ['emb-a', 'emb-b', 'emb-c']
    const bearers = await Promise.all(fans.map(f => signIn(instance!.url, f)))
    const tickets: Reply[] = []
    for (const [i] of fans.entries()) tickets.push(await call(instance.url, 'POST', '/queue/tokens', { headers: bearers[i], body: { concertId } }))
    expect(tickets.map(t => `${t.body.status as string}:${t.body.position as number}`)).toEqual(['ACTIVE:0', 'WAITING:1', 'WAITING:2'])
    expect(statSync(`${file}.secret`).mode & 0o777).toBe(0o600)

    // The queue is written behind in batches: wait until the file has all three, then crash.
    await waitUntil(async () => {
      const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true })
      try { return (db.prepare('select count(*) as n from queue_entries').get() as { n: number }).n === 3 } finally { db.close() }
    }, 10_000, () => 'the queue never reached the database file')
    await instance.kill()

    instance = await startInstance('embedded-2', env)
    const headers = (i: number): Record<string, string> => ({ ...bearers[i], 'queue-token': tickets[i].body.token as string })
    const seats = await call(instance.url, 'GET', `/concerts/${dates[0]}/seats`, { headers: headers(0) })
    expect(seats.status, seats.text).toBe(200)
    const after = await Promise.all([1, 2].map(i => call(instance!.url, 'GET', '/queue/tokens/current', { headers: headers(i) })))
    expect(after.map(r => [r.status, r.body.status, r.body.position, r.body.token])).toEqual([
      [200, 'WAITING', 1, tickets[1].body.token], [200, 'WAITING', 2, tickets[2].body.token]
    ])
    const newcomer = await call(instance.url, 'POST', '/queue/tokens', { headers: await signIn(instance.url, 'emb-d'), body: { concertId } })
    expect(newcomer.body).toMatchObject({ status: 'WAITING', position: 3 })
  })
})

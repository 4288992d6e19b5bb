// Two real instances on one MariaDB + Redis (nginx in front when installed): seats, money and live events hold across instances.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readBooks } from '../support/books.js'
import { startCluster, type Cluster } from '../support/cluster.js'
import { admitted, bearer, call, demoDates, joinQueue, type Reply } from '../support/http-client.js'
import { ROOT, type Instance } from '../support/instances.js'
import { findNginx, startNginx, testNginxConfig, type Nginx } from '../support/nginx.js'
import { freePort, waitUntil } from '../support/ports.js'
import { openEventStream } from '../support/sse-client.js'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

let cluster: Cluster
let a: Instance
let b: Instance
let concertId: string
let dates: string[]
/** Instance A for even i, B for odd i: traffic split evenly and interleaved. */
const on = (i: number): string => (i % 2 === 0 ? a : b).url

beforeAll(async () => {
  cluster = await startCluster({ label: 'multi', env: { QUEUE_MAX_ACTIVE: '1000' } })
  ;[a, b] = cluster.instances
  ;({ concertId, dates } = await demoDates(a.url))
}, 120_000)

afterAll(async () => { await cluster?.close() })

/**
 * Joins the queue through `baseUrl` and returns the headers of an admitted user (ACTIVE at once while
 * slots are free; polled like a client would, should it not be).
 */
async function admit (baseUrl: string, userId: string): Promise<Record<string, string>> {
  const ticket = await joinQueue(baseUrl, userId, concertId)
  expect(ticket.status, ticket.text).toBe(201)
  const headers = admitted(userId, ticket.body.token as string)
  if (ticket.body.status !== 'ACTIVE') {
    await waitUntil(async () => (await call(baseUrl, 'GET', '/queue/tokens/current', { headers })).body.status === 'ACTIVE',
      3000, () => `${userId} was not admitted although slots are free`, 50)
  }
  return headers
}

const codes = (replies: Reply[]): Record<string, number> =>
  replies.reduce<Record<string, number>>((acc, r) => { const k = `${r.status} ${r.body?.code ?? ''}`.trim(); acc[k] = (acc[k] ?? 0) + 1; return acc }, {})

describe('two instances on one MySQL and Redis', () => {
  it('a seat raced by 100 admitted users through both instances has exactly one winner', async () => {
    const users = Array.from({ length: 100 }, (_, i) => `race-${i}`)
    const headers = await Promise.all(users.map((u, i) => admit(on(i), u)))
    const replies = await Promise.all(users.map((_, i) =>
      call(on(i), 'POST', '/reservations', { headers: headers[i], body: { date: dates[0], seatNo: 7 } })))

    expect(codes(replies)).toEqual({ 201: 1, '409 SEAT_UNAVAILABLE': 99 })
    const winner = replies.findIndex(r => r.status === 201)
    expect(replies[winner].body).toMatchObject({ userId: users[winner], seatNo: 7, status: 'HELD', date: dates[0] })
    // Both instances see the seat taken, and MySQL has one hold for it.
    for (const instance of [a, b]) {
      const seats = await call(instance.url, 'GET', `/concerts/${dates[0]}/seats`, { headers: headers[winner] })
      expect(seats.body.seats.find((s: { seatNo: number }) => s.seatNo === 7).status).toBe('HELD')
    }
    const conn = await cluster.sql()
    const [rows] = await conn.query("SELECT user_id FROM reservations WHERE seat_no = 7 AND show_date = ? AND status = 'HELD'", [dates[0]])
    await conn.end()
    expect(rows).toEqual([{ user_id: users[winner] }])
  }, 60_000)

  // A join re-reads its entry after admission, so a token admitted by another instance's tick reads ACTIVE.
  it('100 users joining at once through both instances while 1000 slots are free are all ACTIVE at once', async () => {
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => joinQueue(on(i), `burst-${i}`, concertId)))
    expect(codes(replies)).toEqual({ 201: 100 })
    expect(replies.filter(r => r.body.status !== 'ACTIVE').map(r => `${r.body.status as string}:${r.body.position as number}`)).toEqual([])
  })

  it('a seat held and then paid through instance B reaches a seat stream open on instance A', async () => {
    const watcher = await admit(a.url, 'watcher-1')
    const stream = await openEventStream(`${a.url}/concerts/${dates[1]}/seats/events`, watcher)
    expect(stream.status).toBe(200)
    try {
      await new Promise(resolve => setTimeout(resolve, 300)) // A subscribes to the show's channel as the stream opens
      const buyer = await admit(b.url, 'buyer-1')
      expect((await call(b.url, 'POST', '/users/buyer-1/points/charge', { headers: bearer('buyer-1'), body: { amount: 500_000 } })).status).toBe(200)
      const held = await call(b.url, 'POST', '/reservations', { headers: buyer, body: { date: dates[1], seatNo: 12 } })
      expect(held.status, held.text).toBe(201)
      await stream.next(e => (e.data as { seatNo: number, status: string }).seatNo === 12 && (e.data as { status: string }).status === 'HELD')

      const paid = await call(b.url, 'POST', `/reservations/${held.body.id as string}/pay`, { headers: bearer('buyer-1') })
      expect(paid.status, paid.text).toBe(200)
      const sold = await stream.next(e => (e.data as { status: string }).status === 'SOLD')
      // Who holds a seat is never revealed: the event is the seat, its section, its status and the show's version only.
      expect(sold.data).toEqual({ seatNo: 12, section: 'R', status: 'SOLD', version: expect.any(Number) })
    } finally {
      stream.close()
    }
  })

  it('a seat map already in memory on instance A follows a hold made on B, and both give the same version and ETag', async () => {
    const viewer = await admit(a.url, 'map-viewer-1')
    const viewerOnB = await admit(b.url, 'map-viewer-2')
    const section = `/concerts/${dates[2]}/seats?section=VIP`
    const before = await call(a.url, 'GET', section, { headers: viewer })
    expect(before.status, before.text).toBe(200)
    const buyer = await admit(b.url, 'map-buyer-1')
    expect((await call(b.url, 'POST', '/reservations', { headers: buyer, body: { date: dates[2], seatNo: 3 } })).status).toBe(201)
    // A learns it from B's seat event (no timing asserted: it only has to arrive).
    await waitUntil(async () => (await call(a.url, 'GET', section, { headers: viewer })).body.seats[2].status === 'HELD',
      5000, () => 'instance A\'s seat map never showed the hold made on B', 20)
    const [onA, onB] = await Promise.all([call(a.url, 'GET', section, { headers: viewer }), call(b.url, 'GET', section, { headers: viewerOnB })])
    expect(onA.body.version).toBe((before.body as { version: number }).version + 1)
    expect(onB.body.version).toBe(onA.body.version)
    expect(onB.headers.get('etag')).toBe(onA.headers.get('etag'))
    expect((await call(b.url, 'GET', section, { headers: { ...viewerOnB, 'if-none-match': onA.headers.get('etag') ?? '' } })).status).toBe(304)
  })

  it('50 concurrent charges split across both instances add up to the exact sum', async () => {
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      call(on(i), 'POST', '/users/saver-1/points/charge', { headers: bearer('saver-1'), body: { amount: 1_234 } })))
    expect(codes(replies)).toEqual({ 200: 50 })
    for (const instance of [a, b]) {
      expect((await call(instance.url, 'GET', '/users/saver-1/points', { headers: bearer('saver-1') })).body.balance).toBe(50 * 1_234)
    }
    // Each charge saw a distinct balance: no two read-modify-writes overlapped.
    expect(new Set(replies.map(r => r.body.balance)).size).toBe(50)
    const history = await call(a.url, 'GET', '/users/saver-1/points/history?limit=100', { headers: bearer('saver-1') })
    expect(history.body.items).toHaveLength(50)
  })

  it('one Idempotency-Key sent at once to both instances charges once, and every reply is the same', async () => {
    const headers = { ...bearer('idem-charger'), 'idempotency-key': 'charge-once-42' }
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      call(on(i), 'POST', '/users/idem-charger/points/charge', { headers, body: { amount: 7_000 } })))
    expect(codes(replies)).toEqual({ 200: 12 })
    expect(new Set(replies.map(r => r.text))).toEqual(new Set([JSON.stringify({ userId: 'idem-charger', balance: 7_000 })]))
    const history = await call(b.url, 'GET', '/users/idem-charger/points/history', { headers: bearer('idem-charger') })
    expect(history.body.items).toHaveLength(1)
    // The same key with another amount is refused, on either instance.
    const reused = await call(b.url, 'POST', '/users/idem-charger/points/charge', { headers, body: { amount: 8_000 } })
    expect(reused.status).toBe(422)
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED')
  })

  it('one Idempotency-Key payment sent at once to both instances pays once, and every reply is the same', async () => {
    const user = 'idem-payer'
    const headers = await admit(b.url, user)
    expect((await call(a.url, 'POST', `/users/${user}/points/charge`, { headers: bearer(user), body: { amount: 400_000 } })).status).toBe(200)
    const held = await call(a.url, 'POST', '/reservations', { headers, body: { date: dates[2], seatNo: 30 } })
    expect(held.status, held.text).toBe(201)
    const pay = { ...bearer(user), 'idempotency-key': `pay-${held.body.id as string}` }
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => call(on(i), 'POST', `/reservations/${held.body.id as string}/pay`, { headers: pay })))
    expect(codes(replies)).toEqual({ 200: 12 })
    expect(new Set(replies.map(r => r.text)).size).toBe(1)
    expect(replies[0].body).toMatchObject({ reservationId: held.body.id, amount: held.body.price, balance: 400_000 - (held.body.price as number), status: 'CONFIRMED' })
    expect((await call(b.url, 'GET', `/users/${user}/points`, { headers: bearer(user) })).body.balance).toBe(400_000 - (held.body.price as number))
    // Without the key, a second payment is refused as such.
    const again = await call(b.url, 'POST', `/reservations/${held.body.id as string}/pay`, { headers: bearer(user) })
    expect(again.body.code).toBe('ALREADY_PAID')
    const conn = await cluster.sql()
    const [payments] = await conn.query('SELECT COUNT(*) AS n FROM payments WHERE reservation_id = ?', [Number(held.body.id)])
    const [uses] = await conn.query("SELECT COUNT(*) AS n FROM point_history WHERE user_id = ? AND type = 'USE'", [user])
    await conn.end()
    expect(payments).toEqual([{ n: 1 }])
    expect(uses).toEqual([{ n: 1 }])
  })

  it('the books balance in MySQL after all of the above', async () => {
    const conn = await cluster.sql()
    const books = await readBooks(conn)
    await conn.end()
    expect(books.charged - books.used + books.refunded).toBe(books.balances)
    expect(books.payments).toBe(2)
    expect(books).toMatchObject({ soldWithoutOneSale: 0, paymentsNotConfirmed: 0, useRows: books.payments, used: books.paymentSum, sold: books.payments })
  })
})

const nginxBin = findNginx()
if (!nginxBin) {
  // .ci/run installs nginx (Debian's nginx-light); a developer machine without it skips this part.
  console.warn('nginx is not installed: skipping the tests through nginx (apt-get install -y nginx-light)')
}

describe.skipIf(!nginxBin)('nginx in front of both instances', () => {
  let nginx: Nginx

  beforeAll(async () => {
    nginx = (await startNginx([a.port, b.port]))!
  }, 30_000)
  afterAll(async () => { await nginx?.stop() })

  it('nginx -t accepts deploy/nginx.local.conf as it is (the runbook\'s command)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'concert-nginx-local-'))
    try {
      const checked = testNginxConfig(nginxBin!, dir, join(ROOT, 'deploy/nginx.local.conf'))
      expect(checked.status, checked.output).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('nginx -t accepts deploy/nginx.conf (the compose one) with its upstream names pointed here', async () => {
    const port = await freePort()
    const dir = mkdtempSync(join(tmpdir(), 'concert-nginx-compose-'))
    try {
      const config = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8')
        .replace(/^user nginx;$/m, '') // the nginx image has that user, Debian does not
        .replace('pid /var/run/nginx.pid;', 'pid nginx.pid;')
        .replace('/var/log/nginx/access.log', 'logs/access.log')
        .replace('app1:3000', `127.0.0.1:${a.port}`)
        .replace('app2:3000', `127.0.0.1:${b.port}`)
        .replace('listen 80;', `listen 127.0.0.1:${port};`)
      writeFileSync(join(dir, 'nginx.conf'), config)
      const checked = testNginxConfig(nginxBin!, dir, join(dir, 'nginx.conf'))
      expect(checked.status, checked.output).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('spreads requests over both instances', async () => {
    const count = async (instance: Instance): Promise<number> => {
      const text = (await call(instance.url, 'GET', '/metrics')).text
      const m = /^http_request_duration_seconds_count\{[^}]*route="\/concerts\/dates"[^}]*status="200"[^}]*\} (\d+)/m.exec(text)
      return m ? Number(m[1]) : 0
    }
    const before = [await count(a), await count(b)]
    const replies = await Promise.all(Array.from({ length: 20 }, () => call(nginx.url, 'GET', '/concerts/dates')))
    expect(codes(replies)).toEqual({ 200: 20 })
    const after = [await count(a), await count(b)]
    expect(after[0] - before[0]).toBeGreaterThan(0)
    expect(after[1] - before[1]).toBeGreaterThan(0)
    expect(after[0] - before[0] + after[1] - before[1]).toBe(20)
  })

  it('passes the x-request-id through, or makes one up', async () => {
    const given = await call(nginx.url, 'GET', '/concerts', { headers: { 'x-request-id': 'trace-abc-123' } })
    expect(given.headers.get('x-request-id')).toBe('trace-abc-123')
    const made = await call(nginx.url, 'GET', '/health')
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/)
    const problem = await call(nginx.url, 'GET', '/reservations/1', { headers: { 'x-request-id': 'trace-def-456' } })
    expect(problem.status).toBe(401)
    expect(problem.body.requestId).toBe('trace-def-456')
  })

  it('streams queue and seat events through nginx without buffering them', async () => {
    const watcher = await admit(nginx.url, 'nginx-watcher')
    const queue = await openEventStream(`${nginx.url}/queue/tokens/current/events`, watcher)
    const seats = await openEventStream(`${nginx.url}/concerts/${dates[2]}/seats/events`, watcher)
    try {
      expect(queue.status).toBe(200)
      expect((await queue.next(() => true, 2000)).data).toMatchObject({ status: 'ACTIVE', position: 0 })
      await new Promise(resolve => setTimeout(resolve, 300))
      const holder = await admit(a.url, 'nginx-holder')
      const held = await call(b.url, 'POST', '/reservations', { headers: holder, body: { date: dates[2], seatNo: 41 } })
      expect(held.status, held.text).toBe(201)
      expect((await seats.next(() => true, 3000)).data).toEqual({ seatNo: 41, section: 'S', status: 'HELD', version: expect.any(Number) })
    } finally {
      queue.close()
      seats.close()
    }
  })

  it('keeps answering when an instance dies: GETs and POSTs go to the one left', async () => {
    await b.kill()
    const reads = await Promise.all(Array.from({ length: 10 }, () => call(nginx.url, 'GET', '/concerts/dates')))
    expect(codes(reads)).toEqual({ 200: 10 })
    // A POST that never reached the dead instance (connection refused) is passed on, once.
    const charges = await Promise.all(Array.from({ length: 10 }, () =>
      call(nginx.url, 'POST', '/users/nginx-saver/points/charge', { headers: bearer('nginx-saver'), body: { amount: 100 } })))
    expect(codes(charges)).toEqual({ 200: 10 })
    expect((await call(nginx.url, 'GET', '/users/nginx-saver/points', { headers: bearer('nginx-saver') })).body.balance).toBe(1_000)
  })
})

// Orders across two real instances on one MariaDB + Redis: best-available rushes, group holds, pays and refunds — the books hold.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readBooks } from '../support/books.js'
import { startCluster, type Cluster } from '../support/cluster.js'
import { admitted, bearer, call, demoDates, joinQueue, type Reply } from '../support/http-client.js'
import type { Instance } from '../support/instances.js'
import { waitUntil } from '../support/ports.js'
import { sleep } from '../support/ports.js'

let cluster: Cluster
let a: Instance
let b: Instance
let concertId: string
let dates: string[]
/** Instance A for even i, B for odd i. */
const on = (i: number): string => (i % 2 === 0 ? a : b).url

beforeAll(async () => {
  cluster = await startCluster({ label: 'orders', env: { QUEUE_MAX_ACTIVE: '1000', MAX_HOLDS_PER_USER: '4' } })
  ;[a, b] = cluster.instances
  ;({ concertId, dates } = await demoDates(a.url))
}, 120_000)

afterAll(async () => { await cluster?.close() })

async function admit (baseUrl: string, userId: string): Promise<Record<string, string>> {
  const ticket = await joinQueue(baseUrl, userId, concertId)
  expect([200, 201], ticket.text).toContain(ticket.status)
  const headers = admitted(userId, ticket.body.token as string)
  if (ticket.body.status !== 'ACTIVE') {
    await waitUntil(async () => (await call(baseUrl, 'GET', '/queue/tokens/current', { headers })).body.status === 'ACTIVE', 3000, () => `${userId} not admitted`, 50)
  }
  return headers
}

const codes = (replies: Reply[]): Record<string, number> =>
  replies.reduce<Record<string, number>>((acc, r) => { const k = `${r.status} ${r.status === 201 || r.status === 200 ? '' : String(r.body?.code ?? '')}`.trim(); acc[k] = (acc[k] ?? 0) + 1; return acc }, {})

async function expectBooks (): Promise<void> {
  const conn = await cluster.sql()
  const books = await readBooks(conn)
  await conn.end()
  expect(books.charged - books.used + books.refunded).toBe(books.balances)
  expect(books).toMatchObject({ soldWithoutOneSale: 0, paymentsNotConfirmed: 0, useRows: books.payments, used: books.paymentSum })
}

describe('orders on two instances', () => {
  it('100 fans asking both instances for 2 best-available seats of the 50-seat show at once: exactly 25 win, side by side, no seat twice', async () => {
    const fans = Array.from({ length: 100 }, (_, i) => `pair-${i}`)
    const headers = await Promise.all(fans.map((u, i) => admit(on(i), u)))
    const replies = await Promise.all(fans.map((_, i) => call(on(i), 'POST', '/reservations', { headers: headers[i], body: { date: dates[0], quantity: 2 } })))
    expect(codes(replies)).toEqual({ 201: 25, '409 SEAT_UNAVAILABLE': 75 })
    const won = replies.filter(r => r.status === 201).map(r => r.body as { seatNos: number[], seats: Array<{ section: string, row: string }> })
    expect(new Set(won.flatMap(o => o.seatNos)).size).toBe(50)
    for (const o of won) {
      expect(o.seatNos[1] - o.seatNos[0]).toBe(1)
      expect(`${o.seats[0].section}/${o.seats[0].row}`).toBe(`${o.seats[1].section}/${o.seats[1].row}`)
    }
    const conn = await cluster.sql()
    const [rows] = await conn.query("SELECT COUNT(*) AS n FROM seats s JOIN shows sh ON sh.id = s.show_id WHERE sh.show_date = ? AND sh.concert_id = ? AND s.status = 'HELD'", [dates[0], Number(concertId)])
    await conn.end()
    expect(rows).toEqual([{ n: 50 }])
  }, 60_000)

  it('overlapping group holds, pays and refunds through both instances keep every seat in one order and the money exact', async () => {
    const users = Array.from({ length: 24 }, (_, i) => `grp-${i}`)
    await Promise.all(users.map((u, i) => call(on(i), 'POST', `/users/${u}/points/charge`, { headers: bearer(u), body: { amount: 1_000_000 } })))
    const headers = await Promise.all(users.map((u, i) => admit(on(i + 1), u)))
    // Blocks of 2–3 seats in seats 11–30, every one overlapping its neighbours.
    const holds = await Promise.all(users.map((_, i) => call(on(i), 'POST', '/reservations', {
      headers: headers[i], body: { date: dates[1], seatNos: Array.from({ length: 2 + (i % 2) }, (_, k) => 11 + ((i * 3 + k) % 20)) }
    })))
    const won = holds.map((r, i) => ({ r, i })).filter(({ r }) => r.status === 201)
    expect(won.length).toBeGreaterThan(0)
    expect(holds.filter(r => r.status !== 201).every(r => r.body.code === 'SEAT_UNAVAILABLE' && Array.isArray(r.body.unavailable))).toBe(true)
    const claimed = won.flatMap(({ r }) => r.body.seatNos as number[])
    expect(new Set(claimed).size).toBe(claimed.length)
    // Pay every order through the other instance, then refund half of them through both at once, twice over.
    const pays = await Promise.all(won.map(({ r, i }) => call(on(i + 1), 'POST', `/reservations/${r.body.id as string}/pay`, { headers: bearer(users[i]) })))
    expect(codes(pays)).toEqual({ 200: won.length })
    const refunding = won.filter((_, k) => k % 2 === 0)
    const refunds = await Promise.all(refunding.flatMap(({ r, i }) => [0, 1].map(side => call(on(i + side), 'POST', `/reservations/${r.body.id as string}/refund`, { headers: bearer(users[i]) }))))
    expect(codes(refunds)).toEqual({ 200: refunding.length, '409 ALREADY_REFUNDED': refunding.length })
    await expectBooks()
  }, 60_000)

  it('seats refunded through one instance can be held through the other at once', async () => {
    const user = 'refund-across'
    await call(a.url, 'POST', `/users/${user}/points/charge`, { headers: bearer(user), body: { amount: 1_000_000 } })
    const held = await call(a.url, 'POST', '/reservations', { headers: await admit(a.url, user), body: { date: dates[2], seatNos: [41, 42] } })
    expect(held.status, held.text).toBe(201)
    expect((await call(a.url, 'POST', `/reservations/${held.body.id as string}/pay`, { headers: bearer(user) })).status).toBe(200)
    expect((await call(a.url, 'POST', `/reservations/${held.body.id as string}/refund`, { headers: bearer(user) })).status).toBe(200)
    const again = await call(b.url, 'POST', '/reservations', { headers: await admit(b.url, 'after-refund'), body: { date: dates[2], seatNos: [41, 42] } })
    expect(again.status, again.text).toBe(201)
    await expectBooks()
  })

  // Issue 9 item 8 across instances: the refused attempt runs on A, the buyers come through B.
  it('a user at the hold limit asking A for seat 23 never keeps 10 buyers on B from it', async () => {
    const full = await admit(a.url, 'limit-a')
    expect((await call(a.url, 'POST', '/reservations', { headers: full, body: { date: dates[2], seatNos: [1, 2, 3, 4] } })).status).toBe(201)
    const buyers = await Promise.all(Array.from({ length: 10 }, (_, i) => admit(b.url, `buyer-b-${i}`)))
    const lock = await cluster.sql()
    await lock.query('START TRANSACTION')
    await lock.query('SELECT id FROM users WHERE id = ? FOR UPDATE', ['limit-a'])
    const refused = call(a.url, 'POST', '/reservations', { headers: full, body: { date: dates[2], seatNo: 23 } })
    await sleep(150) // A's attempt is in flight, waiting for the user's row
    const bought = Promise.all(buyers.map(headers => call(b.url, 'POST', '/reservations', { headers, body: { date: dates[2], seatNo: 23 } })))
    await sleep(100)
    await lock.query('ROLLBACK')
    await lock.end()
    expect((await refused).body.code).toBe('HOLD_LIMIT_REACHED')
    expect(codes(await bought)).toEqual({ 201: 1, '409 SEAT_UNAVAILABLE': 9 })
  })
})

// Races of orders through the whole app: best-available rushes, group holds, cancels, pays and refunds at once — no seat twice, money conserved.

import { createConnection } from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SeatRange } from '../../src/modules/concerts/concert.js'
import { dateOf } from '../../src/shared/dates.js'
import { APP_BACKENDS, buildTestApp, type TestApp } from '../support/app.js'
import { charge, countBy, joinQueue } from '../support/journey.js'
import { sleep } from '../support/ports.js'

const DAY = 24 * 3600_000
let shows = 0

/** Rows of `perRow` seats numbered on from 1; the first half of the rows in section A, the rest in B. */
const rowsOf = (rows: number, perRow: number, price = 10_000): SeatRange[] => Array.from({ length: rows }, (_, i) => ({
  from: i * perRow + 1, to: (i + 1) * perRow, grade: i < rows / 2 ? 'A' : 'B', price, section: i < rows / 2 ? 'A' : 'B', row: String(i + 1)
}))

/** A small deterministic random source, so a failing mix can be replayed. */
function random (seed: number): () => number {
  let s = seed
  return () => { s = (s * 1_103_515_245 + 12_345) % 2_147_483_648; return s / 2_147_483_648 }
}

interface Order { id: string, userId: string, seatNos: number[], price: number, status: string, heldUntil: string }

describe.each(APP_BACKENDS)('order races on %s', (backend) => {
  let t: TestApp
  beforeAll(async () => { t = await buildTestApp(backend, { QUEUE_MAX_ACTIVE: '10000', MAX_HOLDS_PER_USER: '4', MAX_BALANCE: '1000000000' }) })
  afterAll(async () => { await t.close() })

  async function givenShow (ranges: SeatRange[], noSingleSeatGaps = false): Promise<{ concertId: string, date: string }> {
    const startsAt = Date.now() + 30 * DAY
    const date = dateOf(startsAt)
    const { concert } = await t.deps.ports.concerts.createConcert({ title: `Race ${++shows}`, venue: 'Hall', shows: [{ date, startsAt, seats: ranges, noSingleSeatGaps }] }, Date.now())
    return { concertId: String(concert.id), date }
  }
  const admit = async (userId: string, concertId: string) => (await joinQueue(t, userId, concertId)).headers
  const seatMap = async (headers: Record<string, string>, date: string) =>
    new Map(((await t.req('GET', `/concerts/${date}/seats`, { headers })).json().seats as Array<{ seatNo: number, status: string }>).map(s => [s.seatNo, s.status]))
  const ordersOf = async (userId: string): Promise<Order[]> => (await t.req('GET', `/users/${userId}/reservations`, { headers: t.as(userId) })).json().reservations

  /**
   * The books agree: every SOLD seat is in exactly one CONFIRMED order, every HELD seat in exactly one live
   * hold, no AVAILABLE seat in either; and for every user, charges − uses + refunds = balance.
   */
  async function expectBooksAgree (users: string[], concertId: string, date: string, ranges: SeatRange[]): Promise<void> {
    const map = await seatMap(await admit(`auditor-${shows}`, concertId), date)
    const sold = new Map<number, string[]>()
    const held = new Map<number, string[]>()
    for (const userId of users) {
      for (const o of await ordersOf(userId)) {
        const into = o.status === 'CONFIRMED' ? sold : o.status === 'HELD' ? held : null
        for (const n of o.seatNos) into?.set(n, [...(into.get(n) ?? []), o.id])
      }
      const history = (await t.req('GET', `/users/${userId}/points/history?limit=100`, { headers: t.as(userId) })).json().items as Array<{ type: string, amount: number }>
      const sum = (type: string) => history.filter(h => h.type === type).reduce((a, h) => a + h.amount, 0)
      const balance = (await t.req('GET', `/users/${userId}/points`, { headers: t.as(userId) })).json().balance
      expect(sum('CHARGE') - sum('USE') + sum('REFUND'), `money of ${userId}`).toBe(balance)
    }
    const seatNos = ranges.flatMap(r => Array.from({ length: r.to - r.from + 1 }, (_, i) => r.from + i))
    for (const n of seatNos) {
      const status = map.get(n)
      expect(sold.get(n)?.length ?? 0, `seat ${n} in confirmed orders`).toBe(status === 'SOLD' ? 1 : 0)
      expect(held.get(n)?.length ?? 0, `seat ${n} in live holds`).toBe(status === 'HELD' ? 1 : 0)
    }
  }

  it('200 fans asking for 2 best-available seats of a 100-seat show at once: exactly 50 win, no seat twice, every order side by side, no lone seat', async () => {
    const ranges = rowsOf(10, 10)
    const { concertId, date } = await givenShow(ranges)
    const fans = await Promise.all(Array.from({ length: 200 }, (_, i) => admit(`rush-${i}`, concertId)))
    const replies = await Promise.all(fans.map(headers => t.req('POST', '/reservations', { headers, body: { date, quantity: 2 } })))
    expect(countBy(replies, r => `${r.statusCode} ${r.statusCode === 201 ? '' : String(r.json().code)}`.trim())).toEqual({ 201: 50, '409 SEAT_UNAVAILABLE': 150 })
    const won = replies.filter(r => r.statusCode === 201).map(r => r.json() as Order & { seats: Array<{ row: string }> })
    const seats = won.flatMap(o => o.seatNos)
    expect(new Set(seats).size).toBe(100)
    for (const o of won) {
      expect(o.seatNos[1] - o.seatNos[0], `order ${o.id}`).toBe(1)
      expect(o.seats[0].row).toBe(o.seats[1].row)
    }
    const map = await seatMap(fans[0], date)
    expect([...map.values()].every(s => s === 'HELD')).toBe(true)
  }, 60_000)

  it('on a show with noSingleSeatGaps, 60 fans picking 3 seats at once in rows of 8 never leave a lone seat', async () => {
    const ranges = rowsOf(4, 8)
    const { concertId, date } = await givenShow(ranges, true)
    const fans = await Promise.all(Array.from({ length: 60 }, (_, i) => admit(`gapless-${i}`, concertId)))
    const replies = await Promise.all(fans.map((headers, i) => t.req('POST', '/reservations', { headers, body: i % 3 === 0 ? { date, quantity: 2 } : { date, quantity: 3 } })))
    expect(replies.every(r => r.statusCode === 201 || r.json().code === 'SEAT_UNAVAILABLE')).toBe(true)
    const map = await seatMap(fans[0], date)
    for (const r of ranges) {
      const row = Array.from({ length: r.to - r.from + 1 }, (_, i) => map.get(r.from + i) === 'AVAILABLE')
      const lone = row.map((free, i) => free && !row[i - 1] && !row[i + 1]).filter(Boolean)
      expect(lone, `row ${r.row}: ${row.map(f => (f ? '.' : 'x')).join('')}`).toEqual([])
    }
    await expectBooksAgree(fans.map((_, i) => `gapless-${i}`), concertId, date, ranges)
  }, 60_000)

  it('a refund racing a payment and a second refund: exactly one refund wins and the money moves once', async () => {
    const { concertId, date } = await givenShow(rowsOf(1, 10))
    await charge(t, 'racer-refund', 100_000)
    const held = (await t.req('POST', '/reservations', { headers: await admit('racer-refund', concertId), body: { date, seatNos: [1, 2] } })).json()
    expect((await t.req('POST', `/reservations/${String(held.id)}/pay`, { headers: t.as('racer-refund') })).statusCode).toBe(200)
    const bearer = t.as('racer-refund')
    const [r1, p, r2] = await Promise.all([
      t.req('POST', `/reservations/${String(held.id)}/refund`, { headers: bearer }),
      t.req('POST', `/reservations/${String(held.id)}/pay`, { headers: bearer }),
      t.req('POST', `/reservations/${String(held.id)}/refund`, { headers: t.as('boss', 'admin') })
    ])
    expect([r1, r2].map(r => r.statusCode).sort()).toEqual([200, 409])
    expect([r1, r2].find(r => r.statusCode === 409)?.json().code).toBe('ALREADY_REFUNDED')
    expect(['ALREADY_PAID', 'HOLD_EXPIRED']).toContain(p.json().code)
    expect((await t.req('GET', '/users/racer-refund/points', { headers: bearer })).json().balance).toBe(100_000)
    await expectBooksAgree(['racer-refund'], concertId, date, rowsOf(1, 10))
  })

  it('payments and refunds of one held order at once: one payment, at most one refund, the books agree', async () => {
    const { concertId, date } = await givenShow(rowsOf(1, 10))
    await charge(t, 'racer-pay', 100_000)
    const held = (await t.req('POST', '/reservations', { headers: await admit('racer-pay', concertId), body: { date, seatNos: [4, 5] } })).json()
    const bearer = t.as('racer-pay')
    const replies = await Promise.all(['pay', 'refund', 'pay', 'refund'].map(action => t.req('POST', `/reservations/${String(held.id)}/${action}`, { headers: bearer })))
    const [pays, refunds] = [[replies[0], replies[2]], [replies[1], replies[3]]]
    expect(pays.filter(r => r.statusCode === 200)).toHaveLength(1)
    const refunded = refunds.filter(r => r.statusCode === 200).length
    expect(refunded).toBeLessThanOrEqual(1)
    expect(refunds.filter(r => r.statusCode !== 200).every(r => ['RESERVATION_NOT_CONFIRMED', 'ALREADY_REFUNDED'].includes(r.json().code))).toBe(true)
    expect((await t.req('GET', '/users/racer-pay/points', { headers: bearer })).json().balance).toBe(refunded === 1 ? 100_000 : 80_000)
    await expectBooksAgree(['racer-pay'], concertId, date, rowsOf(1, 10))
  })

  it('a mix of concurrent group holds, best-available picks, cancels, pays and refunds never puts a seat in two live orders or sells it twice, and money is conserved', async () => {
    const ranges = rowsOf(4, 10)
    const { concertId, date } = await givenShow(ranges)
    const next = random(backend.length * 7919)
    const users = Array.from({ length: 30 }, (_, i) => `mix-${i}`)
    await Promise.all(users.map(u => charge(t, u, 1_000_000)))
    const order = async (userId: string) => {
      const headers = await admit(userId, concertId)
      const body = next() < 0.5
        ? { date, quantity: 1 + Math.floor(next() * 3) }
        : { date, seatNos: [...new Set(Array.from({ length: 1 + Math.floor(next() * 3) }, () => 1 + Math.floor(next() * 40)))] }
      return t.req('POST', '/reservations', { headers, body })
    }
    for (let round = 0; round < 3; round++) {
      // Everyone orders at once, then acts on what they hold at once, while others order again.
      await Promise.all(users.map(order))
      const actions = await Promise.all(users.map(async (userId) => {
        const bearer = t.as(userId)
        return Promise.all((await ordersOf(userId)).map((o) => {
          const dice = next()
          if (o.status === 'HELD') return t.req(dice < 0.6 ? 'POST' : 'DELETE', dice < 0.6 ? `/reservations/${o.id}/pay` : `/reservations/${o.id}`, { headers: bearer })
          if (o.status === 'CONFIRMED' && dice < 0.4) return t.req('POST', `/reservations/${o.id}/refund`, { headers: bearer })
          return null
        }).concat(next() < 0.5 ? [order(userId)] : []))
      }))
      expect(actions.flat().filter(r => r !== null && r.statusCode >= 500).map(r => r?.body)).toEqual([])
    }
    await expectBooksAgree(users, concertId, date, ranges)
  }, 120_000)

  // Issue 9 item 8: a hold attempt that fails (the user's hold limit) must never turn others away from a seat nobody holds.
  it('a user at the hold limit asking for seat 23 never keeps 10 buyers arriving meanwhile from it: one of them wins it', async () => {
    const { concertId, date } = await givenShow(rowsOf(3, 10))
    const full = await admit('at-limit', concertId)
    expect((await t.req('POST', '/reservations', { headers: full, body: { date, seatNos: [1, 2, 3, 4] } })).statusCode).toBe(201)
    // On MariaDB an outside transaction holds the user's row, so the refused attempt stays in flight while the buyers come.
    const lock = backend === 'sqlite' ? null : await createConnection({ uri: t.deps.config.databaseUrl })
    await lock?.query('START TRANSACTION')
    await lock?.query('SELECT id FROM users WHERE id = ? FOR UPDATE', ['at-limit'])
    const buyers = await Promise.all(Array.from({ length: 10 }, (_, i) => admit(`buyer-23-${i}`, concertId)))
    const refused = t.req('POST', '/reservations', { headers: full, body: { date, seatNo: 23 } })
    await sleep(lock ? 150 : 2)
    const bought = Promise.all(buyers.map(headers => t.req('POST', '/reservations', { headers, body: { date, seatNo: 23 } })))
    await sleep(lock ? 100 : 0)
    await lock?.query('ROLLBACK')
    await lock?.end()
    expect((await refused).json().code).toBe('HOLD_LIMIT_REACHED')
    const replies = await bought
    expect(countBy(replies, r => `${r.statusCode} ${r.statusCode === 201 ? '' : String(r.json().code)}`.trim())).toEqual({ 201: 1, '409 SEAT_UNAVAILABLE': 9 })
    expect((await seatMap(buyers[0], date)).get(23)).toBe('HELD')
  })
})

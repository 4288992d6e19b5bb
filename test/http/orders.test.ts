// Orders of several seats through the whole app: group holds, best available, single-seat gaps, pay, refunds — on every backend.

import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SeatRange } from '../../src/modules/concerts/concert.js'
import { dateOf } from '../../src/shared/dates.js'
import { APP_BACKENDS, buildTestApp, type TestApp } from '../support/app.js'
import { charge, joinQueue } from '../support/journey.js'

const DAY = 24 * 3600_000
let shows = 0

function expectProblem (res: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  expect(res.statusCode, res.body).toBe(status)
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  expect(res.json()).toMatchObject({ status, code, detail: expect.any(String) })
  return res.json()
}

describe.each(APP_BACKENDS)('orders on %s', (backend) => {
  let t: TestApp
  beforeAll(async () => { t = await buildTestApp(backend, { QUEUE_MAX_ACTIVE: '10000', MAX_HOLDS_PER_USER: '4' }) })
  afterAll(async () => { await t.close() })

  /** A concert of its own with one show `inDays` ahead (rows: VIP 1–4, VIP 5–8, R 9–14 unless given). */
  async function givenShow (options: { ranges?: SeatRange[], noSingleSeatGaps?: boolean, startsInMs?: number } = {}): Promise<{ concertId: string, date: string }> {
    const startsAt = Date.now() + (options.startsInMs ?? 30 * DAY)
    const date = dateOf(startsAt)
    const ranges = options.ranges ?? [
      { from: 1, to: 4, grade: 'VIP', price: 200_000, section: 'VIP', row: 'A' },
      { from: 5, to: 8, grade: 'VIP', price: 200_000, section: 'VIP', row: 'B' },
      { from: 9, to: 14, grade: 'R', price: 100_000, section: 'R', row: 'A' }
    ]
    const { concert } = await t.deps.ports.concerts.createConcert({
      title: `Orders ${++shows}`, venue: 'Hall', shows: [{ date, startsAt, seats: ranges, noSingleSeatGaps: options.noSingleSeatGaps }]
    }, Date.now())
    return { concertId: String(concert.id), date }
  }
  const fan = async (userId: string, concertId: string) => (await joinQueue(t, userId, concertId)).headers
  const hold = (headers: Record<string, string>, body: Record<string, unknown>) => t.req('POST', '/reservations', { headers, body })
  const seatMap = async (headers: Record<string, string>, date: string) =>
    new Map(((await t.req('GET', `/concerts/${date}/seats`, { headers })).json().seats as Array<{ seatNo: number, status: string }>).map(s => [s.seatNo, s.status]))
  const mine = async (userId: string) => (await t.req('GET', `/users/${userId}/reservations`, { headers: t.as(userId) })).json().reservations as unknown[]

  it('a group hold answers 201 with every seat, the total price and the first seat as seatNo; GET reads the same', async () => {
    const { concertId, date } = await givenShow()
    const headers = await fan('grp-1', concertId)
    const res = await hold(headers, { date, seatNos: [10, 9, 11] })
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    expect(body).toEqual({
      id: expect.any(String), userId: 'grp-1', concertId, date, seatNo: 9, seatNos: [9, 10, 11],
      seats: [9, 10, 11].map(seatNo => ({ seatNo, section: 'R', row: 'A', grade: 'R', price: 100_000 })),
      price: 300_000, status: 'HELD', heldUntil: expect.stringMatching(/Z$/)
    })
    expect((await t.req('GET', `/reservations/${String(body.id)}`, { headers: t.as('grp-1') })).json()).toEqual(body)
    const map = await seatMap(headers, date)
    expect([8, 9, 10, 11, 12].map(n => map.get(n))).toEqual(['AVAILABLE', 'HELD', 'HELD', 'HELD', 'AVAILABLE'])
  })

  it('a taken seat refuses the whole order: 409 SEAT_UNAVAILABLE with unavailable, and nothing is held', async () => {
    const { concertId, date } = await givenShow()
    expect((await hold(await fan('grp-first', concertId), { date, seatNo: 6 })).statusCode).toBe(201)
    const headers = await fan('grp-2', concertId)
    const problem = expectProblem(await hold(headers, { date, seatNos: [5, 6, 7] }), 409, 'SEAT_UNAVAILABLE')
    expect(problem.unavailable).toEqual([6])
    const map = await seatMap(headers, date)
    expect([5, 6, 7].map(n => map.get(n))).toEqual(['AVAILABLE', 'HELD', 'AVAILABLE'])
    expect(await mine('grp-2')).toEqual([])
    expect((await hold(headers, { date, seatNos: [5, 7] })).statusCode).toBe(201)
  })

  it.each([
    ['seatNo and seatNos together', { seatNo: 1, seatNos: [2] }],
    ['seatNos and quantity together', { seatNos: [1], quantity: 1 }],
    ['no seat at all', {}],
    ['a repeated seat', { seatNos: [3, 3] }],
    ['more seats than MAX_HOLDS_PER_USER', { seatNos: [1, 2, 3, 4, 5] }],
    ['an empty list', { seatNos: [] }],
    ['a seat number as a string', { seatNos: ['1'] }],
    ['quantity 0', { quantity: 0 }],
    ['quantity above the limit', { quantity: 5 }],
    ['section without quantity', { seatNo: 1, section: 'VIP' }],
    ['grade without quantity', { seatNos: [1], grade: 'VIP' }],
    ['an unknown field', { quantity: 1, row: 'A' }]
  ])('%s is 400 VALIDATION_FAILED and holds nothing', async (_, body) => {
    const { concertId, date } = await givenShow()
    const userId = `bad-${Math.random().toString(36).slice(2, 8)}`
    const problem = expectProblem(await hold(await fan(userId, concertId), { date, ...body }), 400, 'VALIDATION_FAILED')
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/^body/) })]))
    expect(await mine(userId)).toEqual([])
  })

  it('unknown seats are 404 SEAT_NOT_FOUND and an unknown section 404 SECTION_NOT_FOUND', async () => {
    const { concertId, date } = await givenShow()
    const headers = await fan('grp-404', concertId)
    expect(expectProblem(await hold(headers, { date, seatNos: [1, 99] }), 404, 'SEAT_NOT_FOUND').missing).toEqual([99])
    expectProblem(await hold(headers, { date, quantity: 2, section: 'Balcony' }), 404, 'SECTION_NOT_FOUND')
    expect(await mine('grp-404')).toEqual([])
  })

  it('MAX_HOLDS_PER_USER counts seats over every live hold of the show: 409 HOLD_LIMIT_REACHED', async () => {
    const { concertId, date } = await givenShow()
    const headers = await fan('grp-limit', concertId)
    expect((await hold(headers, { date, seatNos: [1, 2, 3] })).statusCode).toBe(201)
    expectProblem(await hold(headers, { date, seatNos: [9, 10] }), 409, 'HOLD_LIMIT_REACHED')
    expectProblem(await hold(headers, { date, quantity: 2 }), 409, 'HOLD_LIMIT_REACHED')
    expect((await hold(headers, { date, seatNo: 9 })).statusCode).toBe(201)
  })

  it('a show with noSingleSeatGaps refuses a selection leaving a lone seat: 409 SINGLE_SEAT_GAP with gapSeatNos', async () => {
    const { concertId, date } = await givenShow({ noSingleSeatGaps: true })
    const headers = await fan('grp-gap', concertId)
    expect(expectProblem(await hold(headers, { date, seatNos: [2, 3] }), 409, 'SINGLE_SEAT_GAP').gapSeatNos).toEqual([1, 4])
    expect(expectProblem(await hold(headers, { date, seatNo: 13 }), 409, 'SINGLE_SEAT_GAP').gapSeatNos).toEqual([14])
    expect(await mine('grp-gap')).toEqual([])
    expect((await hold(headers, { date, seatNos: [1, 2] })).statusCode).toBe(201)
  })

  it('best available picks adjacent seats in the nearest row, within the section or grade asked for', async () => {
    const { concertId, date } = await givenShow()
    const first = await hold(await fan('best-1', concertId), { date, quantity: 3 })
    expect(first.statusCode, first.body).toBe(201)
    expect(first.json()).toMatchObject({ seatNos: [1, 2, 3], price: 600_000, seats: [{ section: 'VIP', row: 'A' }, { row: 'A' }, { row: 'A' }] })
    expect((await hold(await fan('best-2', concertId), { date, quantity: 2 })).json().seatNos).toEqual([5, 6])
    expect((await hold(await fan('best-3', concertId), { date, quantity: 2, section: 'R' })).json().seatNos).toEqual([9, 10])
    expect((await hold(await fan('best-4', concertId), { date, quantity: 4, grade: 'R' })).json().seatNos).toEqual([11, 12, 13, 14])
    expectProblem(await hold(await fan('best-5', concertId), { date, quantity: 3 }), 409, 'SEAT_UNAVAILABLE')
  })

  it('pays an order with no body or {}: every seat SOLD, one USE of the total; a body with fields is refused', async () => {
    const { concertId, date } = await givenShow()
    await charge(t, 'payer', 1_000_000)
    const headers = await fan('payer', concertId)
    const a = (await hold(headers, { date, seatNos: [1, 2] })).json()
    const b = (await hold(headers, { date, seatNos: [9, 10] })).json()
    expectProblem(await t.req('POST', `/reservations/${String(a.id)}/pay`, { headers: t.as('payer'), body: { amount: 1 } }), 400, 'VALIDATION_FAILED')
    const paidA = await t.req('POST', `/reservations/${String(a.id)}/pay`, { headers: t.as('payer') })
    expect(paidA.json()).toMatchObject({ reservationId: a.id, amount: 400_000, balance: 600_000, status: 'CONFIRMED' })
    const paidB = await t.req('POST', `/reservations/${String(b.id)}/pay`, { headers: t.as('payer'), body: {} })
    expect(paidB.json()).toMatchObject({ amount: 200_000, balance: 400_000 })
    const other = await fan('watcher', concertId)
    const map = await seatMap(other, date)
    expect([1, 2, 9, 10].map(n => map.get(n))).toEqual(['SOLD', 'SOLD', 'SOLD', 'SOLD'])
    const uses = (await t.req('GET', '/users/payer/points/history', { headers: t.as('payer') })).json().items.filter((i: { type: string }) => i.type === 'USE')
    expect(uses.map((u: { amount: number }) => u.amount)).toEqual([200_000, 400_000])
  })

  it('refunds a paid order: points back, REFUNDED with refundedAt, seats for sale at once, sales net of it; a second refund is refused', async () => {
    const { concertId, date } = await givenShow()
    await charge(t, 'refunder', 500_000)
    const headers = await fan('refunder', concertId)
    const r = (await hold(headers, { date, seatNos: [3, 4] })).json()
    await t.req('POST', `/reservations/${String(r.id)}/pay`, { headers: t.as('refunder') })
    const sold = (await t.req('GET', `/admin/concerts/${concertId}/sales`, { headers: t.as('boss', 'admin') })).json()
    expect(sold.totals).toMatchObject({ sold: 2, revenue: 400_000, refunds: 0, refunded: 0 })

    const res = await t.req('POST', `/reservations/${String(r.id)}/refund`, { headers: t.as('refunder') })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ reservationId: r.id, amount: 400_000, balance: 500_000, status: 'REFUNDED', refundedAt: expect.stringMatching(/Z$/) })
    expect((await t.req('GET', `/reservations/${String(r.id)}`, { headers: t.as('refunder') })).json())
      .toMatchObject({ status: 'REFUNDED', paidAt: expect.any(String), refundedAt: res.json().refundedAt })
    const history = (await t.req('GET', '/users/refunder/points/history', { headers: t.as('refunder') })).json().items
    expect(history[0]).toMatchObject({ type: 'REFUND', amount: 400_000, balanceAfter: 500_000, reservationId: r.id })
    const next = await fan('after-refund', concertId)
    expect((await hold(next, { date, seatNos: [3, 4] })).statusCode).toBe(201)
    const sales = (await t.req('GET', `/admin/concerts/${concertId}/sales`, { headers: t.as('boss', 'admin') })).json()
    expect(sales.dates[0]).toMatchObject({ sold: 0, held: 2, revenue: 0, refunds: 1, refunded: 400_000 })
    expect(sales.totals).toMatchObject({ revenue: 0, refunds: 1, refunded: 400_000 })

    expectProblem(await t.req('POST', `/reservations/${String(r.id)}/refund`, { headers: t.as('refunder') }), 409, 'ALREADY_REFUNDED')
    expectProblem(await t.req('POST', `/reservations/${String(r.id)}/refund`, { headers: t.as('refunder'), body: { reason: 'x' } }), 400, 'VALIDATION_FAILED')
    const held = (await hold(await fan('refunder', concertId), { date, seatNo: 12 })).json() // paying ended the first queue turn
    expectProblem(await t.req('POST', `/reservations/${String(held.id)}/refund`, { headers: t.as('refunder') }), 409, 'RESERVATION_NOT_CONFIRMED')
    expect((await t.req('GET', '/users/refunder/points', { headers: t.as('refunder') })).json().balance).toBe(500_000)
  })

  it('the owner cannot refund within REFUND_CUTOFF_HOURS of the show (409 REFUND_CLOSED) but an admin can', async () => {
    const { concertId, date } = await givenShow({ startsInMs: 2 * 3600_000 })
    await charge(t, 'late', 100_000)
    const r = (await hold(await fan('late', concertId), { date, seatNo: 9 })).json()
    await t.req('POST', `/reservations/${String(r.id)}/pay`, { headers: t.as('late') })
    expect(expectProblem(await t.req('POST', `/reservations/${String(r.id)}/refund`, { headers: t.as('late') }), 409, 'REFUND_CLOSED').closedAt).toEqual(expect.stringMatching(/Z$/))
    // Another user's reservation: 403 today, 404 once ids reveal nothing (issue 9 item 7); never a refund.
    const stranger = await t.req('POST', `/reservations/${String(r.id)}/refund`, { headers: t.as('stranger') })
    expect(['403 FORBIDDEN', '404 RESERVATION_NOT_FOUND']).toContain(`${stranger.statusCode} ${String(stranger.json().code)}`)
    const byAdmin = await t.req('POST', `/reservations/${String(r.id)}/refund`, { headers: t.as('boss', 'admin') })
    expect(byAdmin.json()).toMatchObject({ status: 'REFUNDED', amount: 100_000, balance: 100_000 })
    expect((await t.req('GET', '/users/late/points', { headers: t.as('late') })).json().balance).toBe(100_000)
  })

  it('a refund with an Idempotency-Key answers every retry with the first answer; the key cannot serve another reservation', async () => {
    const { concertId, date } = await givenShow()
    await charge(t, 'idem-refund', 1_000_000)
    const headers = await fan('idem-refund', concertId)
    const ids: string[] = []
    for (const seatNo of [1, 2]) {
      const r = (await hold(seatNo === 1 ? headers : await fan('idem-refund', concertId), { date, seatNo })).json()
      await t.req('POST', `/reservations/${String(r.id)}/pay`, { headers: t.as('idem-refund') })
      ids.push(String(r.id))
    }
    const key = { ...t.as('idem-refund'), 'idempotency-key': 'refund-once' }
    const replies = await Promise.all([1, 2, 3].map(() => t.req('POST', `/reservations/${ids[0]}/refund`, { headers: key })))
    expect(replies.map(r => r.statusCode)).toEqual([200, 200, 200])
    expect(new Set(replies.map(r => r.body)).size).toBe(1)
    expectProblem(await t.req('POST', `/reservations/${ids[1]}/refund`, { headers: key }), 422, 'IDEMPOTENCY_KEY_REUSED')
    const refunds = (await t.req('GET', '/users/idem-refund/points/history', { headers: t.as('idem-refund') })).json().items.filter((i: { type: string }) => i.type === 'REFUND')
    expect(refunds).toHaveLength(1)
  })

  it('counts orders by kind, seats per order and refunds in /metrics', async () => {
    const body = (await t.req('GET', '/metrics')).body
    expect(body).toMatch(/concert_orders_total\{kind="seats",result="ok"\} [1-9]/)
    expect(body).toMatch(/concert_orders_total\{kind="best",result="ok"\} [1-9]/)
    expect(body).toMatch(/concert_orders_total\{kind="seats",result="SEAT_UNAVAILABLE"\} [1-9]/)
    expect(body).toMatch(/concert_order_seats_bucket\{le="2"\} [1-9]/)
    expect(body).toMatch(/concert_refunds_total\{result="ok"\} [1-9]/)
    expect(body).toMatch(/concert_refunds_total\{result="ALREADY_REFUNDED"\} [1-9]/)
  })
})

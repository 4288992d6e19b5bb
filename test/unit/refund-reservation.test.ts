// Unit: refundReservation over SQLite in memory, a manual clock, memory seat events and a recording gate.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { payReservation } from '../../src/modules/payments/pay-reservation.js'
import { refundReservation, type RefundReservationDeps } from '../../src/modules/payments/refund-reservation.js'
import { cancelHold } from '../../src/modules/reservations/cancel-hold.js'
import type { Reservation } from '../../src/modules/reservations/reservation.js'
import { HOUR, MINUTE, givenBalance, openBookingWorld, type BookingWorld } from '../support/factories.js'

const TTL = 5 * MINUTE
const PRICE = 100_000
const CUTOFF = 24 * HOUR

describe('refundReservation', () => {
  let w: BookingWorld
  let deps: RefundReservationDeps
  beforeEach(async () => {
    w = await openBookingWorld({ holdTtlMs: TTL, price: PRICE })
    deps = { transact: w.transact, reservations: w.stores.reservations, concerts: w.concerts, gate: w.gate, events: w.events, clock: w.clock, refundCutoffMs: CUTOFF }
  })
  afterEach(async () => { await w.close() })

  const refund = (userId: string, reservationId: number, isAdmin = false) => refundReservation(deps, { userId, isAdmin, reservationId })
  const balance = (userId: string) => w.stores.points.balance(userId)
  const stored = async (id: number) => (await w.stores.reservations.findById(id))!
  const payments = () => w.database.db.selectFrom('payments').selectAll().execute()

  /** A paid order of `seatNos` for `userId`, who had `funds` before paying. */
  async function paidOrder (userId: string, seatNos: number[], funds = PRICE * seatNos.length): Promise<Reservation> {
    await givenBalance(w, userId, funds)
    const r = await w.holdMany(userId, seatNos)
    await payReservation({ transact: w.transact, users: w.stores.points, clock: w.clock, events: w.events }, { userId, reservationId: r.id })
    return r
  }

  /** What a refused refund must leave exactly as it was. */
  async function snapshot (r: Reservation) {
    return {
      balance: await balance(r.userId),
      history: await w.stores.points.history(r.userId, 100),
      payments: await payments(),
      reservation: await stored(r.id),
      seats: await Promise.all(r.seatNos.map(n => w.seatStatus(n))),
      outbox: await w.stores.outbox.listAfter(null, 100)
    }
  }

  it('gives the total back with a REFUND row, marks the payment refunded, the reservation REFUNDED and every seat AVAILABLE at once', async () => {
    const r = await paidOrder('alice', [3, 4, 5], 500_000)
    w.clock.advance(HOUR)
    const now = w.clock.now()
    const published = w.published.length

    const result = await refund('alice', r.id)

    expect(result).toEqual({ reservationId: r.id, amount: 300_000, balance: 500_000, status: 'REFUNDED', refundedAt: now })
    expect(await balance('alice')).toBe(500_000)
    const [back] = await w.stores.points.history('alice', 10)
    expect(back).toMatchObject({ type: 'REFUND', amount: 300_000, balanceAfter: 500_000, reservationId: r.id, createdAt: now })
    expect(await payments()).toEqual([expect.objectContaining({ reservation_id: r.id, amount: 300_000, refunded_at: now })])
    expect(await stored(r.id)).toMatchObject({ status: 'REFUNDED', refundedAt: now, paidAt: expect.any(Number) })
    expect(await Promise.all([3, 4, 5].map(n => w.seatStatus(n)))).toEqual(['AVAILABLE', 'AVAILABLE', 'AVAILABLE'])
    expect(w.published.slice(published).map(e => [e.seatNo, e.status])).toEqual([[3, 'AVAILABLE'], [4, 'AVAILABLE'], [5, 'AVAILABLE']])
    expect(w.gate.calls.at(-1)).toBe(`release ${w.show.id}:3,4,5`)
    const events = await w.stores.outbox.listAfter(null, 100)
    expect(events.map(e => e.type)).toEqual(['reservation.held', 'payment.confirmed', 'reservation.refunded'])
    expect(events[2].data).toEqual({ reservationId: String(r.id), userId: 'alice', concertId: String(w.concert.id), date: w.show.date, seatNos: [3, 4, 5], amount: 300_000, balance: 500_000 })
  })

  it('the seats can be held by the next buyer straight away, and money is conserved', async () => {
    const r = await paidOrder('alice', [7], 250_000)
    await refund('alice', r.id)
    await expect(w.hold('bob', 7)).resolves.toMatchObject({ userId: 'bob', status: 'HELD' })
    const history = await w.stores.points.history('alice', 100)
    const sum = (type: string) => history.filter(e => e.type === type).reduce((a, e) => a + e.amount, 0)
    expect(sum('USE') - sum('REFUND')).toBe(0)
    expect(await balance('alice')).toBe(250_000)
  })

  it('a second refund is ALREADY_REFUNDED and moves no money', async () => {
    const r = await paidOrder('alice', [1, 2])
    await refund('alice', r.id)
    const before = await snapshot(r)
    await expect(refund('alice', r.id)).rejects.toMatchObject({ status: 409, code: 'ALREADY_REFUNDED' })
    await expect(refund('root', r.id, true)).rejects.toMatchObject({ code: 'ALREADY_REFUNDED' })
    expect(await snapshot(r)).toEqual(before)
  })

  it('a reservation that was never paid is RESERVATION_NOT_CONFIRMED: held, cancelled or lapsed', async () => {
    const held = await w.holdMany('alice', [1, 2])
    const before = await snapshot(held)
    await expect(refund('alice', held.id)).rejects.toMatchObject({ status: 409, code: 'RESERVATION_NOT_CONFIRMED' })
    expect(await snapshot(held)).toEqual(before)
    await cancelHold({ transact: w.transact, gate: w.gate, events: w.events, clock: w.clock }, { userId: 'alice', reservationId: held.id })
    await expect(refund('alice', held.id)).rejects.toMatchObject({ code: 'RESERVATION_NOT_CONFIRMED' })
    const lapsed = await w.hold('bob', 5)
    w.clock.advance(TTL)
    await expect(refund('bob', lapsed.id)).rejects.toMatchObject({ code: 'RESERVATION_NOT_CONFIRMED' })
  })

  it('owners may refund until REFUND_CUTOFF_HOURS before the show, not a millisecond later', async () => {
    const r = await paidOrder('alice', [1])
    const other = await paidOrder('bob', [2])
    w.clock.set(w.show.startsAt - CUTOFF)
    const before = await snapshot(r)
    await expect(refund('alice', r.id)).rejects.toMatchObject({ status: 409, code: 'REFUND_CLOSED' })
    expect(await snapshot(r)).toEqual(before)
    w.clock.set(w.show.startsAt - CUTOFF - 1)
    await expect(refund('bob', other.id)).resolves.toMatchObject({ status: 'REFUNDED' })
  })

  it('an admin may refund any paid order at any time, even after the show started; the points go to the owner', async () => {
    const r = await paidOrder('alice', [1, 2], 200_000)
    w.clock.set(w.show.startsAt + HOUR)
    await expect(refund('root', r.id, true)).resolves.toMatchObject({ reservationId: r.id, amount: 200_000, balance: 200_000 })
    expect(await balance('alice')).toBe(200_000)
    expect(await balance('root')).toBe(0)
  })

  it('another user cannot refund the order and nothing moves; an unknown one is RESERVATION_NOT_FOUND', async () => {
    const r = await paidOrder('alice', [1])
    const before = await snapshot(r)
    await expect(refund('mallory', r.id)).rejects.toMatchObject({ code: expect.stringMatching(/^(FORBIDDEN|RESERVATION_NOT_FOUND)$/) })
    expect(await snapshot(r)).toEqual(before)
    await expect(refund('alice', 4242)).rejects.toMatchObject({ status: 404, code: 'RESERVATION_NOT_FOUND' })
  })

  it('a refunded order cannot be paid again (HOLD_EXPIRED) or cancelled (RESERVATION_NOT_HELD)', async () => {
    const r = await paidOrder('alice', [1], PRICE * 2)
    await refund('alice', r.id)
    await expect(payReservation({ transact: w.transact, users: w.stores.points, clock: w.clock, events: w.events }, { userId: 'alice', reservationId: r.id }))
      .rejects.toMatchObject({ code: 'HOLD_EXPIRED' })
    await expect(cancelHold({ transact: w.transact, gate: w.gate, events: w.events, clock: w.clock }, { userId: 'alice', reservationId: r.id }))
      .rejects.toMatchObject({ code: 'RESERVATION_NOT_HELD' })
    expect(await balance('alice')).toBe(PRICE * 2)
  })
})

// Unit: payReservation over SQLite in memory, a manual clock and memory seat events.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { payReservation, type PayReservationDeps } from '../../src/modules/payments/pay-reservation.js'
import { cancelHold } from '../../src/modules/reservations/cancel-hold.js'
import type { Reservation } from '../../src/modules/reservations/reservation.js'
import { MINUTE, T0, givenBalance, openBookingWorld, type BookingWorld } from '../support/factories.js'

const TTL = 5 * MINUTE
const PRICE = 150_000

describe('payReservation', () => {
  let w: BookingWorld
  let paid: Reservation[]
  let deps: PayReservationDeps
  beforeEach(async () => {
    w = await openBookingWorld({ holdTtlMs: TTL, price: PRICE })
    paid = []
    deps = { transact: w.transact, users: w.stores.points, clock: w.clock, events: w.events, onPaid: async (r) => { paid.push(r) } }
  })
  afterEach(async () => { await w.close() })

  const pay = (userId: string, reservationId: number) => payReservation(deps, { userId, reservationId })
  const balance = (userId: string) => w.stores.points.balance(userId)
  const payments = () => w.database.db.selectFrom('payments').selectAll().execute()
  const stored = async (id: number) => (await w.stores.reservations.findById(id))!

  /** What a refused payment must leave exactly as it was. */
  async function snapshot (userId: string, r: Reservation) {
    return {
      balance: await balance(userId),
      history: await w.stores.points.history(userId, 100),
      payments: await payments(),
      reservation: await stored(r.id),
      seat: (await w.concerts.listSeats(w.show.id, w.clock.now())).find(s => s.seatNo === r.seatNo)
    }
  }

  it('paying a live hold debits the price, writes a USE entry and a payment, sells the seat and confirms the reservation', async () => {
    await givenBalance(w, 'alice', 200_000)
    const r = await w.hold('alice', 7)
    w.clock.advance(MINUTE)
    const now = w.clock.now()

    const result = await pay('alice', r.id)

    expect(result).toEqual({ paymentId: expect.any(Number), reservationId: r.id, amount: PRICE, balance: 50_000, status: 'CONFIRMED', paidAt: now })
    expect(await balance('alice')).toBe(50_000)
    const [use] = await w.stores.points.history('alice', 10)
    expect(use).toMatchObject({ type: 'USE', amount: PRICE, balanceAfter: 50_000, reservationId: r.id, createdAt: now })
    expect(await payments()).toEqual([expect.objectContaining({ id: result.paymentId, reservation_id: r.id, user_id: 'alice', amount: PRICE })])
    expect(await w.seatStatus(7)).toBe('SOLD')
    expect(await stored(r.id)).toMatchObject({ status: 'CONFIRMED', paidAt: now })
    expect(paid).toEqual([{ ...r, status: 'CONFIRMED', paidAt: now }])
    expect(w.published).toEqual([
      { showId: w.show.id, seatNo: 7, status: 'HELD', heldUntil: T0 + TTL },
      { showId: w.show.id, seatNo: 7, status: 'SOLD' }
    ])
  })

  it('paying an order of several seats debits the total once: one USE row, one payment, every seat SOLD, one event out', async () => {
    await givenBalance(w, 'alice', 500_000)
    const r = await w.holdMany('alice', [4, 2, 3])
    const result = await pay('alice', r.id)
    expect(result).toMatchObject({ reservationId: r.id, amount: 3 * PRICE, balance: 50_000, status: 'CONFIRMED' })
    const history = await w.stores.points.history('alice', 10)
    expect(history.filter(e => e.type === 'USE')).toEqual([expect.objectContaining({ amount: 3 * PRICE, balanceAfter: 50_000, reservationId: r.id })])
    expect(await payments()).toEqual([expect.objectContaining({ reservation_id: r.id, amount: 3 * PRICE })])
    expect(await Promise.all([2, 3, 4].map(n => w.seatStatus(n)))).toEqual(['SOLD', 'SOLD', 'SOLD'])
    expect(w.published.filter(e => e.status === 'SOLD').map(e => e.seatNo)).toEqual([2, 3, 4])
    const events = await w.stores.outbox.listAfter(null, 10)
    expect(events.map(e => e.type)).toEqual(['reservation.held', 'payment.confirmed'])
    expect(events[1].data).toEqual({ reservationId: String(r.id), userId: 'alice', concertId: String(w.concert.id), date: w.show.date, seatNos: [2, 3, 4], amount: 3 * PRICE, balance: 50_000 })
  })

  it('an order whose total the balance does not cover changes nothing, though one seat alone would be covered', async () => {
    await givenBalance(w, 'alice', 2 * PRICE)
    const r = await w.holdMany('alice', [1, 2, 3])
    const before = await snapshot('alice', r)
    await expect(pay('alice', r.id)).rejects.toMatchObject({ code: 'INSUFFICIENT_POINTS', extensions: { price: 3 * PRICE, balance: 2 * PRICE } })
    expect(await snapshot('alice', r)).toEqual(before)
    expect(await Promise.all([1, 2, 3].map(n => w.seatStatus(n)))).toEqual(['HELD', 'HELD', 'HELD'])
  })

  it('a sold seat stays SOLD after the hold time passes, and nobody can hold it', async () => {
    await givenBalance(w, 'alice', PRICE)
    const r = await w.hold('alice', 7)
    await pay('alice', r.id)
    w.clock.advance(TTL * 10)
    expect(await w.seatStatus(7)).toBe('SOLD')
    await w.gate.release(w.seats(7))
    await expect(w.hold('bob', 7)).rejects.toMatchObject({ code: 'SEAT_UNAVAILABLE' })
    expect((await stored(r.id)).status).toBe('CONFIRMED')
  })

  it('a balance that does not cover the price is INSUFFICIENT_POINTS and changes nothing', async () => {
    await givenBalance(w, 'alice', PRICE - 1)
    const r = await w.hold('alice', 7)
    const before = await snapshot('alice', r)
    await expect(pay('alice', r.id)).rejects.toMatchObject({ status: 422, code: 'INSUFFICIENT_POINTS', extensions: { price: PRICE, balance: PRICE - 1 } })
    expect(await snapshot('alice', r)).toEqual(before)
    expect(before.seat?.status).toBe('HELD')
    expect(before.reservation.status).toBe('HELD')
    expect(paid).toEqual([])
    expect(w.published.map(e => e.status)).toEqual(['HELD'])
  })

  it('a user who never charged gets INSUFFICIENT_POINTS with a balance of 0', async () => {
    const r = await w.hold('alice', 7)
    await expect(pay('alice', r.id)).rejects.toMatchObject({ code: 'INSUFFICIENT_POINTS', extensions: { balance: 0 } })
    expect(await balance('alice')).toBe(0)
  })

  it('paying after the clock passed heldUntil is HOLD_EXPIRED and changes nothing', async () => {
    await givenBalance(w, 'alice', 200_000)
    const r = await w.hold('alice', 7)
    w.clock.set(r.heldUntil)
    const before = await snapshot('alice', r)
    await expect(pay('alice', r.id)).rejects.toMatchObject({ status: 409, code: 'HOLD_EXPIRED' })
    expect(await snapshot('alice', r)).toEqual(before)
    expect(before.balance).toBe(200_000)
    expect(before.seat?.status).toBe('AVAILABLE')
    expect(paid).toEqual([])
  })

  it('one millisecond before heldUntil the hold can still be paid', async () => {
    await givenBalance(w, 'alice', PRICE)
    const r = await w.hold('alice', 7)
    w.clock.set(r.heldUntil - 1)
    await expect(pay('alice', r.id)).resolves.toMatchObject({ status: 'CONFIRMED', balance: 0 })
  })

  it('a lapsed hold whose seat someone else took is HOLD_EXPIRED and the new hold is untouched', async () => {
    await givenBalance(w, 'alice', PRICE)
    const old = await w.hold('alice', 7)
    w.clock.advance(TTL)
    const bobs = await w.hold('bob', 7)
    await expect(pay('alice', old.id)).rejects.toMatchObject({ code: 'HOLD_EXPIRED' })
    expect(await balance('alice')).toBe(PRICE)
    expect((await stored(bobs.id)).status).toBe('HELD')
    expect(await w.seatStatus(7)).toBe('HELD')
  })

  it('a cancelled reservation is HOLD_EXPIRED', async () => {
    await givenBalance(w, 'alice', PRICE)
    const r = await w.hold('alice', 7)
    await cancelHold({ transact: w.transact, gate: w.gate, events: w.events, clock: w.clock }, { userId: 'alice', reservationId: r.id })
    await expect(pay('alice', r.id)).rejects.toMatchObject({ code: 'HOLD_EXPIRED' })
    expect(await balance('alice')).toBe(PRICE)
  })

  it('paying a confirmed reservation again is ALREADY_PAID and moves no money', async () => {
    await givenBalance(w, 'alice', PRICE * 3)
    const r = await w.hold('alice', 7)
    await pay('alice', r.id)
    await expect(pay('alice', r.id)).rejects.toMatchObject({ status: 409, code: 'ALREADY_PAID' })
    w.clock.advance(TTL * 2)
    await expect(pay('alice', r.id)).rejects.toMatchObject({ code: 'ALREADY_PAID' })
    expect(await balance('alice')).toBe(PRICE * 2)
    expect(await payments()).toHaveLength(1)
    expect(paid).toHaveLength(1)
  })

  it("another user's reservation reads as missing (RESERVATION_NOT_FOUND) and their money stays put", async () => {
    await givenBalance(w, 'mallory', PRICE)
    const r = await w.hold('alice', 7)
    await expect(pay('mallory', r.id)).rejects.toMatchObject({ status: 404, code: 'RESERVATION_NOT_FOUND' })
    expect(await balance('mallory')).toBe(PRICE)
    expect((await stored(r.id)).status).toBe('HELD')
  })

  it('an unknown reservation is RESERVATION_NOT_FOUND', async () => {
    await expect(pay('alice', 4242)).rejects.toMatchObject({ status: 404, code: 'RESERVATION_NOT_FOUND' })
  })
})

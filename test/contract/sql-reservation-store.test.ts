// Contract: ReservationStore on every SQL backend (SQLite in memory and a real MariaDB/MySQL database).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Show } from '../../src/modules/concerts/concert.js'
import type { Reservation } from '../../src/modules/reservations/reservation.js'
import type { ReservationStore } from '../../src/modules/reservations/reservation-store.js'
import { SQL_BACKENDS } from '../support/backends.js'
import { T0, givenConcert, newUserId, openSqlWorld, type SqlWorld } from '../support/factories.js'

const LIVE = T0 + 300_000

describe.each(SQL_BACKENDS)('ReservationStore on %s', (backend) => {
  let w: SqlWorld
  let store: ReservationStore
  beforeAll(async () => {
    w = await openSqlWorld(backend, 'reservations')
    store = w.stores.reservations
  })
  afterAll(async () => { await w?.close() })

  const givenShow = async (seats = 5, price = 50_000): Promise<Show> => (await givenConcert(w.concerts, { seats, price })).show
  const seatOf = (show: Show, seatNo: number) => ({ showId: show.id, seatNo })
  const seatStatus = async (show: Show, seatNo: number, now: number) => (await w.concerts.listSeats(show.id, now)).find(s => s.seatNo === seatNo)?.status

  /** The seat's row as stored (whatever the time). */
  async function seatRow (show: Show, seatNo: number) {
    const r = await w.database.db.selectFrom('seats').select(['status', 'held_until', 'user_id', 'reservation_id'])
      .where('show_id', '=', show.id).where('seat_no', '=', seatNo).executeTakeFirstOrThrow()
    return { status: r.status, heldUntil: r.held_until === null ? null : Number(r.held_until), userId: r.user_id, reservationId: r.reservation_id === null ? null : Number(r.reservation_id) }
  }

  /** A HELD reservation row on its own, not yet linked to its seat. */
  const insertHeld = (show: Show, seatNo: number, userId: string, heldUntil: number, now = T0, price = 50_000): Promise<Reservation> =>
    store.insert({ userId, concertId: show.concertId, showId: show.id, date: show.date, seatNo, price, status: 'HELD', heldUntil, createdAt: now, paidAt: null })

  /** What holdSeat does inside its transaction: insert the HELD reservation, then take the seat for it (undone when taken). */
  async function hold (show: Show, seatNo: number, userId: string, heldUntil: number, now = T0): Promise<Reservation> {
    const price = (await w.concerts.listSeatStates(show.id)).find(s => s.seatNo === seatNo)?.price ?? 0
    return await w.transact(async (tx) => {
      const r = await tx.reservations.insert({ userId, concertId: show.concertId, showId: show.id, date: show.date, seatNo, price, status: 'HELD', heldUntil, createdAt: now, paidAt: null })
      if (!await tx.reservations.holdSeat(seatOf(show, seatNo), r.id, userId, heldUntil, now)) throw new Error(`seat ${seatNo} is taken`)
      return r
    })
  }

  describe('holdSeat', () => {
    it('takes an AVAILABLE seat for the reservation: HELD until heldUntil, with its user and reservation id', async () => {
      const show = await givenShow(3, 77_000)
      const userId = newUserId()
      const r = await insertHeld(show, 2, userId, LIVE)
      expect(await store.holdSeat(seatOf(show, 2), r.id, userId, LIVE, T0)).toBe(true)
      expect(await seatRow(show, 2)).toEqual({ status: 'HELD', heldUntil: LIVE, userId, reservationId: r.id })
      expect(await seatStatus(show, 2, T0)).toBe('HELD')
      expect(await seatStatus(show, 1, T0)).toBe('AVAILABLE')
      expect(await seatRow(show, 1)).toEqual({ status: 'AVAILABLE', heldUntil: null, userId: null, reservationId: null })
    })

    it('refuses a live hold (the holder\'s own too) and a sold seat with false, leaving the seat as it was', async () => {
      const show = await givenShow()
      const alice = newUserId()
      const first = await hold(show, 1, alice, LIVE)
      const bob = newUserId()
      expect(await store.holdSeat(seatOf(show, 1), first.id + 1000, bob, LIVE + 1000, T0 + 1000)).toBe(false)
      expect(await store.holdSeat(seatOf(show, 1), first.id + 1001, alice, LIVE + 1000, T0 + 1000)).toBe(false)
      expect(await seatRow(show, 1)).toEqual({ status: 'HELD', heldUntil: LIVE, userId: alice, reservationId: first.id })
      const bought = await hold(show, 2, alice, LIVE)
      expect(await store.sellSeat(seatOf(show, 2), bought.id, alice, T0)).toBe(true)
      expect(await store.holdSeat(seatOf(show, 2), bought.id + 1000, bob, LIVE * 2, LIVE * 2)).toBe(false)
      expect(await seatRow(show, 2)).toMatchObject({ status: 'SOLD', userId: alice })
    })

    it('takes over a lapsed hold exactly at held_until, not a millisecond before, and links the new reservation', async () => {
      const show = await givenShow()
      const old = await hold(show, 1, newUserId(), LIVE)
      const bob = newUserId()
      const next = await insertHeld(show, 1, bob, LIVE + 300_000, LIVE)
      expect(await store.holdSeat(seatOf(show, 1), next.id, bob, LIVE + 300_000, LIVE - 1)).toBe(false)
      expect(await seatRow(show, 1)).toMatchObject({ heldUntil: LIVE, reservationId: old.id })
      expect(await store.holdSeat(seatOf(show, 1), next.id, bob, LIVE + 300_000, LIVE)).toBe(true)
      expect(await seatRow(show, 1)).toEqual({ status: 'HELD', heldUntil: LIVE + 300_000, userId: bob, reservationId: next.id })
      expect(await seatStatus(show, 1, LIVE)).toBe('HELD')
    })

    it('returns false for a seat that does not exist, and creates none', async () => {
      const show = await givenShow(3)
      const userId = newUserId()
      const r = await insertHeld(show, 4, userId, LIVE)
      expect(await store.holdSeat(seatOf(show, 4), r.id, userId, LIVE, T0)).toBe(false)
      expect(await store.holdSeat({ showId: show.id + 10_000, seatNo: 1 }, r.id, userId, LIVE, T0)).toBe(false)
      expect((await w.concerts.listSeatStates(show.id)).map(s => [s.seatNo, s.status])).toEqual([[1, 'AVAILABLE'], [2, 'AVAILABLE'], [3, 'AVAILABLE']])
    })
  })

  it('a takeover leaves the lapsed reservation HELD with its past heldUntil; expireLapsedReservations marks it EXPIRED, not the new one', async () => {
    const show = await givenShow()
    const lapsed = await hold(show, 1, newUserId(), T0 + 100)
    const next = await hold(show, 1, newUserId(), LIVE, T0 + 100)
    expect(await store.findById(lapsed.id)).toMatchObject({ status: 'HELD', heldUntil: T0 + 100 })
    expect((await store.findLapsedHolds(T0 + 100, 10_000)).filter(h => h.showId === show.id)).toEqual([]) // the seat is live again
    expect(await store.expireLapsedReservations(T0 + 100)).toBeGreaterThanOrEqual(1)
    expect((await store.findById(lapsed.id))?.status).toBe('EXPIRED')
    expect((await store.findById(next.id))?.status).toBe('HELD')
    expect(await seatRow(show, 1)).toMatchObject({ status: 'HELD', reservationId: next.id })
  })

  it('insert and findById round-trip every field; an unknown id is null', async () => {
    const show = await givenShow()
    const userId = newUserId()
    const r = await store.insert({ userId, concertId: show.concertId, showId: show.id, date: show.date, seatNo: 4, price: 123_456, status: 'HELD', heldUntil: LIVE, createdAt: T0, paidAt: null })
    expect(r.id).toEqual(expect.any(Number))
    expect(await store.findById(r.id)).toEqual({ id: r.id, userId, concertId: show.concertId, showId: show.id, date: '2026-12-24', seatNo: 4, price: 123_456, status: 'HELD', heldUntil: LIVE, createdAt: T0, paidAt: null })
    expect(await store.findById(r.id + 1_000_000)).toBeNull()
  })

  it('releaseSeat frees only a live hold of the matching reservation', async () => {
    const show = await givenShow()
    const r = await hold(show, 1, newUserId(), LIVE)
    expect(await store.releaseSeat(seatOf(show, 1), r.id + 1, T0)).toBe(false)
    expect(await store.releaseSeat(seatOf(show, 1), r.id, LIVE)).toBe(false) // lapsed
    expect(await seatStatus(show, 1, T0)).toBe('HELD')
    expect(await store.releaseSeat(seatOf(show, 1), r.id, LIVE - 1)).toBe(true)
    expect(await seatStatus(show, 1, T0)).toBe('AVAILABLE')
    expect(await store.releaseSeat(seatOf(show, 1), r.id, T0)).toBe(false)
    expect(await seatRow(show, 1)).toEqual({ status: 'AVAILABLE', heldUntil: null, userId: null, reservationId: null })
    await hold(show, 1, newUserId(), LIVE)
  })

  it('sellSeat sells only a live hold of the matching reservation, and a sold seat stays sold', async () => {
    const show = await givenShow()
    const userId = newUserId()
    const r = await hold(show, 1, userId, LIVE)
    expect(await store.sellSeat(seatOf(show, 1), r.id + 1, userId, T0)).toBe(false)
    expect(await store.sellSeat(seatOf(show, 1), r.id, userId, LIVE)).toBe(false) // lapsed
    expect(await store.sellSeat(seatOf(show, 1), r.id, userId, LIVE - 1)).toBe(true)
    expect(await seatStatus(show, 1, LIVE * 2)).toBe('SOLD')
    expect(await store.sellSeat(seatOf(show, 1), r.id, userId, T0)).toBe(false)
    expect(await store.releaseSeat(seatOf(show, 1), r.id, T0)).toBe(false)
    expect(await store.releaseLapsedSeat({ ...seatOf(show, 1), reservationId: r.id }, LIVE * 2)).toBe(false)
  })

  it('setStatusFromHeld moves only a HELD reservation, and CONFIRMED records paidAt', async () => {
    const show = await givenShow()
    const a = await hold(show, 1, newUserId(), LIVE)
    const b = await hold(show, 2, newUserId(), LIVE)
    expect(await store.setStatusFromHeld(a.id, 'CONFIRMED', T0 + 5)).toBe(true)
    expect(await store.findById(a.id)).toMatchObject({ status: 'CONFIRMED', paidAt: T0 + 5 })
    expect(await store.setStatusFromHeld(a.id, 'CANCELLED', T0 + 6)).toBe(false)
    expect(await store.setStatusFromHeld(b.id, 'CANCELLED', T0 + 6)).toBe(true)
    expect(await store.findById(b.id)).toMatchObject({ status: 'CANCELLED', paidAt: null })
    expect(await store.setStatusFromHeld(b.id, 'CONFIRMED', T0 + 7)).toBe(false)
    expect(await store.setStatusFromHeld(b.id, 'EXPIRED', T0 + 7)).toBe(false)
  })

  describe('lapsed holds', () => {
    it('findLapsedHolds lists lapsed HELD seats with their reservation, not live or sold ones', async () => {
      const show = await givenShow()
      const userId = newUserId()
      const lapsed = await hold(show, 1, userId, T0 + 100)
      await hold(show, 2, userId, LIVE)
      const sold = await hold(show, 3, userId, T0 + 100)
      await store.sellSeat(seatOf(show, 3), sold.id, userId, T0)
      const found = (await store.findLapsedHolds(T0 + 100, 10_000)).filter(h => h.showId === show.id)
      expect(found).toEqual([{ showId: show.id, seatNo: 1, reservationId: lapsed.id }])
      expect(await store.findLapsedHolds(T0 + 100, 1)).toHaveLength(1)
    })

    it('releaseLapsedSeat frees a lapsed seat once, and not one held again meanwhile', async () => {
      const show = await givenShow()
      const a = await hold(show, 1, newUserId(), T0 + 100)
      const b = await hold(show, 2, newUserId(), T0 + 100)
      expect(await store.releaseLapsedSeat({ ...seatOf(show, 1), reservationId: a.id }, T0 + 99)).toBe(false)
      expect(await store.releaseLapsedSeat({ ...seatOf(show, 1), reservationId: a.id }, T0 + 100)).toBe(true)
      expect(await store.releaseLapsedSeat({ ...seatOf(show, 1), reservationId: a.id }, T0 + 100)).toBe(false)
      expect(await seatStatus(show, 1, T0)).toBe('AVAILABLE')

      await hold(show, 2, newUserId(), LIVE, T0 + 200) // takes over b's lapsed hold
      expect(await store.releaseLapsedSeat({ ...seatOf(show, 2), reservationId: b.id }, T0 + 200)).toBe(false)
      expect(await seatStatus(show, 2, T0 + 200)).toBe('HELD')
    })

    it('expireLapsedReservations marks every lapsed HELD reservation EXPIRED and says how many', async () => {
      const now = T0 + 1000
      await store.expireLapsedReservations(now) // tidy what earlier tests left
      const show = await givenShow()
      const a = await hold(show, 1, newUserId(), T0 + 100)
      const b = await hold(show, 2, newUserId(), now)
      const live = await hold(show, 3, newUserId(), now + 1)
      expect(await store.expireLapsedReservations(now)).toBe(2)
      expect((await store.findById(a.id))?.status).toBe('EXPIRED')
      expect((await store.findById(b.id))?.status).toBe('EXPIRED')
      expect((await store.findById(live.id))?.status).toBe('HELD')
      expect(await store.expireLapsedReservations(now)).toBe(0)
    })
  })

  describe('lockUserUnderHoldLimit', () => {
    const underLimit = (userId: string, showId: number, max: number, now: number) =>
      w.transact(tx => tx.reservations.lockUserUnderHoldLimit(userId, showId, max, now))

    it('is true below max live HELD reservations of the user on that show and false at it exactly', async () => {
      const show = await givenShow()
      const userId = newUserId()
      await w.stores.points.ensureUser(userId, T0)
      expect(await underLimit(userId, show.id, 1, T0)).toBe(true)
      await hold(show, 1, userId, LIVE)
      await hold(show, 2, userId, LIVE)
      expect(await underLimit(userId, show.id, 3, T0)).toBe(true)
      expect(await underLimit(userId, show.id, 2, T0)).toBe(false)
      await hold(show, 3, userId, LIVE)
      expect(await underLimit(userId, show.id, 3, T0)).toBe(false)
      expect(await underLimit(userId, show.id, 4, T0)).toBe(true)
    })

    it('counts only live HELD reservations: not lapsed, paid, cancelled, another show\'s or another user\'s', async () => {
      const show = await givenShow()
      const other = await givenShow()
      const userId = newUserId()
      await w.stores.points.ensureUser(userId, T0)
      await hold(show, 1, userId, LIVE)
      await hold(show, 2, userId, T0 + 100)
      const paid = await hold(show, 3, userId, LIVE)
      await store.setStatusFromHeld(paid.id, 'CONFIRMED', T0)
      const cancelled = await hold(show, 4, userId, LIVE)
      await store.setStatusFromHeld(cancelled.id, 'CANCELLED', T0)
      await hold(other, 1, userId, LIVE)
      await hold(show, 5, newUserId(), LIVE)
      // Live at T0: seats 1 and 2; at T0 + 100 (seat 2 lapses exactly then): seat 1 only; at LIVE: none.
      expect(await underLimit(userId, show.id, 2, T0)).toBe(false)
      expect(await underLimit(userId, show.id, 3, T0)).toBe(true)
      expect(await underLimit(userId, show.id, 2, T0 + 99)).toBe(false)
      expect(await underLimit(userId, show.id, 2, T0 + 100)).toBe(true)
      expect(await underLimit(userId, show.id, 1, T0 + 100)).toBe(false)
      expect(await underLimit(userId, show.id, 1, LIVE)).toBe(true)
      expect(await underLimit(userId, other.id, 1, T0)).toBe(false)
      expect(await underLimit(userId, other.id, 2, T0)).toBe(true)
      expect(await underLimit(userId, other.id + 10_000, 1, T0)).toBe(true)
    })

    it('creates a missing user row with balance 0 and keeps an existing balance', async () => {
      const show = await givenShow()
      const userId = newUserId()
      expect(await underLimit(userId, show.id, 1, T0)).toBe(true)
      expect(await w.stores.points.debit(userId, 0, T0)).toBe(true) // the row exists
      expect(await w.stores.points.balance(userId)).toBe(0)
      expect(await w.stores.points.credit(userId, 500, 1000, T0)).toBe(true)
      expect(await underLimit(userId, show.id, 1, T0 + 1)).toBe(true)
      expect(await w.stores.points.balance(userId)).toBe(500)
      await hold(show, 1, userId, LIVE)
      expect(await underLimit(userId, show.id, 1, T0 + 2)).toBe(false)
      expect(await w.stores.points.balance(userId)).toBe(500)
    })
  })

  it('listByUser lists the user\'s reservations newest first, up to the limit', async () => {
    const show = await givenShow()
    const userId = newUserId()
    const made = [await hold(show, 1, userId, LIVE), await hold(show, 2, userId, LIVE), await hold(show, 3, userId, LIVE)]
    await hold(show, 4, newUserId(), LIVE)
    expect((await store.listByUser(userId, 10)).map(r => r.id)).toEqual(made.map(r => r.id).reverse())
    expect((await store.listByUser(userId, 2)).map(r => r.seatNo)).toEqual([3, 2])
    expect(await store.listByUser(newUserId(), 10)).toEqual([])
  })
})

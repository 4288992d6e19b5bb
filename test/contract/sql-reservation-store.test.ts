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

  /** What holdSeat does inside its transaction: take the seat, insert the reservation, link the two. */
  async function hold (show: Show, seatNo: number, userId: string, heldUntil: number, now = T0): Promise<Reservation> {
    const price = await store.holdSeat(seatOf(show, seatNo), userId, heldUntil, now)
    if (price === null) throw new Error(`seat ${seatNo} is taken`)
    await store.expireLapsedOnSeat(seatOf(show, seatNo), now)
    const r = await store.insert({ userId, concertId: show.concertId, showId: show.id, date: show.date, seatNo, price, status: 'HELD', heldUntil, createdAt: now, paidAt: null })
    await store.attachToSeat(seatOf(show, seatNo), r.id)
    return r
  }

  describe('holdSeat', () => {
    it('takes an AVAILABLE seat for the user and returns its price', async () => {
      const show = await givenShow(3, 77_000)
      expect(await store.holdSeat(seatOf(show, 2), newUserId(), LIVE, T0)).toBe(77_000)
      expect(await seatStatus(show, 2, T0)).toBe('HELD')
      expect(await seatStatus(show, 1, T0)).toBe('AVAILABLE')
    })

    it('refuses a live hold (the holder\'s own too) and a sold seat with null', async () => {
      const show = await givenShow()
      const alice = newUserId()
      await hold(show, 1, alice, LIVE)
      expect(await store.holdSeat(seatOf(show, 1), newUserId(), LIVE + 1000, T0 + 1000)).toBeNull()
      expect(await store.holdSeat(seatOf(show, 1), alice, LIVE + 1000, T0 + 1000)).toBeNull()
      const bought = await hold(show, 2, alice, LIVE)
      expect(await store.sellSeat(seatOf(show, 2), bought.id, alice, T0)).toBe(true)
      expect(await store.holdSeat(seatOf(show, 2), newUserId(), LIVE * 2, LIVE * 2)).toBeNull()
    })

    it('takes over a lapsed hold exactly at held_until, not a millisecond before', async () => {
      const show = await givenShow()
      await hold(show, 1, newUserId(), LIVE)
      expect(await store.holdSeat(seatOf(show, 1), newUserId(), LIVE + 300_000, LIVE - 1)).toBeNull()
      expect(await store.holdSeat(seatOf(show, 1), newUserId(), LIVE + 300_000, LIVE)).toBe(50_000)
      expect(await seatStatus(show, 1, LIVE)).toBe('HELD')
    })

    it('returns null for a seat that does not exist, and seatExists tells the two cases apart', async () => {
      const show = await givenShow(3)
      expect(await store.holdSeat(seatOf(show, 4), newUserId(), LIVE, T0)).toBeNull()
      expect(await store.seatExists(seatOf(show, 4))).toBe(false)
      expect(await store.seatExists(seatOf(show, 3))).toBe(true)
      expect(await store.seatExists({ showId: show.id + 10_000, seatNo: 1 })).toBe(false)
    })
  })

  it('expireLapsedOnSeat marks only the lapsed HELD reservations of that seat EXPIRED', async () => {
    const show = await givenShow()
    const lapsed = await hold(show, 1, newUserId(), T0 + 100)
    const otherSeat = await hold(show, 2, newUserId(), T0 + 100)
    const live = await hold(show, 3, newUserId(), LIVE)
    await store.expireLapsedOnSeat(seatOf(show, 1), T0 + 100)
    await store.expireLapsedOnSeat(seatOf(show, 3), T0 + 100)
    expect((await store.findById(lapsed.id))?.status).toBe('EXPIRED')
    expect((await store.findById(otherSeat.id))?.status).toBe('HELD')
    expect((await store.findById(live.id))?.status).toBe('HELD')
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
    expect(await store.holdSeat(seatOf(show, 1), newUserId(), LIVE, T0)).toBe(50_000)
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

  it('countLiveHolds counts the user\'s live HELD reservations on that show only', async () => {
    const show = await givenShow()
    const other = await givenShow()
    const userId = newUserId()
    await hold(show, 1, userId, LIVE)
    await hold(show, 2, userId, T0 + 100)
    const paid = await hold(show, 3, userId, LIVE)
    await store.setStatusFromHeld(paid.id, 'CONFIRMED', T0)
    await hold(other, 1, userId, LIVE)
    await hold(show, 4, newUserId(), LIVE)
    expect(await store.countLiveHolds(userId, show.id, T0)).toBe(2)
    expect(await store.countLiveHolds(userId, show.id, T0 + 100)).toBe(1)
    expect(await store.countLiveHolds(userId, show.id, LIVE)).toBe(0)
    expect(await store.countLiveHolds(newUserId(), show.id, T0)).toBe(0)
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

  it('lockUser creates a missing user row with balance 0 and keeps an existing balance', async () => {
    const userId = newUserId()
    await w.transact(tx => tx.reservations.lockUser(userId, T0))
    expect(await w.stores.points.debit(userId, 0, T0)).toBe(true) // the row exists
    expect(await w.stores.points.credit(userId, 500, 1000, T0)).toBe(true)
    await w.transact(tx => tx.reservations.lockUser(userId, T0 + 1))
    expect(await w.stores.points.balance(userId)).toBe(500)
  })
})

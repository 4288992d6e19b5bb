// Contract: ReservationStore on every SQL backend (SQLite in memory and a real MariaDB/MySQL database).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Show } from '../../src/modules/concerts/concert.js'
import type { Reservation } from '../../src/modules/reservations/reservation.js'
import type { ReservationStore } from '../../src/modules/reservations/reservation-store.js'
import { SQL_BACKENDS } from '../support/backends.js'
import { SeatsTaken, T0, givenConcert, givenHold, newUserId, openSqlWorld, type SqlWorld } from '../support/factories.js'

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
  const seatsOf = (show: Show, ...seatNos: number[]) => ({ showId: show.id, seatNos })
  const seatStatus = async (show: Show, seatNo: number, now: number) => (await w.concerts.listSeats(show.id, now)).find(s => s.seatNo === seatNo)?.status

  /** The seat's row as stored (whatever the time). */
  async function seatRow (show: Show, seatNo: number) {
    const r = await w.database.db.selectFrom('seats').select(['status', 'held_until', 'user_id', 'reservation_id'])
      .where('show_id', '=', show.id).where('seat_no', '=', seatNo).executeTakeFirstOrThrow()
    return { status: r.status, heldUntil: r.held_until === null ? null : Number(r.held_until), userId: r.user_id, reservationId: r.reservation_id === null ? null : Number(r.reservation_id) }
  }

  /** A HELD reservation row with its seats recorded, not yet holding them. */
  async function insertHeld (show: Show, seatNos: number[], userId: string, heldUntil: number, now = T0, price = 50_000 * seatNos.length): Promise<Reservation> {
    const r = await store.insert({ userId, concertId: show.concertId, showId: show.id, date: show.date, seatNos, price, status: 'HELD', heldUntil, createdAt: now, paidAt: null })
    await store.addSeats(r.id, seatsOf(show, ...seatNos))
    return r
  }

  const hold = (show: Show, seatNos: number[], userId: string, heldUntil: number, now = T0) => givenHold(w, show, seatNos, userId, heldUntil, now)

  describe('holdSeats', () => {
    it('takes every free seat asked for: HELD until heldUntil, with its user and reservation id, and says how many', async () => {
      const show = await givenShow(5, 77_000)
      const userId = newUserId()
      const r = await insertHeld(show, [2, 3, 4], userId, LIVE)
      expect(await store.holdSeats(seatsOf(show, 2, 3, 4), r.id, userId, LIVE, T0)).toBe(3)
      for (const n of [2, 3, 4]) expect(await seatRow(show, n)).toEqual({ status: 'HELD', heldUntil: LIVE, userId, reservationId: r.id })
      expect(await seatStatus(show, 1, T0)).toBe('AVAILABLE')
      expect(await seatRow(show, 5)).toEqual({ status: 'AVAILABLE', heldUntil: null, userId: null, reservationId: null })
    })

    it('counts only the free ones when some are taken, and a transaction that then rolls back holds none of them', async () => {
      const show = await givenShow()
      const alice = newUserId()
      const first = await hold(show, [3], alice, LIVE)
      const bob = newUserId()
      const r = await insertHeld(show, [2, 3, 4], bob, LIVE)
      expect(await store.seatsNotHeldBy(seatsOf(show, 2, 3, 4), r.id)).toEqual([2, 3, 4])
      await expect(hold(show, [2, 3, 4], bob, LIVE)).rejects.toBeInstanceOf(SeatsTaken)
      for (const n of [2, 4]) expect(await seatRow(show, n)).toMatchObject({ status: 'AVAILABLE', reservationId: null })
      expect(await seatRow(show, 3)).toEqual({ status: 'HELD', heldUntil: LIVE, userId: alice, reservationId: first.id })
      // Inside the transaction, before it rolls back: two of three, and the third is named.
      await w.transact(async (tx) => {
        const mine = await tx.reservations.insert({ userId: bob, concertId: show.concertId, showId: show.id, date: show.date, seatNos: [2, 3, 4], price: 1, status: 'HELD', heldUntil: LIVE, createdAt: T0, paidAt: null })
        expect(await tx.reservations.holdSeats(seatsOf(show, 2, 3, 4), mine.id, bob, LIVE, T0)).toBe(2)
        expect(await tx.reservations.seatsNotHeldBy(seatsOf(show, 2, 3, 4), mine.id)).toEqual([3])
        throw new SeatsTaken([2, 3, 4], 2)
      }).catch((err: unknown) => { if (!(err instanceof SeatsTaken)) throw err })
      expect(await seatRow(show, 2)).toMatchObject({ status: 'AVAILABLE' })
    })

    it('refuses a live hold (the holder\'s own too) and a sold seat, leaving the seat as it was', async () => {
      const show = await givenShow()
      const alice = newUserId()
      const first = await hold(show, [1], alice, LIVE)
      const bob = newUserId()
      expect(await store.holdSeats(seatsOf(show, 1), first.id + 1000, bob, LIVE + 1000, T0 + 1000)).toBe(0)
      expect(await store.holdSeats(seatsOf(show, 1), first.id + 1001, alice, LIVE + 1000, T0 + 1000)).toBe(0)
      expect(await seatRow(show, 1)).toEqual({ status: 'HELD', heldUntil: LIVE, userId: alice, reservationId: first.id })
      const bought = await hold(show, [2], alice, LIVE)
      expect(await store.sellSeats(seatsOf(show, 2), bought.id, alice, T0)).toBe(1)
      expect(await store.holdSeats(seatsOf(show, 2), bought.id + 1000, bob, LIVE * 2, LIVE * 2)).toBe(0)
      expect(await seatRow(show, 2)).toMatchObject({ status: 'SOLD', userId: alice })
    })

    it('takes over a lapsed hold exactly at held_until, not a millisecond before, and links the new reservation', async () => {
      const show = await givenShow()
      const old = await hold(show, [1], newUserId(), LIVE)
      const bob = newUserId()
      const next = await insertHeld(show, [1], bob, LIVE + 300_000, LIVE)
      expect(await store.holdSeats(seatsOf(show, 1), next.id, bob, LIVE + 300_000, LIVE - 1)).toBe(0)
      expect(await seatRow(show, 1)).toMatchObject({ heldUntil: LIVE, reservationId: old.id })
      expect(await store.holdSeats(seatsOf(show, 1), next.id, bob, LIVE + 300_000, LIVE)).toBe(1)
      expect(await seatRow(show, 1)).toEqual({ status: 'HELD', heldUntil: LIVE + 300_000, userId: bob, reservationId: next.id })
      expect(await seatStatus(show, 1, LIVE)).toBe('HELD')
    })

    it('does not count seats that do not exist, and creates none', async () => {
      const show = await givenShow(3)
      const userId = newUserId()
      const r = await insertHeld(show, [3, 4], userId, LIVE)
      expect(await store.holdSeats(seatsOf(show, 3, 4), r.id, userId, LIVE, T0)).toBe(1)
      expect(await store.seatsNotHeldBy(seatsOf(show, 3, 4), r.id)).toEqual([4])
      expect(await store.holdSeats({ showId: show.id + 10_000, seatNos: [1] }, r.id, userId, LIVE, T0)).toBe(0)
      expect((await w.concerts.listSeatStates(show.id)).map(s => s.seatNo)).toEqual([1, 2, 3])
    })
  })

  it('insert, addSeats and findById round-trip every field, seats ascending; an unknown id is null', async () => {
    const show = await givenShow()
    const userId = newUserId()
    const r = await insertHeld(show, [2, 4, 5], userId, LIVE, T0, 123_456)
    expect(r).toEqual({ id: expect.any(Number), userId, concertId: show.concertId, showId: show.id, date: '2026-12-24', seatNo: 2, seatNos: [2, 4, 5], price: 123_456, status: 'HELD', heldUntil: LIVE, createdAt: T0, paidAt: null, refundedAt: null })
    expect(await store.findById(r.id)).toEqual(r)
    expect(await store.findById(r.id + 1_000_000)).toBeNull()
  })

  it('a reservation row from before orders (no reservation_seats rows) reads as its one seat', async () => {
    const show = await givenShow()
    const res = await w.database.db.insertInto('reservations').values({
      user_id: newUserId(), concert_id: show.concertId, show_id: show.id, show_date: show.date, seat_no: 4, price: 50_000, status: 'CANCELLED', held_until: LIVE, created_at: T0, paid_at: null
    }).executeTakeFirstOrThrow()
    expect(await store.findById(Number(res.insertId))).toMatchObject({ seatNo: 4, seatNos: [4], price: 50_000, refundedAt: null })
  })

  it('releaseSeats frees only a live hold of the matching reservation, all its seats at once', async () => {
    const show = await givenShow()
    const r = await hold(show, [1, 2], newUserId(), LIVE)
    expect(await store.releaseSeats(seatsOf(show, 1, 2), r.id + 1, T0)).toBe(0)
    expect(await store.releaseSeats(seatsOf(show, 1, 2), r.id, LIVE)).toBe(0) // lapsed
    expect(await seatStatus(show, 1, T0)).toBe('HELD')
    expect(await store.releaseSeats(seatsOf(show, 1, 2), r.id, LIVE - 1)).toBe(2)
    expect(await seatStatus(show, 2, T0)).toBe('AVAILABLE')
    expect(await store.releaseSeats(seatsOf(show, 1, 2), r.id, T0)).toBe(0)
    expect(await seatRow(show, 1)).toEqual({ status: 'AVAILABLE', heldUntil: null, userId: null, reservationId: null })
    await hold(show, [1, 2], newUserId(), LIVE)
  })

  it('sellSeats sells only a live hold of the matching reservation, and a sold seat stays sold', async () => {
    const show = await givenShow()
    const userId = newUserId()
    const r = await hold(show, [1, 3], userId, LIVE)
    expect(await store.sellSeats(seatsOf(show, 1, 3), r.id + 1, userId, T0)).toBe(0)
    expect(await store.sellSeats(seatsOf(show, 1, 3), r.id, userId, LIVE)).toBe(0) // lapsed
    expect(await store.sellSeats(seatsOf(show, 1, 3), r.id, userId, LIVE - 1)).toBe(2)
    expect(await seatStatus(show, 3, LIVE * 2)).toBe('SOLD')
    expect(await seatRow(show, 1)).toEqual({ status: 'SOLD', heldUntil: null, userId, reservationId: r.id })
    expect(await store.sellSeats(seatsOf(show, 1, 3), r.id, userId, T0)).toBe(0)
    expect(await store.releaseSeats(seatsOf(show, 1, 3), r.id, T0)).toBe(0)
    expect(await store.releaseLapsedSeat({ showId: show.id, seatNo: 1, reservationId: r.id }, LIVE * 2)).toBe(false)
  })

  it('refundSeats frees only seats sold for the matching reservation, once', async () => {
    const show = await givenShow()
    const userId = newUserId()
    const r = await hold(show, [1, 2], userId, LIVE)
    const other = await hold(show, [3], newUserId(), LIVE)
    expect(await store.refundSeats(seatsOf(show, 1, 2), r.id)).toBe(0) // held, not sold
    await store.sellSeats(seatsOf(show, 1, 2), r.id, userId, T0)
    await store.sellSeats(seatsOf(show, 3), other.id, other.userId, T0)
    expect(await store.refundSeats(seatsOf(show, 1, 2, 3), r.id)).toBe(2)
    expect(await seatRow(show, 1)).toEqual({ status: 'AVAILABLE', heldUntil: null, userId: null, reservationId: null })
    expect(await seatRow(show, 3)).toMatchObject({ status: 'SOLD', reservationId: other.id })
    expect(await store.refundSeats(seatsOf(show, 1, 2), r.id)).toBe(0)
  })

  it('setStatusFromHeld moves only a HELD reservation, and CONFIRMED records paidAt', async () => {
    const show = await givenShow()
    const a = await hold(show, [1], newUserId(), LIVE)
    const b = await hold(show, [2], newUserId(), LIVE)
    expect(await store.setStatusFromHeld(a.id, 'CONFIRMED', T0 + 5)).toBe(true)
    expect(await store.findById(a.id)).toMatchObject({ status: 'CONFIRMED', paidAt: T0 + 5 })
    expect(await store.setStatusFromHeld(a.id, 'CANCELLED', T0 + 6)).toBe(false)
    expect(await store.setStatusFromHeld(b.id, 'CANCELLED', T0 + 6)).toBe(true)
    expect(await store.findById(b.id)).toMatchObject({ status: 'CANCELLED', paidAt: null })
    expect(await store.setStatusFromHeld(b.id, 'CONFIRMED', T0 + 7)).toBe(false)
    expect(await store.setStatusFromHeld(b.id, 'EXPIRED', T0 + 7)).toBe(false)
  })

  it('markRefunded moves only a CONFIRMED reservation to REFUNDED, with refundedAt, once', async () => {
    const show = await givenShow()
    const r = await hold(show, [1], newUserId(), LIVE)
    expect(await store.markRefunded(r.id, T0 + 9)).toBe(false) // still HELD
    await store.setStatusFromHeld(r.id, 'CONFIRMED', T0 + 5)
    expect(await store.markRefunded(r.id, T0 + 9)).toBe(true)
    expect(await store.findById(r.id)).toMatchObject({ status: 'REFUNDED', paidAt: T0 + 5, refundedAt: T0 + 9 })
    expect(await store.markRefunded(r.id, T0 + 10)).toBe(false)
    expect(await store.findById(r.id)).toMatchObject({ refundedAt: T0 + 9 })
  })

  describe('lapsed holds', () => {
    it('findLapsedReservations lists lapsed HELD reservations with their seats, not live, paid or cancelled ones', async () => {
      const now = LIVE * 3
      const show = await givenShow()
      const userId = newUserId()
      const lapsed = await hold(show, [1, 2], userId, now - 200, now - 300)
      await hold(show, [3], userId, now + 1, now - 300)
      const paid = await hold(show, [4], userId, now - 100, now - 300)
      await store.setStatusFromHeld(paid.id, 'CONFIRMED', now - 300)
      const found = (await store.findLapsedReservations(now, 10_000)).filter(r => r.showId === show.id)
      expect(found).toEqual([lapsed])
      expect(await store.findLapsedReservations(now, 1)).toHaveLength(1)
    })

    it('releaseLapsedSeat frees a lapsed seat of that reservation once, and not one held again meanwhile', async () => {
      const show = await givenShow()
      const a = await hold(show, [1], newUserId(), T0 + 100)
      const b = await hold(show, [2], newUserId(), T0 + 100)
      expect(await store.releaseLapsedSeat({ showId: show.id, seatNo: 1, reservationId: a.id }, T0 + 99)).toBe(false)
      expect(await store.releaseLapsedSeat({ showId: show.id, seatNo: 1, reservationId: b.id }, T0 + 100)).toBe(false)
      expect(await store.releaseLapsedSeat({ showId: show.id, seatNo: 1, reservationId: a.id }, T0 + 100)).toBe(true)
      expect(await store.releaseLapsedSeat({ showId: show.id, seatNo: 1, reservationId: a.id }, T0 + 100)).toBe(false)
      expect(await seatStatus(show, 1, T0)).toBe('AVAILABLE')

      await hold(show, [2], newUserId(), LIVE, T0 + 200) // takes over b's lapsed hold
      expect(await store.releaseLapsedSeat({ showId: show.id, seatNo: 2, reservationId: b.id }, T0 + 200)).toBe(false)
      expect(await seatStatus(show, 2, T0 + 200)).toBe('HELD')
    })
  })

  describe('lockUserWithRoomFor', () => {
    const room = (userId: string, showId: number, seats: number, max: number, now: number) =>
      w.transact(tx => tx.reservations.lockUserWithRoomFor(userId, showId, seats, max, now))

    it('is true while the seats of live holds plus the new ones stay within max, and false past it', async () => {
      const show = await givenShow()
      const userId = newUserId()
      await w.stores.points.ensureUser(userId, T0)
      expect(await room(userId, show.id, 4, 4, T0)).toBe(true)
      expect(await room(userId, show.id, 5, 4, T0)).toBe(false)
      await hold(show, [1, 2], userId, LIVE)
      expect(await room(userId, show.id, 2, 4, T0)).toBe(true)
      expect(await room(userId, show.id, 3, 4, T0)).toBe(false)
      await hold(show, [3], userId, LIVE)
      expect(await room(userId, show.id, 1, 4, T0)).toBe(true)
      expect(await room(userId, show.id, 1, 3, T0)).toBe(false)
    })

    it('counts only live HELD seats: not lapsed, paid, cancelled, another show\'s or another user\'s', async () => {
      const show = await givenShow(8)
      const other = await givenShow()
      const userId = newUserId()
      await w.stores.points.ensureUser(userId, T0)
      await hold(show, [1], userId, LIVE)
      await hold(show, [2, 3], userId, T0 + 100)
      const paid = await hold(show, [4], userId, LIVE)
      await store.setStatusFromHeld(paid.id, 'CONFIRMED', T0)
      const cancelled = await hold(show, [5], userId, LIVE)
      await store.setStatusFromHeld(cancelled.id, 'CANCELLED', T0)
      await hold(other, [1], userId, LIVE)
      await hold(show, [6], newUserId(), LIVE)
      // Live at T0: seats 1, 2, 3; at T0 + 100 (2 and 3 lapse exactly then): seat 1 only; at LIVE: none.
      expect(await room(userId, show.id, 1, 3, T0)).toBe(false)
      expect(await room(userId, show.id, 1, 4, T0)).toBe(true)
      expect(await room(userId, show.id, 2, 3, T0 + 99)).toBe(false)
      expect(await room(userId, show.id, 2, 3, T0 + 100)).toBe(true)
      expect(await room(userId, show.id, 1, 1, T0 + 100)).toBe(false)
      expect(await room(userId, show.id, 1, 1, LIVE)).toBe(true)
      expect(await room(userId, other.id, 1, 1, T0)).toBe(false)
      expect(await room(userId, other.id + 10_000, 1, 1, T0)).toBe(true)
    })

    it('creates a missing user row with balance 0 and keeps an existing balance', async () => {
      const show = await givenShow()
      const userId = newUserId()
      expect(await room(userId, show.id, 1, 1, T0)).toBe(true)
      expect(await w.stores.points.debit(userId, 0, T0)).toBe(true) // the row exists
      expect(await w.stores.points.balance(userId)).toBe(0)
      expect(await w.stores.points.credit(userId, 500, 1000, T0)).toBe(true)
      expect(await room(userId, show.id, 1, 1, T0 + 1)).toBe(true)
      expect(await w.stores.points.balance(userId)).toBe(500)
      await hold(show, [1], userId, LIVE)
      expect(await room(userId, show.id, 1, 1, T0 + 2)).toBe(false)
      expect(await w.stores.points.balance(userId)).toBe(500)
    })
  })

  it('freeSeatNos lists AVAILABLE seats and lapsed holds, ascending', async () => {
    const show = await givenShow(6)
    const userId = newUserId()
    await hold(show, [2], userId, LIVE)
    await hold(show, [4], userId, T0 + 100)
    const sold = await hold(show, [5], userId, LIVE)
    await store.sellSeats(seatsOf(show, 5), sold.id, userId, T0)
    expect(await store.freeSeatNos(show.id, T0)).toEqual([1, 3, 6])
    expect(await store.freeSeatNos(show.id, T0 + 100)).toEqual([1, 3, 4, 6])
    expect(await store.freeSeatNos(show.id + 10_000, T0)).toEqual([])
  })

  it('lockSeats reads the seats as committed, ascending, and lockShow answers for any show', async () => {
    const show = await givenShow(4)
    const userId = newUserId()
    await hold(show, [3], userId, LIVE)
    const states = await w.transact(async (tx) => {
      await tx.reservations.lockShow(show.id)
      return tx.reservations.lockSeats(seatsOf(show, 4, 3, 1, 9))
    })
    expect(states).toEqual([
      { seatNo: 1, status: 'AVAILABLE', heldUntil: null },
      { seatNo: 3, status: 'HELD', heldUntil: LIVE },
      { seatNo: 4, status: 'AVAILABLE', heldUntil: null }
    ])
    expect(await w.transact(tx => tx.reservations.lockSeats(seatsOf(show)))).toEqual([])
  })

  it('listByUser lists the user\'s reservations with their seats, newest first, up to the limit', async () => {
    const show = await givenShow()
    const userId = newUserId()
    const made = [await hold(show, [1], userId, LIVE), await hold(show, [2, 3], userId, LIVE), await hold(show, [4], userId, LIVE)]
    await hold(show, [5], newUserId(), LIVE)
    expect(await store.listByUser(userId, 10)).toEqual([...made].reverse())
    expect((await store.listByUser(userId, 2)).map(r => r.seatNos)).toEqual([[4], [2, 3]])
    expect(await store.listByUser(newUserId(), 10)).toEqual([])
  })
})

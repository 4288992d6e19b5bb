// Contract: the conditional statements hold under real concurrency (50 transactions at once on one row).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SQL_BACKENDS } from '../support/backends.js'
import { T0, givenBalance, givenConcert, newUserId, openSqlWorld, type SqlWorld } from '../support/factories.js'

/** A hold that lost its seat: thrown to roll its transaction back, as the use case does. */
class SeatTaken extends Error {}

// Meant for MariaDB/MySQL, where the transactions really overlap; SQLite (serialised) must agree.
describe.each(SQL_BACKENDS)('concurrent transactions on %s', (backend) => {
  let w: SqlWorld
  beforeAll(async () => { w = await openSqlWorld(backend, 'concurrency') })
  afterAll(async () => { await w?.close() })

  it('50 concurrent transactions holding the same seat: exactly one gets it, and the others\' reservations roll back', async () => {
    const { show } = await givenConcert(w.concerts, { seats: 1, price: 5000 })
    const seat = { showId: show.id, seatNo: 1 }
    const price = (await w.concerts.listSeatStates(show.id))[0].price
    const users = Array.from({ length: 50 }, () => newUserId())
    const outcomes = await Promise.all(users.map(userId => w.transact(async (tx) => {
      const r = await tx.reservations.insert({ userId, concertId: show.concertId, showId: show.id, date: show.date, seatNo: 1, price, status: 'HELD', heldUntil: T0 + 300_000, createdAt: T0, paidAt: null })
      if (!await tx.reservations.holdSeat(seat, r.id, userId, T0 + 300_000, T0)) throw new SeatTaken()
      return r
    }).catch((err: unknown) => { if (err instanceof SeatTaken) return null; throw err })))
    const winners = outcomes.filter(r => r !== null)
    expect(winners).toHaveLength(1)
    expect(winners[0].price).toBe(5000)
    const held = await w.database.db.selectFrom('reservations').select(['id', 'user_id']).where('show_id', '=', show.id).execute()
    expect(held.map(r => [Number(r.id), r.user_id])).toEqual([[winners[0].id, winners[0].userId]])
    const row = await w.database.db.selectFrom('seats').select(['user_id', 'reservation_id']).where('show_id', '=', show.id).executeTakeFirstOrThrow()
    expect([row.user_id, Number(row.reservation_id)]).toEqual([winners[0].userId, winners[0].id])
    expect(await w.stores.reservations.releaseSeat(seat, winners[0].id, T0)).toBe(true)
  })

  it('50 concurrent debits of 100 from a balance of 1,000: exactly 10 succeed and the balance is 0', async () => {
    const userId = newUserId()
    await givenBalance(w, userId, 1000)
    const results = await Promise.all(Array.from({ length: 50 }, () => w.transact(async (tx) => {
      if (!await tx.points.debit(userId, 100, T0)) return false
      const balance = await tx.points.balance(userId)
      await tx.points.addEntry({ userId, type: 'USE', amount: 100, balanceAfter: balance, reservationId: null, createdAt: T0 })
      return true
    })))
    expect(results.filter(Boolean)).toHaveLength(10)
    expect(await w.stores.points.balance(userId)).toBe(0)
    const history = await w.stores.points.history(userId, 100)
    expect(history).toHaveLength(10)
    expect(history.map(e => e.balanceAfter).sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900])
  })

  it('lockUserUnderHoldLimit serialises one user\'s holds: 20 concurrent hold sequences under a limit of 4 leave exactly 4', async () => {
    const { show } = await givenConcert(w.concerts, { seats: 20, price: 1000 })
    const userId = newUserId()
    await w.stores.points.ensureUser(userId, T0)
    const held = await Promise.all(Array.from({ length: 20 }, (_, i) => w.transact(async (tx) => {
      if (!await tx.reservations.lockUserUnderHoldLimit(userId, show.id, 4, T0)) return false
      const seat = { showId: show.id, seatNo: i + 1 }
      const r = await tx.reservations.insert({ userId, concertId: show.concertId, showId: show.id, date: show.date, seatNo: seat.seatNo, price: 1000, status: 'HELD', heldUntil: T0 + 300_000, createdAt: T0, paidAt: null })
      if (!await tx.reservations.holdSeat(seat, r.id, userId, T0 + 300_000, T0)) throw new SeatTaken() // every seat is a different one
      return true
    })))
    expect(held.filter(Boolean)).toHaveLength(4)
    const rows = await w.database.db.selectFrom('reservations').select(['seat_no', 'status'])
      .where('user_id', '=', userId).where('show_id', '=', show.id).execute()
    expect(rows).toHaveLength(4)
    expect(rows.every(r => r.status === 'HELD')).toBe(true)
    const seats = await w.database.db.selectFrom('seats').select('seat_no').where('show_id', '=', show.id).where('status', '=', 'HELD').execute()
    expect(seats.map(s => Number(s.seat_no)).sort((a, b) => a - b)).toEqual(rows.map(r => Number(r.seat_no)).sort((a, b) => a - b))
    expect(await w.transact(tx => tx.reservations.lockUserUnderHoldLimit(userId, show.id, 4, T0))).toBe(false)
  })

  it('lockUserUnderHoldLimit on a user without a row, from 20 transactions at once, creates one row and none fails', async () => {
    const { show } = await givenConcert(w.concerts, { seats: 1 })
    const userId = newUserId()
    const results = await Promise.all(Array.from({ length: 20 }, () => w.transact(tx => tx.reservations.lockUserUnderHoldLimit(userId, show.id, 4, T0))))
    expect(results).toEqual(Array.from({ length: 20 }, () => true))
    const rows = await w.database.db.selectFrom('users').select('balance').where('id', '=', userId).execute()
    expect(rows.map(r => Number(r.balance))).toEqual([0])
  })
})

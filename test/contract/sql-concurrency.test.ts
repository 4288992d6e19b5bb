// Contract: the conditional statements hold under real concurrency (many transactions at once on the same rows).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SQL_BACKENDS } from '../support/backends.js'
import { SeatsTaken, T0, givenBalance, givenConcert, givenHold, newUserId, openSqlWorld, type SqlWorld } from '../support/factories.js'
import { sleep } from '../support/ports.js'

const LIVE = T0 + 300_000
/** A hold that found a seat taken; its transaction rolled back. */
const lost = (err: unknown): null => { if (err instanceof SeatsTaken) return null; throw err }

// Meant for MariaDB/MySQL, where the transactions really overlap; SQLite (serialised) must agree.
describe.each(SQL_BACKENDS)('concurrent transactions on %s', (backend) => {
  let w: SqlWorld
  beforeAll(async () => { w = await openSqlWorld(backend, 'concurrency') })
  afterAll(async () => { await w?.close() })

  it('50 concurrent transactions holding the same seat: exactly one gets it, and the others\' reservations roll back', async () => {
    const { show } = await givenConcert(w.concerts, { seats: 1, price: 5000 })
    const users = Array.from({ length: 50 }, () => newUserId())
    const outcomes = await Promise.all(users.map(userId => givenHold(w, show, [1], userId, LIVE).catch(lost)))
    const winners = outcomes.filter(r => r !== null)
    expect(winners).toHaveLength(1)
    expect(winners[0].price).toBe(5000)
    const held = await w.database.db.selectFrom('reservations').select(['id', 'user_id']).where('show_id', '=', show.id).execute()
    expect(held.map(r => [Number(r.id), r.user_id])).toEqual([[winners[0].id, winners[0].userId]])
    const rows = await w.database.db.selectFrom('reservation_seats').select('reservation_id').where('show_id', '=', show.id).execute()
    expect(rows.map(r => Number(r.reservation_id))).toEqual([winners[0].id])
    const row = await w.database.db.selectFrom('seats').select(['user_id', 'reservation_id']).where('show_id', '=', show.id).executeTakeFirstOrThrow()
    expect([row.user_id, Number(row.reservation_id)]).toEqual([winners[0].userId, winners[0].id])
  })

  it('60 concurrent group holds of overlapping seats: every winner has all its seats, no seat is in two holds, losers hold nothing', async () => {
    const { show } = await givenConcert(w.concerts, { seats: 12, price: 1000 })
    // Blocks of 1–4 seats starting anywhere: plenty of overlaps.
    const wanted = Array.from({ length: 60 }, (_, i) => {
      const size = 1 + (i % 4)
      const start = 1 + ((i * 7) % (13 - size))
      return Array.from({ length: size }, (_, k) => start + k)
    })
    const outcomes = await Promise.all(wanted.map(seatNos => givenHold(w, show, seatNos, newUserId(), LIVE).catch(lost)))
    const winners = outcomes.filter(r => r !== null)
    expect(winners.length).toBeGreaterThan(0)
    const seats = await w.database.db.selectFrom('seats').select(['seat_no', 'status', 'reservation_id']).where('show_id', '=', show.id).execute()
    const holderOf = new Map(seats.filter(s => s.status === 'HELD').map(s => [Number(s.seat_no), Number(s.reservation_id)]))
    const claimed = winners.flatMap(r => r.seatNos)
    expect(new Set(claimed).size).toBe(claimed.length)
    for (const r of winners) for (const n of r.seatNos) expect(holderOf.get(n)).toBe(r.id)
    expect(holderOf.size).toBe(claimed.length)
    const reservations = await w.database.db.selectFrom('reservations').select('id').where('show_id', '=', show.id).execute()
    expect(reservations.map(r => Number(r.id)).sort((a, b) => a - b)).toEqual(winners.map(r => r.id).sort((a, b) => a - b))
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

  it('lockUserWithRoomFor serialises one user\'s holds: 20 concurrent holds of 1–2 seats under a limit of 4 leave exactly 4 seats', async () => {
    const { show } = await givenConcert(w.concerts, { seats: 40, price: 1000 })
    const userId = newUserId()
    await w.stores.points.ensureUser(userId, T0)
    const held = await Promise.all(Array.from({ length: 20 }, (_, i) => w.transact(async (tx) => {
      const seatNos = i % 2 === 0 ? [2 * i + 1] : [2 * i + 1, 2 * i + 2] // every hold its own seats
      if (!await tx.reservations.lockUserWithRoomFor(userId, show.id, seatNos.length, 4, T0)) return 0
      const r = await tx.reservations.insert({ userId, concertId: show.concertId, showId: show.id, date: show.date, seatNos, price: 1000, status: 'HELD', heldUntil: LIVE, createdAt: T0, paidAt: null })
      await tx.reservations.addSeats(r.id, { showId: show.id, seatNos })
      if (await tx.reservations.holdSeats({ showId: show.id, seatNos }, r.id, userId, LIVE, T0) < seatNos.length) throw new SeatsTaken(seatNos, 0)
      return seatNos.length
    })))
    const total = held.reduce((a, b) => a + b, 0)
    // One at a time, the ten 1-seat holds always fill the limit exactly; overlapping checks would pass it.
    expect(total).toBe(4)
    const seats = await w.database.db.selectFrom('seats').select('seat_no').where('show_id', '=', show.id).where('status', '=', 'HELD').execute()
    expect(seats).toHaveLength(total)
    expect(await w.transact(tx => tx.reservations.lockUserWithRoomFor(userId, show.id, 4 - total + 1, 4, T0))).toBe(false)
  })

  it('lockUserWithRoomFor on a user without a row, from 20 transactions at once, creates one row and none fails', async () => {
    const { show } = await givenConcert(w.concerts, { seats: 1 })
    const userId = newUserId()
    const results = await Promise.all(Array.from({ length: 20 }, () => w.transact(tx => tx.reservations.lockUserWithRoomFor(userId, show.id, 1, 4, T0))))
    expect(results).toEqual(Array.from({ length: 20 }, () => true))
    const rows = await w.database.db.selectFrom('users').select('balance').where('id', '=', userId).execute()
    expect(rows.map(r => Number(r.balance))).toEqual([0])
  })

  // Why the no-single-seat-gap rule can be decided inside the transaction: a second reader of the row waits
  // for the first transaction and then sees what it committed, not the row as it was.
  it('lockSeats makes a second transaction wait for the first and read its committed change', async () => {
    const { show } = await givenConcert(w.concerts, { seats: 4 })
    const userId = newUserId()
    let release!: () => void
    const released = new Promise<void>((resolve) => { release = resolve })
    let started!: () => void
    const first = new Promise<void>((resolve) => { started = resolve })
    const one = w.transact(async (tx) => {
      await tx.reservations.lockSeats({ showId: show.id, seatNos: [1, 2, 3, 4] })
      const r = await tx.reservations.insert({ userId, concertId: show.concertId, showId: show.id, date: show.date, seatNos: [2], price: 1, status: 'HELD', heldUntil: LIVE, createdAt: T0, paidAt: null })
      expect(await tx.reservations.holdSeats({ showId: show.id, seatNos: [2] }, r.id, userId, LIVE, T0)).toBe(1)
      started()
      await released
    })
    await first
    const two = w.transact(tx => tx.reservations.lockSeats({ showId: show.id, seatNos: [1, 2, 3, 4] }))
    await sleep(50) // the second is waiting for the first's locks (MySQL) or for its turn (SQLite)
    release()
    await one
    expect((await two).map(s => s.status)).toEqual(['AVAILABLE', 'HELD', 'AVAILABLE', 'AVAILABLE'])
  })
})

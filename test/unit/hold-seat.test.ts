// Unit: holdSeat over SQLite in memory, a manual clock, memory seat events and a recording gate.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getReservation, listUserReservations } from '../../src/modules/reservations/get-reservation.js'
import { holdSeat } from '../../src/modules/reservations/hold-seat.js'
import { MINUTE, T0, givenConcert, openBookingWorld, type BookingWorld } from '../support/factories.js'

const TTL = 5 * MINUTE

describe('holdSeat', () => {
  let w: BookingWorld
  beforeEach(async () => { w = await openBookingWorld({ holdTtlMs: TTL, maxHoldsPerUser: 2, seats: 10, price: 150_000 }) })
  afterEach(async () => { await w.close() })

  const read = (id: number, userId: string) => getReservation({ reservations: w.stores.reservations, concerts: w.concerts, clock: w.clock }, { id, userId, isAdmin: false })

  it('holding a seat gives a HELD reservation until holdTtlMs from now, shows the seat HELD and announces it', async () => {
    const r = await w.hold('alice', 3)
    expect(r).toMatchObject({
      userId: 'alice', concertId: w.concert.id, showId: w.show.id, date: '2026-12-24', seatNo: 3,
      price: 150_000, status: 'HELD', heldUntil: T0 + TTL, createdAt: T0, paidAt: null
    })
    expect(await read(r.id, 'alice')).toEqual({ ...r, seats: [{ seatNo: 3, section: 'R', row: '1', grade: 'R', price: 150_000 }] })
    expect(await w.seatStatus(3)).toBe('HELD')
    expect(await w.seatStatus(4)).toBe('AVAILABLE')
    expect(w.published).toEqual([{ showId: w.show.id, seatNo: 3, status: 'HELD', heldUntil: T0 + TTL }])
    expect(w.gate.calls).toEqual([`enter ${w.show.id}:3`, `held ${w.show.id}:3 ${T0 + TTL}`])
  })

  it('a seat someone else holds is SEAT_UNAVAILABLE and stays theirs', async () => {
    const first = await w.hold('alice', 3)
    await w.gate.release(w.seats(3)) // as if another instance's gate had lost the entry: SQL still decides
    await expect(w.hold('bob', 3)).rejects.toMatchObject({ status: 409, code: 'SEAT_UNAVAILABLE' })
    await expect(w.hold('alice', 3)).rejects.toMatchObject({ code: 'SEAT_UNAVAILABLE' })
    expect((await read(first.id, 'alice')).status).toBe('HELD')
    expect(w.published).toHaveLength(1)
  })

  it('a hold is still live one millisecond before heldUntil and lapses exactly at it', async () => {
    await w.hold('alice', 3)
    await w.gate.release(w.seats(3))
    w.clock.advance(TTL - 1)
    await expect(w.hold('bob', 3)).rejects.toMatchObject({ code: 'SEAT_UNAVAILABLE' })
    w.clock.advance(1)
    await expect(w.hold('bob', 3)).resolves.toMatchObject({ userId: 'bob', status: 'HELD' })
  })

  it('a lapsed hold frees the seat for the next buyer without a sweeper, and the old reservation reads EXPIRED', async () => {
    const old = await w.hold('alice', 3)
    w.clock.advance(TTL + 1)
    expect(await w.seatStatus(3)).toBe('AVAILABLE')
    expect((await read(old.id, 'alice')).status).toBe('EXPIRED')

    const next = await w.hold('bob', 3)
    expect(next).toMatchObject({ userId: 'bob', seatNo: 3, status: 'HELD', heldUntil: w.clock.now() + TTL })
    expect(next.id).not.toBe(old.id)
    expect(await w.seatStatus(3)).toBe('HELD')
    expect((await read(old.id, 'alice')).status).toBe('EXPIRED')
    // The takeover leaves the stored row to the sweeper: still HELD with its past heldUntil, which every reader sees as EXPIRED.
    expect(await w.stores.reservations.findById(old.id)).toMatchObject({ status: 'HELD', heldUntil: T0 + TTL })
    expect((await listUserReservations({ reservations: w.stores.reservations, concerts: w.concerts, clock: w.clock }, 'alice')).map(r => r.status)).toEqual(['EXPIRED'])
    // ...and it no longer counts toward alice's hold limit.
    await expect(w.hold('alice', 4)).resolves.toMatchObject({ status: 'HELD' })
    await expect(w.hold('alice', 5)).resolves.toMatchObject({ status: 'HELD' })
  })

  it('a user may hold at most maxHoldsPerUser seats of one show at once (HOLD_LIMIT_REACHED), and the refused seat stays free', async () => {
    await w.hold('alice', 1)
    await w.hold('alice', 2)
    await expect(w.hold('alice', 3)).rejects.toMatchObject({ status: 409, code: 'HOLD_LIMIT_REACHED' })
    expect(await w.seatStatus(3)).toBe('AVAILABLE')
    expect(w.gate.isShut(w.show.id, 3, w.clock.now())).toBe(false)
    expect(w.gate.calls).toContain(`abandon ${w.show.id}:3`)
    expect(w.gate.inFlight(w.show.id, 3)).toBe(false)
    await expect(w.hold('bob', 3)).resolves.toMatchObject({ userId: 'bob' })
  })

  it('the hold limit counts per show: holds on another date do not count', async () => {
    const other = await givenConcert(w.concerts, { dates: ['2026-12-25', '2026-12-26'] }, w.clock.now())
    const hold = (seatNo: number, date: string) => holdSeat(w.holdDeps, { userId: 'alice', concertId: other.concert.id, date, seatNo })
    await hold(1, '2026-12-25')
    await hold(2, '2026-12-25')
    await expect(hold(3, '2026-12-25')).rejects.toMatchObject({ code: 'HOLD_LIMIT_REACHED' })
    await expect(hold(1, '2026-12-26')).resolves.toMatchObject({ date: '2026-12-26' })
  })

  it('a lapsed hold no longer counts toward the limit', async () => {
    await w.hold('alice', 1)
    await w.hold('alice', 2)
    w.clock.advance(TTL)
    await expect(w.hold('alice', 3)).resolves.toMatchObject({ seatNo: 3, status: 'HELD' })
  })

  it('an unknown seat number is SEAT_NOT_FOUND from the seat map, before the gate or a transaction', async () => {
    await expect(w.hold('alice', 11)).rejects.toMatchObject({ status: 404, code: 'SEAT_NOT_FOUND' })
    expect(w.gate.calls).toEqual([])
    expect(w.published).toEqual([])
    expect(await w.stores.reservations.listByUser('alice', 10)).toEqual([])
  })

  it('a date without a show, or an unknown concert, is SHOW_NOT_FOUND', async () => {
    await expect(w.hold('alice', 1, '2026-12-23')).rejects.toMatchObject({ status: 404, code: 'SHOW_NOT_FOUND' })
    await expect(holdSeat(w.holdDeps, { userId: 'alice', concertId: w.concert.id + 1000, date: '2026-12-24', seatNo: 1 }))
      .rejects.toMatchObject({ code: 'SHOW_NOT_FOUND' })
    expect(w.gate.calls).toEqual([])
  })

  it('a seat of a show that has started is refused', async () => {
    w.clock.set(w.show.startsAt - 1)
    await expect(w.hold('alice', 1)).resolves.toMatchObject({ status: 'HELD' })
    w.clock.set(w.show.startsAt)
    await expect(w.hold('alice', 2)).rejects.toMatchObject({ status: 409, code: 'SEAT_UNAVAILABLE' })
    expect(await w.seatStatus(2)).toBe('AVAILABLE')
  })

  it('a shut gate turns the request away before the database is asked', async () => {
    w.gate.shut(w.show.id, 5, w.clock.now() + 1000)
    await expect(w.hold('alice', 5)).rejects.toMatchObject({ code: 'SEAT_UNAVAILABLE' })
    expect(await w.seatStatus(5)).toBe('AVAILABLE')
    expect(await w.stores.reservations.listByUser('alice', 10)).toEqual([])
    expect(w.published).toEqual([])
  })

  it('a failure that is not a taken seat leaves the gate open (HOLD_LIMIT_REACHED, SEAT_NOT_FOUND)', async () => {
    const deps = { ...w.holdDeps, maxHoldsPerUser: 1 }
    await holdSeat(deps, { userId: 'alice', concertId: w.concert.id, date: w.show.date, seatNo: 1 })
    await expect(holdSeat(deps, { userId: 'alice', concertId: w.concert.id, date: w.show.date, seatNo: 2 })).rejects.toMatchObject({ code: 'HOLD_LIMIT_REACHED' })
    await expect(holdSeat(deps, { userId: 'bob', concertId: w.concert.id, date: w.show.date, seatNo: 99 })).rejects.toMatchObject({ code: 'SEAT_NOT_FOUND' })
    expect(w.gate.isShut(w.show.id, 2, w.clock.now())).toBe(false)
    expect(w.gate.inFlight(w.show.id, 2)).toBe(false)
    expect(w.gate.isShut(w.show.id, 99, w.clock.now())).toBe(false)
    expect(w.gate.isShut(w.show.id, 1, w.clock.now() + TTL - 1)).toBe(true)
  })

  // A failure before the SQL hold (database down) must not leave the seat's gate shut for other buyers.
  it('a failure while creating the user row leaves the gate open', async () => {
    const users = { ensureUser: async () => { throw new Error('database unavailable') } }
    await expect(holdSeat({ ...w.holdDeps, users }, { userId: 'alice', concertId: w.concert.id, date: w.show.date, seatNo: 1 }))
      .rejects.toThrow('database unavailable')
    expect(w.gate.isShut(w.show.id, 1, w.clock.now())).toBe(false)
    expect(w.gate.inFlight(w.show.id, 1)).toBe(false)
  })
})

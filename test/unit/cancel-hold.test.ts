// Unit: cancelHold over SQLite in memory, a manual clock, memory seat events and a recording gate.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { payReservation } from '../../src/modules/payments/pay-reservation.js'
import { cancelHold } from '../../src/modules/reservations/cancel-hold.js'
import { getReservation } from '../../src/modules/reservations/get-reservation.js'
import { MINUTE, T0, givenBalance, openBookingWorld, type BookingWorld } from '../support/factories.js'

const TTL = 5 * MINUTE

describe('cancelHold', () => {
  let w: BookingWorld
  beforeEach(async () => { w = await openBookingWorld({ holdTtlMs: TTL, price: 100_000 }) })
  afterEach(async () => { await w.close() })

  const cancel = (userId: string, reservationId: number) =>
    cancelHold({ transact: w.transact, gate: w.gate, events: w.events, clock: w.clock }, { userId, reservationId })
  const status = async (id: number) => (await getReservation({ reservations: w.stores.reservations, concerts: w.concerts, clock: w.clock }, { id, userId: 'admin', isAdmin: true })).status

  it('cancelling a live hold frees the seat at once for the next buyer', async () => {
    const r = await w.hold('alice', 4)
    w.clock.advance(MINUTE)
    const cancelled = await cancel('alice', r.id)
    expect(cancelled).toMatchObject({ id: r.id, status: 'CANCELLED', seatNo: 4 })
    expect(await status(r.id)).toBe('CANCELLED')
    expect(await w.seatStatus(4)).toBe('AVAILABLE')
    expect(w.published).toEqual([
      { showId: w.show.id, seatNo: 4, status: 'HELD', heldUntil: T0 + TTL },
      { showId: w.show.id, seatNo: 4, status: 'AVAILABLE' }
    ])
    expect(w.gate.calls.at(-1)).toBe(`release ${w.show.id}:4`)
    await expect(w.hold('bob', 4)).resolves.toMatchObject({ userId: 'bob', status: 'HELD' })
  })

  it('a cancelled hold no longer counts toward the hold limit', async () => {
    w.holdDeps.maxHoldsPerUser = 1
    const r = await w.hold('alice', 1)
    await expect(w.hold('alice', 2)).rejects.toMatchObject({ code: 'HOLD_LIMIT_REACHED' })
    await cancel('alice', r.id)
    await expect(w.hold('alice', 2)).resolves.toMatchObject({ seatNo: 2 })
  })

  it('cancelling twice is RESERVATION_NOT_HELD', async () => {
    const r = await w.hold('alice', 4)
    await cancel('alice', r.id)
    await expect(cancel('alice', r.id)).rejects.toMatchObject({ status: 409, code: 'RESERVATION_NOT_HELD' })
    expect(w.published.filter(e => e.status === 'AVAILABLE')).toHaveLength(1)
  })

  it('a paid reservation cannot be cancelled (RESERVATION_NOT_HELD) and its seat stays SOLD', async () => {
    await givenBalance(w, 'alice', 100_000)
    const r = await w.hold('alice', 4)
    await payReservation({ transact: w.transact, users: w.stores.points, clock: w.clock, events: w.events }, { userId: 'alice', reservationId: r.id })
    await expect(cancel('alice', r.id)).rejects.toMatchObject({ code: 'RESERVATION_NOT_HELD' })
    expect(await status(r.id)).toBe('CONFIRMED')
    expect(await w.seatStatus(4)).toBe('SOLD')
  })

  it('a lapsed hold cannot be cancelled (RESERVATION_NOT_HELD)', async () => {
    const r = await w.hold('alice', 4)
    w.clock.advance(TTL)
    await expect(cancel('alice', r.id)).rejects.toMatchObject({ code: 'RESERVATION_NOT_HELD' })
    expect(await status(r.id)).toBe('EXPIRED')
    expect(w.published).toHaveLength(1)
  })

  it('cancelling a lapsed hold whose seat someone else took leaves the new hold alone', async () => {
    const old = await w.hold('alice', 4)
    w.clock.advance(TTL)
    const mine = await w.hold('bob', 4)
    await expect(cancel('alice', old.id)).rejects.toMatchObject({ code: 'RESERVATION_NOT_HELD' })
    expect(await status(mine.id)).toBe('HELD')
    expect(await w.seatStatus(4)).toBe('HELD')
  })

  it("another user's reservation reads as missing (RESERVATION_NOT_FOUND) and the hold stays", async () => {
    const r = await w.hold('alice', 4)
    await expect(cancel('mallory', r.id)).rejects.toMatchObject({ status: 404, code: 'RESERVATION_NOT_FOUND' })
    expect(await status(r.id)).toBe('HELD')
    expect(await w.seatStatus(4)).toBe('HELD')
  })

  it('an unknown reservation is RESERVATION_NOT_FOUND', async () => {
    await expect(cancel('alice', 999)).rejects.toMatchObject({ status: 404, code: 'RESERVATION_NOT_FOUND' })
  })
})

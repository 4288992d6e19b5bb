// Unit: reading reservations (one, or a user's list) over SQLite in memory with a manual clock.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getReservation, listUserReservations } from '../../src/modules/reservations/get-reservation.js'
import { MINUTE, openBookingWorld, type BookingWorld } from '../support/factories.js'

const TTL = 5 * MINUTE

describe('getReservation and listUserReservations', () => {
  let w: BookingWorld
  beforeEach(async () => { w = await openBookingWorld({ holdTtlMs: TTL }) })
  afterEach(async () => { await w.close() })

  const read = (id: number, userId: string, isAdmin = false) => getReservation({ reservations: w.stores.reservations, concerts: w.concerts, clock: w.clock }, { id, userId, isAdmin })

  it('the owner and an admin can read a reservation; to another user it reads as missing (RESERVATION_NOT_FOUND)', async () => {
    const r = await w.hold('alice', 1)
    const seats = [{ seatNo: 1, section: 'R', row: '1', grade: 'R', price: 100_000 }]
    await expect(read(r.id, 'alice')).resolves.toEqual({ ...r, seats })
    await expect(read(r.id, 'root', true)).resolves.toEqual({ ...r, seats })
    await expect(read(r.id, 'bob')).rejects.toMatchObject({ status: 404, code: 'RESERVATION_NOT_FOUND', message: `no reservation ${r.id}` })
  })

  it('an unknown reservation is RESERVATION_NOT_FOUND', async () => {
    await expect(read(12345, 'alice')).rejects.toMatchObject({ status: 404, code: 'RESERVATION_NOT_FOUND' })
  })

  it('a hold reads EXPIRED from the moment it lapses, before any sweeper runs', async () => {
    const r = await w.hold('alice', 1)
    w.clock.advance(TTL - 1)
    expect((await read(r.id, 'alice')).status).toBe('HELD')
    w.clock.advance(1)
    expect((await read(r.id, 'alice')).status).toBe('EXPIRED')
    expect((await w.stores.reservations.findById(r.id))?.status).toBe('HELD')
  })

  it("a user's reservations come newest first, lapsed ones reading EXPIRED, and nobody else's", async () => {
    const first = await w.hold('alice', 1)
    w.clock.advance(TTL)
    const second = await w.hold('alice', 2)
    await w.hold('bob', 3)
    const list = await listUserReservations({ reservations: w.stores.reservations, concerts: w.concerts, clock: w.clock }, 'alice')
    expect(list.map(r => [r.id, r.status])).toEqual([[second.id, 'HELD'], [first.id, 'EXPIRED']])
    expect(await listUserReservations({ reservations: w.stores.reservations, concerts: w.concerts, clock: w.clock }, 'nobody')).toEqual([])
  })
})

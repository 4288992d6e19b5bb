// Unit: the hold sweeper over SQLite in memory, a manual clock and memory seat events.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { payReservation } from '../../src/modules/payments/pay-reservation.js'
import { expireHolds } from '../../src/modules/reservations/expire-holds.js'
import { MINUTE, givenBalance, openBookingWorld, type BookingWorld } from '../support/factories.js'

const TTL = 5 * MINUTE

describe('expireHolds', () => {
  let w: BookingWorld
  beforeEach(async () => { w = await openBookingWorld({ holdTtlMs: TTL, price: 1000 }) })
  afterEach(async () => { await w.close() })

  const sweep = (batch?: number) => expireHolds({ reservations: w.stores.reservations, transact: w.transact, events: w.events, clock: w.clock }, batch)
  const stored = async (id: number) => (await w.stores.reservations.findById(id))?.status
  const freed = () => w.published.filter(e => e.status === 'AVAILABLE').map(e => e.seatNo).sort((a, b) => a - b)

  it('frees lapsed seats, marks their reservations EXPIRED and announces each seat once, even when run twice', async () => {
    const a = await w.hold('alice', 1)
    const b = await w.hold('bob', 2)
    w.clock.advance(2 * MINUTE)
    const live = await w.hold('carol', 3)
    w.clock.advance(TTL - 2 * MINUTE) // a and b lapse exactly now; carol's has two minutes left

    expect(await sweep()).toBe(2)
    expect(await stored(a.id)).toBe('EXPIRED')
    expect(await stored(b.id)).toBe('EXPIRED')
    expect(await stored(live.id)).toBe('HELD')
    expect(freed()).toEqual([1, 2])
    expect(await w.seatStatus(3)).toBe('HELD')

    expect(await sweep()).toBe(0)
    expect(freed()).toEqual([1, 2])
  })

  it('leaves sold seats and confirmed reservations alone', async () => {
    await givenBalance(w, 'alice', 1000)
    const r = await w.hold('alice', 1)
    await payReservation({ transact: w.transact, users: w.stores.points, clock: w.clock, events: w.events }, { userId: 'alice', reservationId: r.id })
    w.clock.advance(TTL * 2)
    expect(await sweep()).toBe(0)
    expect(await stored(r.id)).toBe('CONFIRMED')
    expect(await w.seatStatus(1)).toBe('SOLD')
  })

  it('does not free a seat that was held again after its first hold lapsed', async () => {
    const old = await w.hold('alice', 1)
    w.clock.advance(TTL)
    const fresh = await w.hold('bob', 1)
    expect(await sweep()).toBe(0)
    expect(await stored(old.id)).toBe('EXPIRED')
    expect(await stored(fresh.id)).toBe('HELD')
    expect(await w.seatStatus(1)).toBe('HELD')
    expect(freed()).toEqual([])
  })

  it('a freed seat can be held again and the sweeper then leaves the new hold alone', async () => {
    await w.hold('alice', 1)
    w.clock.advance(TTL)
    await sweep()
    const again = await w.hold('bob', 1)
    expect(await sweep()).toBe(0)
    expect(await stored(again.id)).toBe('HELD')
  })

  it('works through a backlog in batches', async () => {
    for (const seatNo of [1, 2, 3]) await w.hold(`user${seatNo}`, seatNo)
    w.clock.advance(TTL)
    expect(await sweep(2)).toBe(2)
    expect(await sweep(2)).toBe(1)
    expect(await sweep(2)).toBe(0)
    expect(freed()).toEqual([1, 2, 3])
  })
})

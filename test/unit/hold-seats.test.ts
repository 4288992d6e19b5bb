// Unit: orders of several seats — chosen seats held all or none, best available, the no-single-seat-gap rule — over SQLite in memory and a manual clock.

import { afterEach, describe, expect, it } from 'vitest'
import type { SeatRange } from '../../src/modules/concerts/concert.js'
import { cancelHold } from '../../src/modules/reservations/cancel-hold.js'
import { expireHolds } from '../../src/modules/reservations/expire-holds.js'
import { holdBestAvailable, type HoldBestInput } from '../../src/modules/reservations/hold-seat.js'
import { MINUTE, T0, openBookingWorld, type BookingWorld } from '../support/factories.js'

const TTL = 5 * MINUTE
/** Two VIP rows of four nearest the stage, then one R row of six. */
const VENUE: SeatRange[] = [
  { from: 1, to: 4, grade: 'VIP', price: 200_000, section: 'VIP', row: 'A' },
  { from: 5, to: 8, grade: 'VIP', price: 200_000, section: 'VIP', row: 'B' },
  { from: 9, to: 14, grade: 'R', price: 100_000, section: 'R', row: 'A' }
]

describe('orders of several seats', () => {
  let w: BookingWorld
  afterEach(async () => { await w?.close() })
  const open = async (options: { noSingleSeatGaps?: boolean, ranges?: SeatRange[] } = {}) => {
    w = await openBookingWorld({ holdTtlMs: TTL, maxHoldsPerUser: 4, ranges: VENUE, ...options })
    return w
  }
  const best = (userId: string, wish: Omit<HoldBestInput, 'userId' | 'concertId' | 'date'>) =>
    holdBestAvailable(w.holdDeps, { userId, concertId: w.concert.id, date: w.show.date, ...wish })
  const statuses = async (...seatNos: number[]) => Promise.all(seatNos.map(n => w.seatStatus(n)))
  const outbox = async () => (await w.stores.outbox.listAfter(null, 100)).map(e => ({ type: e.type, data: e.data }))
  const reservationsOf = (userId: string) => w.stores.reservations.listByUser(userId, 100)

  describe('chosen seats', () => {
    it('holds every seat asked for as one reservation at the total price, announces each seat and writes one event', async () => {
      await open()
      const r = await w.holdMany('alice', [7, 5, 6])
      expect(r).toMatchObject({ userId: 'alice', seatNo: 5, seatNos: [5, 6, 7], price: 600_000, status: 'HELD', heldUntil: T0 + TTL })
      expect(await statuses(5, 6, 7, 8)).toEqual(['HELD', 'HELD', 'HELD', 'AVAILABLE'])
      expect(w.published.map(e => [e.seatNo, e.status])).toEqual([[5, 'HELD'], [6, 'HELD'], [7, 'HELD']])
      expect(w.gate.calls).toEqual([`enter ${w.show.id}:5,6,7`, `held ${w.show.id}:5,6,7 ${T0 + TTL}`])
      expect(await outbox()).toEqual([{
        type: 'reservation.held',
        data: { reservationId: String(r.id), userId: 'alice', concertId: String(w.concert.id), date: w.show.date, seatNos: [5, 6, 7], amount: 600_000 }
      }])
    })

    it('holds none when one seat is taken: SEAT_UNAVAILABLE names it, the others stay free, nothing is written', async () => {
      await open()
      await w.hold('bob', 6)
      await expect(w.holdMany('alice', [5, 6, 7])).rejects.toMatchObject({ status: 409, code: 'SEAT_UNAVAILABLE', extensions: { unavailable: [6] } })
      expect(await statuses(5, 6, 7)).toEqual(['AVAILABLE', 'HELD', 'AVAILABLE'])
      expect(await reservationsOf('alice')).toEqual([])
      expect(w.published.map(e => e.seatNo)).toEqual([6])
      expect((await outbox()).map(e => e.type)).toEqual(['reservation.held'])
      for (const n of [5, 7]) expect(w.gate.inFlight(w.show.id, n)).toBe(false)
    })

    it('a gate that knows a seat is held turns the whole order away, naming it, before SQL is asked', async () => {
      await open()
      w.gate.shut(w.show.id, 3, T0 + 1000)
      await expect(w.holdMany('alice', [2, 3])).rejects.toMatchObject({ code: 'SEAT_UNAVAILABLE', extensions: { unavailable: [3] } })
      expect(await reservationsOf('alice')).toEqual([])
    })

    it('the hold limit counts seats over every live hold of the show', async () => {
      await open()
      await w.holdMany('alice', [1, 2, 3])
      await expect(w.holdMany('alice', [9, 10])).rejects.toMatchObject({ status: 409, code: 'HOLD_LIMIT_REACHED' })
      expect(await statuses(9, 10)).toEqual(['AVAILABLE', 'AVAILABLE'])
      await expect(w.hold('alice', 9)).resolves.toMatchObject({ seatNos: [9] })
      await expect(w.hold('alice', 10)).rejects.toMatchObject({ code: 'HOLD_LIMIT_REACHED' })
      w.clock.advance(TTL)
      await expect(w.holdMany('alice', [11, 12, 13, 14])).resolves.toMatchObject({ seatNos: [11, 12, 13, 14] })
    })

    it.each([
      [[], 'at least one'], [[1, 2, 3, 4, 5], 'at most 4'], [[3, 4, 3], 'repeat'], [[0], 'integers'], [[1.5], 'integers']
    ])('seatNos %j is VALIDATION_FAILED (%s) and touches nothing', async (seatNos, message) => {
      await open()
      await expect(w.holdMany('alice', seatNos)).rejects.toMatchObject({ status: 400, code: 'VALIDATION_FAILED', extensions: { errors: [{ path: '/seatNos', message: expect.stringContaining(message) }] } })
      expect(w.gate.calls).toEqual([])
    })

    it('unknown seats are SEAT_NOT_FOUND naming them, before the gate or a transaction', async () => {
      await open()
      await expect(w.holdMany('alice', [1, 15, 99])).rejects.toMatchObject({ status: 404, code: 'SEAT_NOT_FOUND', extensions: { missing: [15, 99] } })
      expect(w.gate.calls).toEqual([])
      expect(await statuses(1)).toEqual(['AVAILABLE'])
    })

    it('cancelling an order frees every seat at once, announces each and writes one event', async () => {
      await open()
      const r = await w.holdMany('alice', [9, 10, 11])
      const cancelled = await cancelHold({ transact: w.transact, gate: w.gate, events: w.events, clock: w.clock }, { userId: 'alice', reservationId: r.id })
      expect(cancelled).toMatchObject({ status: 'CANCELLED', seatNos: [9, 10, 11] })
      expect(await statuses(9, 10, 11)).toEqual(['AVAILABLE', 'AVAILABLE', 'AVAILABLE'])
      expect(w.published.slice(3).map(e => [e.seatNo, e.status])).toEqual([[9, 'AVAILABLE'], [10, 'AVAILABLE'], [11, 'AVAILABLE']])
      expect(w.gate.calls.at(-1)).toBe(`release ${w.show.id}:9,10,11`)
      expect((await outbox()).map(e => e.type)).toEqual(['reservation.held', 'reservation.cancelled'])
    })

    it('the sweeper frees every seat of a lapsed order and writes one reservation.expired', async () => {
      await open()
      const r = await w.holdMany('alice', [1, 2])
      w.clock.advance(TTL)
      expect(await expireHolds({ reservations: w.stores.reservations, transact: w.transact, events: w.events, clock: w.clock })).toBe(2)
      expect((await w.stores.reservations.findById(r.id))?.status).toBe('EXPIRED')
      expect(w.published.slice(2).map(e => [e.seatNo, e.status])).toEqual([[1, 'AVAILABLE'], [2, 'AVAILABLE']])
      expect(await outbox()).toEqual([expect.objectContaining({ type: 'reservation.held' }), { type: 'reservation.expired', data: expect.objectContaining({ reservationId: String(r.id), seatNos: [1, 2] }) }])
    })
  })

  describe('no single-seat gaps', () => {
    it('refuses a selection that leaves a lone seat at a row\'s end or between taken seats, naming it, and holds nothing', async () => {
      await open({ noSingleSeatGaps: true })
      await expect(w.holdMany('alice', [2, 3])).rejects.toMatchObject({ status: 409, code: 'SINGLE_SEAT_GAP', extensions: { gapSeatNos: [1, 4] } })
      await expect(w.holdMany('alice', [9, 11])).rejects.toMatchObject({ code: 'SINGLE_SEAT_GAP', extensions: { gapSeatNos: [10] } })
      expect(await statuses(1, 2, 3, 9, 11)).toEqual(['AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'AVAILABLE'])
      expect(await reservationsOf('alice')).toEqual([])
      expect(w.gate.inFlight(w.show.id, 2)).toBe(false)
    })

    it('decides against what others hold: a seat left alone beside someone else\'s hold is a gap too', async () => {
      await open({ noSingleSeatGaps: true })
      await w.holdMany('bob', [3, 4])
      await expect(w.hold('alice', 1)).rejects.toMatchObject({ code: 'SINGLE_SEAT_GAP', extensions: { gapSeatNos: [2] } })
      await expect(w.holdMany('alice', [1, 2])).resolves.toMatchObject({ seatNos: [1, 2] })
    })

    it('a lapsed hold is a free seat for the rule, and a seat already alone may be taken', async () => {
      await open({ noSingleSeatGaps: true })
      await w.holdMany('bob', [1, 2])
      await w.hold('dave', 11)
      w.clock.advance(TTL / 2)
      await w.holdMany('carol', [9, 10])
      await w.holdMany('erin', [12, 13, 14])
      w.clock.advance(TTL / 2) // bob's and dave's holds lapse; seat 11 is now alone between carol and erin
      await expect(w.holdMany('alice', [2, 3])).rejects.toMatchObject({ code: 'SINGLE_SEAT_GAP', extensions: { gapSeatNos: [1, 4] } })
      await expect(w.hold('frank', 11)).resolves.toMatchObject({ seatNos: [11] })
    })

    it('a show without the rule accepts the same selections', async () => {
      await open()
      await expect(w.holdMany('alice', [2, 3])).resolves.toMatchObject({ seatNos: [2, 3] })
      await expect(w.holdMany('bob', [9, 11])).resolves.toMatchObject({ seatNos: [9, 11] })
    })
  })

  describe('best available', () => {
    it('takes adjacent seats of one row nearest the stage first, row after row, section after section', async () => {
      await open()
      expect((await best('a', { quantity: 2 })).seatNos).toEqual([1, 2])
      expect((await best('b', { quantity: 2 })).seatNos).toEqual([3, 4])
      expect((await best('c', { quantity: 3 })).seatNos).toEqual([5, 6, 7]) // the show allows the lone seat 8: VIP is nearer than R
      expect((await best('d', { quantity: 2 })).seatNos).toEqual([9, 10])
      const r = await best('e', { quantity: 4 })
      expect(r).toMatchObject({ seatNos: [11, 12, 13, 14], price: 400_000, status: 'HELD', heldUntil: T0 + TTL })
      expect(w.gate.calls.at(-1)).toBe(`held ${w.show.id}:11,12,13,14 ${T0 + TTL}`)
      expect(w.published.slice(-4).map(e => [e.seatNo, e.status])).toEqual([[11, 'HELD'], [12, 'HELD'], [13, 'HELD'], [14, 'HELD']])
      expect((await outbox()).at(-1)).toEqual({ type: 'reservation.held', data: expect.objectContaining({ userId: 'e', seatNos: [11, 12, 13, 14], amount: 400_000 }) })
      await expect(best('f', { quantity: 2 })).rejects.toMatchObject({ status: 409, code: 'SEAT_UNAVAILABLE' })
      expect(await reservationsOf('f')).toEqual([])
    })

    it('keeps to the section or grade asked for; an unknown section is SECTION_NOT_FOUND', async () => {
      await open()
      expect((await best('a', { quantity: 2, section: 'R' })).seatNos).toEqual([9, 10])
      expect((await best('b', { quantity: 2, grade: 'R' })).seatNos).toEqual([11, 12])
      expect((await best('c', { quantity: 2, section: 'VIP', grade: 'VIP' })).seatNos).toEqual([1, 2])
      await expect(best('d', { quantity: 2, section: 'VIP', grade: 'R' })).rejects.toMatchObject({ code: 'SEAT_UNAVAILABLE' })
      await expect(best('e', { quantity: 2, section: 'Balcony' })).rejects.toMatchObject({ status: 404, code: 'SECTION_NOT_FOUND' })
    })

    it('leaves no lone seat where it can: it goes past a row where any block would leave one', async () => {
      await open()
      await w.hold('x', 1)
      expect((await best('a', { quantity: 2 })).seatNos).toEqual([5, 6])
      expect((await best('b', { quantity: 3 })).seatNos).toEqual([2, 3, 4])
    })

    it('on a show with the rule, refuses rather than leave a lone seat', async () => {
      await open({ noSingleSeatGaps: true, ranges: [{ from: 1, to: 3, grade: 'R', price: 1000 }] })
      await expect(best('a', { quantity: 2 })).rejects.toMatchObject({ code: 'SEAT_UNAVAILABLE' })
      expect((await best('a', { quantity: 3 })).seatNos).toEqual([1, 2, 3])
    })

    it('a lapsed hold is free again for the next pick', async () => {
      await open()
      await best('a', { quantity: 2 })
      w.clock.advance(TTL)
      expect((await best('b', { quantity: 2 })).seatNos).toEqual([1, 2])
    })

    it('counts toward the hold limit like any hold, and a quantity outside 1..MAX_HOLDS_PER_USER is VALIDATION_FAILED', async () => {
      await open()
      await w.holdMany('alice', [9, 10])
      await expect(best('alice', { quantity: 3 })).rejects.toMatchObject({ code: 'HOLD_LIMIT_REACHED' })
      await expect(best('alice', { quantity: 2 })).resolves.toMatchObject({ seatNos: [1, 2] })
      for (const quantity of [0, 5, 1.5]) {
        await expect(best('bob', { quantity })).rejects.toMatchObject({ status: 400, code: 'VALIDATION_FAILED', extensions: { errors: [{ path: '/quantity' }] } })
      }
    })

    it('many picks at once each get their own block and none leaves a lone seat', async () => {
      await open()
      const picks = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => best(`fan${i}`, { quantity: 2 })))
      const won = picks.flatMap(p => p.status === 'fulfilled' ? [p.value.seatNos] : []).sort((a, b) => a[0] - b[0])
      expect(won).toEqual([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12], [13, 14]])
      expect(picks.filter(p => p.status === 'rejected').map(p => (p as PromiseRejectedResult).reason.code)).toEqual(['SEAT_UNAVAILABLE'])
    })
  })
})

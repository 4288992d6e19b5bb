// Unit: the concert use cases (create, bookable dates, seat map, sales) over SQLite in memory with a manual clock.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { NewConcert } from '../../src/modules/concerts/concert.js'
import { concertSales } from '../../src/modules/concerts/concert-sales.js'
import { MAX_SEATS_PER_CONCERT, MAX_SEATS_PER_SHOW, createConcert } from '../../src/modules/concerts/create-concert.js'
import { listBookableDates } from '../../src/modules/concerts/list-dates.js'
import { listSeats } from '../../src/modules/concerts/list-seats.js'
import { payReservation } from '../../src/modules/payments/pay-reservation.js'
import { ValidationError } from '../../src/shared/errors.js'
import { MINUTE, T0, concertInput, givenBalance, givenConcert, openBookingWorld, type BookingWorld } from '../support/factories.js'

const TTL = 5 * MINUTE

describe('concerts', () => {
  let w: BookingWorld
  beforeEach(async () => { w = await openBookingWorld({ holdTtlMs: TTL, dates: ['2026-12-24', '2026-12-25'], seats: 3, price: 1000 }) })
  afterEach(async () => { await w.close() })

  const deps = () => ({ concerts: w.concerts, clock: w.clock })
  const pay = async (userId: string, reservationId: number) => {
    await givenBalance(w, userId, 1_000_000)
    return payReservation({ transact: w.transact, users: w.stores.points, clock: w.clock, events: w.events }, { userId, reservationId })
  }

  describe('createConcert', () => {
    async function refused (input: NewConcert): Promise<Array<{ path: string, message: string }>> {
      const before = await w.concerts.countConcerts()
      const err = await createConcert(deps(), input).then(() => null, (e: unknown) => e)
      expect(err).toBeInstanceOf(ValidationError)
      expect(err).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' })
      expect(await w.concerts.countConcerts()).toBe(before)
      return (err as ValidationError).extensions.errors as Array<{ path: string, message: string }>
    }

    it('creates a concert with its shows (sorted by date) and seats', async () => {
      const { concert, shows } = await createConcert(deps(), concertInput({
        title: 'New Year', dates: ['2026-12-31', '2026-12-30'],
        ranges: [{ from: 1, to: 2, grade: 'VIP', price: 200_000 }, { from: 3, to: 5, grade: 'S', price: 90_000 }]
      }))
      expect(concert).toMatchObject({ title: 'New Year', venue: 'Test Hall', dates: ['2026-12-30', '2026-12-31'] })
      expect(shows.map(s => [s.date, s.startsAt])).toEqual([['2026-12-30', Date.parse('2026-12-30T10:00:00.000Z')], ['2026-12-31', Date.parse('2026-12-31T10:00:00.000Z')]])
      expect(await w.concerts.findConcert(concert.id)).toEqual(concert)
      const { seats } = await listSeats(deps(), { concertId: concert.id, date: '2026-12-30' })
      expect(seats.map(s => `${s.seatNo}:${s.grade}:${s.price}:${s.status}`)).toEqual([
        '1:VIP:200000:AVAILABLE', '2:VIP:200000:AVAILABLE', '3:S:90000:AVAILABLE', '4:S:90000:AVAILABLE', '5:S:90000:AVAILABLE'
      ])
    })

    it('overlapping seat ranges are refused and nothing is created, the later range naming the one it overlaps', async () => {
      const errors = await refused(concertInput({ ranges: [{ from: 1, to: 10, grade: 'R', price: 1 }, { from: 10, to: 20, grade: 'S', price: 1 }] }))
      expect(errors).toEqual([{ path: '/shows/0/seats/1', message: 'seat 10 is also in range 0 of this show' }])
    })

    it('every range that overlaps another is named, whatever order the ranges come in', async () => {
      const errors = await refused(concertInput({
        ranges: [
          { from: 100, to: 200, grade: 'R', price: 1 }, { from: 1, to: 99, grade: 'R', price: 1 },
          { from: 150, to: 160, grade: 'S', price: 1 }, { from: 90, to: 120, grade: 'S', price: 1 }
        ]
      }))
      expect(errors).toEqual([
        { path: '/shows/0/seats/2', message: 'seats 150–160 are also in range 0 of this show' },
        { path: '/shows/0/seats/3', message: 'seats 90–99 are also in range 1 of this show' }
      ])
    })

    it('a row named twice in one section is refused (one range is one row); the same label in another section is fine', async () => {
      const ranges = (third: { section: string, row?: string }) => [
        { from: 1, to: 10, grade: 'R', price: 1, section: 'A', row: '1' },
        { from: 11, to: 20, grade: 'R', price: 1, section: 'B', row: '1' },
        { from: 21, to: 30, grade: 'R', price: 1, ...third }
      ]
      expect(await refused(concertInput({ ranges: ranges({ section: 'A', row: '1' }) })))
        .toEqual([{ path: '/shows/0/seats/2', message: 'row 1 of section A appears twice (one range is one row)' }])
      // Without a label the third range is row 2 of A: its position in the section.
      await expect(createConcert(deps(), concertInput({ ranges: ranges({ section: 'A' }) }))).resolves.toMatchObject({ concert: { title: 'Test Concert' } })
    })

    it('a concert with more than the seats all its shows may have together is refused', async () => {
      const dates = Array.from({ length: 6 }, (_, i) => `2027-01-0${i + 1}`)
      const errors = await refused(concertInput({ dates, ranges: [{ from: 1, to: MAX_SEATS_PER_CONCERT / 5, grade: 'R', price: 1 }] }))
      expect(errors).toEqual([{ path: '/shows', message: expect.stringContaining(String(MAX_SEATS_PER_CONCERT)) }])
    })

    it('the same date twice is refused', async () => {
      const errors = await refused(concertInput({ dates: ['2026-12-24', '2026-12-25', '2026-12-24'] }))
      expect(errors).toEqual([{ path: '/shows/2/date', message: expect.stringContaining('2026-12-24') }])
    })

    it('a range whose from exceeds its to is refused', async () => {
      const errors = await refused(concertInput({ ranges: [{ from: 5, to: 4, grade: 'R', price: 1 }] }))
      expect(errors).toEqual([{ path: '/shows/0/seats/0', message: expect.stringMatching(/from/) }])
    })

    it.each(['2026-02-30', '2026-04-31', '2025-02-29', '2026-13-01', '26-12-24'])('an impossible date like %s is refused', async (date) => {
      const input = concertInput()
      input.shows[0] = { ...input.shows[0], date }
      expect(await refused(input)).toEqual([{ path: '/shows/0/date', message: expect.any(String) }])
    })

    it('every problem is reported at once', async () => {
      const input = concertInput({ dates: ['2026-02-30', '2026-12-24', '2026-12-24'], ranges: [{ from: 2, to: 1, grade: 'R', price: 1 }] })
      const errors = await refused(input)
      expect(errors.map(e => e.path)).toEqual(expect.arrayContaining(['/shows/0/date', '/shows/2/date', '/shows/0/seats/0', '/shows/1/seats/0', '/shows/2/seats/0']))
    })

    it(`a show with more than ${MAX_SEATS_PER_SHOW} seats is refused`, async () => {
      const errors = await refused(concertInput({ ranges: [{ from: 1, to: MAX_SEATS_PER_SHOW, grade: 'R', price: 1 }, { from: MAX_SEATS_PER_SHOW + 1, to: MAX_SEATS_PER_SHOW + 1, grade: 'R', price: 1 }] }))
      expect(errors).toEqual([{ path: '/shows/0/seats', message: expect.any(String) }])
    })

    it('a leap day is a real date', async () => {
      const input = concertInput({ dates: ['2028-02-29'] })
      await expect(createConcert(deps(), input)).resolves.toMatchObject({ concert: { dates: ['2028-02-29'] } })
    })
  })

  describe('listBookableDates', () => {
    it('lists future shows soonest first with seat counts, lapsed holds counting as available', async () => {
      await w.hold('alice', 1)
      const dates = await listBookableDates(deps(), { concertId: w.concert.id })
      expect(dates.map(d => [d.date, d.totalSeats, d.availableSeats, d.concertTitle])).toEqual([
        ['2026-12-24', 3, 2, 'Test Concert'], ['2026-12-25', 3, 3, 'Test Concert']
      ])
      w.clock.advance(TTL)
      expect((await listBookableDates(deps(), { concertId: w.concert.id }))[0].availableSeats).toBe(3)
    })

    it('a sold-out show is listed only with includeSoldOut, as 0 available', async () => {
      for (const seatNo of [1, 2, 3]) await pay(`user${seatNo}`, (await w.hold(`user${seatNo}`, seatNo)).id)
      expect((await listBookableDates(deps(), { concertId: w.concert.id })).map(d => d.date)).toEqual(['2026-12-25'])
      const all = await listBookableDates(deps(), { concertId: w.concert.id, includeSoldOut: true })
      expect(all.map(d => [d.date, d.availableSeats])).toEqual([['2026-12-24', 0], ['2026-12-25', 3]])
    })

    it('a show that has started is no longer bookable', async () => {
      w.clock.set(w.show.startsAt)
      expect((await listBookableDates(deps(), { concertId: w.concert.id, includeSoldOut: true })).map(d => d.date)).toEqual(['2026-12-25'])
    })

    it('without a concertId every concert is listed, soonest first; with one, only that concert', async () => {
      const other = await givenConcert(w.concerts, { title: 'Earlier', dates: ['2026-12-10'] }, T0)
      const all = await listBookableDates(deps(), {})
      expect(all.map(d => [d.concertId, d.date])).toEqual([[other.concert.id, '2026-12-10'], [w.concert.id, '2026-12-24'], [w.concert.id, '2026-12-25']])
      expect((await listBookableDates(deps(), { concertId: other.concert.id })).map(d => d.date)).toEqual(['2026-12-10'])
      expect(await listBookableDates(deps(), { concertId: 9999 })).toEqual([])
    })
  })

  describe('listSeats', () => {
    it('shows each seat AVAILABLE, HELD or SOLD in seat order, a lapsed hold as AVAILABLE', async () => {
      await pay('alice', (await w.hold('alice', 2)).id)
      await w.hold('bob', 3)
      const statuses = async () => (await listSeats(deps(), { concertId: w.concert.id, date: '2026-12-24' })).seats.map(s => [s.seatNo, s.status])
      expect(await statuses()).toEqual([[1, 'AVAILABLE'], [2, 'SOLD'], [3, 'HELD']])
      w.clock.advance(TTL)
      expect(await statuses()).toEqual([[1, 'AVAILABLE'], [2, 'SOLD'], [3, 'AVAILABLE']])
    })

    it('a date without a show, or an unknown concert, is SHOW_NOT_FOUND', async () => {
      await expect(listSeats(deps(), { concertId: w.concert.id, date: '2026-12-26' })).rejects.toMatchObject({ status: 404, code: 'SHOW_NOT_FOUND' })
      await expect(listSeats(deps(), { concertId: 9999, date: '2026-12-24' })).rejects.toMatchObject({ code: 'SHOW_NOT_FOUND' })
    })
  })

  describe('concertSales', () => {
    it('counts sold, live held and available seats and the revenue per show', async () => {
      await pay('alice', (await w.hold('alice', 1)).id)
      await pay('bob', (await w.hold('bob', 2)).id)
      await w.hold('carol', 3)
      const sales = await concertSales(deps(), w.concert.id)
      expect(sales.map(s => ({ date: s.date, totalSeats: s.totalSeats, sold: s.sold, held: s.held, available: s.available, revenue: s.revenue }))).toEqual([
        { date: '2026-12-24', totalSeats: 3, sold: 2, held: 1, available: 0, revenue: 2000 },
        { date: '2026-12-25', totalSeats: 3, sold: 0, held: 0, available: 3, revenue: 0 }
      ])
      w.clock.advance(TTL)
      expect((await concertSales(deps(), w.concert.id))[0]).toMatchObject({ held: 0, available: 1, sold: 2 })
    })

    it('an unknown concert is CONCERT_NOT_FOUND', async () => {
      await expect(concertSales(deps(), 9999)).rejects.toMatchObject({ status: 404, code: 'CONCERT_NOT_FOUND' })
    })
  })
})

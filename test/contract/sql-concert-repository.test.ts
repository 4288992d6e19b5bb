// Contract: ConcertRepository on every SQL backend — concerts, shows, seat maps, availability and sales.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Show } from '../../src/modules/concerts/concert.js'
import { createSeatMap } from '../../src/modules/concerts/seat-map.js'
import type { ReservationStore } from '../../src/modules/reservations/reservation-store.js'
import { SQL_BACKENDS } from '../support/backends.js'
import { DAY, T0, concertInput, givenConcert, givenHold, newUserId, openSqlWorld, type SqlWorld } from '../support/factories.js'

describe.each(SQL_BACKENDS)('ConcertRepository on %s', (backend) => {
  let w: SqlWorld
  let store: ReservationStore
  beforeAll(async () => {
    w = await openSqlWorld(backend, 'concerts')
    store = w.stores.reservations
  })
  afterAll(async () => { await w?.close() })

  /** Holds a seat until `heldUntil` as the use case does (and sells it when asked, with a payment of its price). */
  async function take (show: Show, seatNo: number, heldUntil: number, sell = false): Promise<void> {
    const userId = newUserId()
    const r = await givenHold(w, show, [seatNo], userId, heldUntil)
    if (sell) {
      expect(await store.sellSeats({ showId: show.id, seatNos: [seatNo] }, r.id, userId, T0)).toBe(1)
      await store.setStatusFromHeld(r.id, 'CONFIRMED', T0)
      await w.stores.payments.insert({ reservationId: r.id, userId, amount: r.price, createdAt: T0 })
    }
  }

  it('createConcert stores the concert, its shows sorted by date and every seat of every range', async () => {
    const before = await w.concerts.countConcerts()
    const input = concertInput({ title: '아이유 콘서트', dates: ['2026-12-26', '2026-12-24'], ranges: [{ from: 1, to: 700, grade: 'R', price: 143_000 }, { from: 701, to: 1200, grade: 'S', price: 121_000 }] })
    const { concert, shows } = await w.concerts.createConcert(input, T0)
    expect(concert).toEqual({ id: expect.any(Number), title: '아이유 콘서트', venue: 'Test Hall', dates: ['2026-12-24', '2026-12-26'], salesOpenAt: null })
    expect(shows).toEqual([
      { id: expect.any(Number), concertId: concert.id, date: '2026-12-24', startsAt: Date.parse('2026-12-24T10:00:00.000Z') },
      { id: expect.any(Number), concertId: concert.id, date: '2026-12-26', startsAt: Date.parse('2026-12-26T10:00:00.000Z') }
    ])
    expect(await w.concerts.countConcerts()).toBe(before + 1)
    expect(await w.concerts.findConcert(concert.id)).toEqual(concert)
    expect((await w.concerts.listConcerts()).find(c => c.id === concert.id)).toEqual(concert)
    const seats = await w.concerts.listSeats(shows[1].id, T0)
    expect(seats).toHaveLength(1200)
    expect(seats[699]).toEqual({ seatNo: 700, section: 'R', row: '1', grade: 'R', price: 143_000, status: 'AVAILABLE' })
    expect(seats[700]).toEqual({ seatNo: 701, section: 'S', row: '1', grade: 'S', price: 121_000, status: 'AVAILABLE' })
  })

  it('createConcert is all or nothing: a failing show leaves no concert behind', async () => {
    const before = await w.concerts.countConcerts()
    const input = concertInput({ dates: ['2026-12-24', '2026-12-24'] }) // the use case refuses this; the table does too
    await expect(w.concerts.createConcert(input, T0)).rejects.toThrow()
    expect(await w.concerts.countConcerts()).toBe(before)
  })

  it('createConcert refuses a seat number in two ranges even past the use case (the table\'s key), leaving nothing behind', async () => {
    const before = await w.concerts.countConcerts()
    const input = concertInput({ ranges: [{ from: 1, to: 5, grade: 'R', price: 1 }, { from: 5, to: 6, grade: 'S', price: 1 }] })
    await expect(w.concerts.createConcert(input, T0)).rejects.toThrow()
    expect(await w.concerts.countConcerts()).toBe(before)
  })

  it('findConcert and findShow find by id and by concert and date, null otherwise', async () => {
    const { concert, show } = await givenConcert(w.concerts, { dates: ['2026-12-24'] })
    expect(await w.concerts.findShow(concert.id, '2026-12-24')).toEqual(show)
    expect(await w.concerts.findShow(concert.id, '2026-12-25')).toBeNull()
    expect(await w.concerts.findShow(concert.id + 10_000, '2026-12-24')).toBeNull()
    expect(await w.concerts.findConcert(concert.id + 10_000)).toBeNull()
  })

  it('findSeat gives a seat\'s place, grade and price, null for a seat the show lacks', async () => {
    const { show } = await givenConcert(w.concerts, { dates: ['2026-12-24'] })
    const seats = await w.concerts.listSeatStates(show.id)
    expect(await w.concerts.findSeat(show.id, seats[0].seatNo)).toEqual({ seatNo: seats[0].seatNo, section: 'R', row: '1', grade: seats[0].grade, price: seats[0].price })
    expect(await w.concerts.findSeat(show.id, 99_999)).toBeNull()
    expect(await w.concerts.findSeat(show.id + 10_000, seats[0].seatNo)).toBeNull()
  })

  it('listUpcomingShows lists shows after now, soonest first, counting lapsed holds as available', async () => {
    const { concert, shows } = await givenConcert(w.concerts, { title: 'Upcoming', dates: ['2026-12-03', '2026-12-02', '2026-12-04'], seats: 4 })
    const dec3 = shows[1]
    await take(dec3, 1, T0 + 1000)          // lapses at T0 + 1000
    await take(dec3, 2, T0 + DAY)           // live
    await take(dec3, 3, T0 + 1000, true)    // sold
    const now = T0 + 1000
    const list = await w.concerts.listUpcomingShows(now, concert.id)
    expect(list.map(s => [s.date, s.totalSeats, s.availableSeats, s.concertTitle, s.concertId])).toEqual([
      ['2026-12-02', 4, 4, 'Upcoming', concert.id], ['2026-12-03', 4, 2, 'Upcoming', concert.id], ['2026-12-04', 4, 4, 'Upcoming', concert.id]
    ])
    expect((await w.concerts.listUpcomingShows(T0 + 999, concert.id))[1].availableSeats).toBe(1)
    // The 12-02 show starts at 10:00 that day: from then on it is in the past.
    const started = Date.parse('2026-12-02T10:00:00.000Z')
    expect((await w.concerts.listUpcomingShows(started - 1, concert.id)).map(s => s.date)).toEqual(['2026-12-02', '2026-12-03', '2026-12-04'])
    expect((await w.concerts.listUpcomingShows(started, concert.id)).map(s => s.date)).toEqual(['2026-12-03', '2026-12-04'])
    expect((await w.concerts.listUpcomingShows(now)).filter(s => s.concertId === concert.id)).toHaveLength(3)
  })

  it('listSeats orders by seat number and shows AVAILABLE, HELD and SOLD, a lapsed hold as AVAILABLE', async () => {
    const { show } = await givenConcert(w.concerts, { ranges: [{ from: 3, to: 4, grade: 'S', price: 10 }, { from: 1, to: 2, grade: 'VIP', price: 30 }] })
    await take(show, 1, T0 + 1000)
    await take(show, 2, T0 + 1000, true)
    await take(show, 4, T0 + 5000)
    const seats = await w.concerts.listSeats(show.id, T0 + 1000)
    expect(seats).toEqual([
      { seatNo: 1, section: 'VIP', row: '1', grade: 'VIP', price: 30, status: 'AVAILABLE' },
      { seatNo: 2, section: 'VIP', row: '1', grade: 'VIP', price: 30, status: 'SOLD' },
      { seatNo: 3, section: 'S', row: '1', grade: 'S', price: 10, status: 'AVAILABLE' },
      { seatNo: 4, section: 'S', row: '1', grade: 'S', price: 10, status: 'HELD' }
    ])
    expect((await w.concerts.listSeats(show.id, T0 + 999))[0].status).toBe('HELD')
  })

  it('listSeatStates gives the rows as stored, whatever the time: a lapsed hold is still HELD with its heldUntil', async () => {
    const { show } = await givenConcert(w.concerts, { seats: 3, price: 20 })
    await take(show, 1, T0 + 1000)
    await take(show, 2, T0 + 1000, true)
    expect(await w.concerts.listSeatStates(show.id)).toEqual([
      { seatNo: 1, grade: 'R', price: 20, status: 'HELD', heldUntil: T0 + 1000 },
      { seatNo: 2, grade: 'R', price: 20, status: 'SOLD', heldUntil: null },
      { seatNo: 3, grade: 'R', price: 20, status: 'AVAILABLE', heldUntil: null }
    ])
  })

  it('findLayout gives sections by first appearance, rows in the admin\'s order and each row\'s seats in seat order', async () => {
    const { concert, shows } = await w.concerts.createConcert({
      title: 'Layout', venue: 'Arena', shows: [{
        date: '2026-12-24', startsAt: Date.parse('2026-12-24T10:00:00.000Z'), noSingleSeatGaps: true,
        seats: [
          { from: 101, to: 104, grade: 'VIP', price: 200, section: 'Floor', row: 'A' },
          { from: 1, to: 3, grade: 'R', price: 100, section: 'East' },
          { from: 105, to: 106, grade: 'VIP', price: 200, section: 'Floor', row: 'B' },
          { from: 4, to: 6, grade: 'R', price: 100, section: 'East' },
          { from: 50, to: 51, grade: 'S', price: 50 }
        ]
      }, { date: '2026-12-25', startsAt: Date.parse('2026-12-25T10:00:00.000Z'), seats: [{ from: 1, to: 2, grade: 'R', price: 1 }] }]
    }, T0)
    const layout = await w.concerts.findLayout(shows[0].id)
    expect(layout).toMatchObject({
      showId: shows[0].id,
      concertId: concert.id,
      noSingleSeatGaps: true,
      sections: [
        { section: 'Floor', rows: [{ row: 'A', seatNos: [101, 102, 103, 104] }, { row: 'B', seatNos: [105, 106] }] },
        { section: 'East', rows: [{ row: '1', seatNos: [1, 2, 3] }, { row: '2', seatNos: [4, 5, 6] }] },
        { section: 'S', rows: [{ row: '1', seatNos: [50, 51] }] }
      ]
    })
    expect(layout?.seat(105)).toEqual({ seatNo: 105, section: 'Floor', row: 'B', grade: 'VIP', price: 200 })
    expect(layout?.seat(5)).toEqual({ seatNo: 5, section: 'East', row: '2', grade: 'R', price: 100 })
    expect(layout?.seat(7)).toBeUndefined()
    expect((await w.concerts.findLayout(shows[1].id))?.noSingleSeatGaps).toBe(false)
    expect(await w.concerts.findLayout(shows[1].id + 10_000)).toBeNull()
    expect((await w.concerts.listSeats(shows[0].id, T0)).map(s => `${s.seatNo}:${s.section}:${s.row}`).slice(0, 4)).toEqual(['1:East:1', '2:East:1', '3:East:1', '4:East:2'])
  })

  it('a concert keeps its salesOpenAt (null when not given) and a secret draw seed of 32 random bytes chosen at creation', async () => {
    const opening = Date.parse('2026-12-10T03:00:00.000Z')
    const { concert: timed } = await w.concerts.createConcert({ ...concertInput(), salesOpenAt: opening }, T0)
    const { concert: plain } = await givenConcert(w.concerts)
    expect(timed.salesOpenAt).toBe(opening)
    expect(await w.concerts.findConcert(timed.id)).toMatchObject({ salesOpenAt: opening })
    expect((await w.concerts.listConcerts()).find(c => c.id === timed.id)).toMatchObject({ salesOpenAt: opening })
    expect(await w.concerts.findConcert(plain.id)).toMatchObject({ salesOpenAt: null })
    const [a, b] = [await w.concerts.findDrawSeed(timed.id), await w.concerts.findDrawSeed(plain.id)]
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(b).toMatch(/^[0-9a-f]{64}$/)
    expect(a).not.toBe(b)
    expect(await w.concerts.findDrawSeed(timed.id)).toBe(a)
    expect(await w.concerts.findDrawSeed(timed.id + 10_000)).toBeNull()
    expect(JSON.stringify(await w.concerts.findConcert(timed.id))).not.toContain(a)
  })

  it('creates a 50,000-seat show in 500 rows of 20 sections in one go', async () => {
    const ranges = Array.from({ length: 500 }, (_, i) => ({
      from: i * 100 + 1, to: i * 100 + 100, grade: i < 100 ? 'VIP' : 'R', price: i < 100 ? 200_000 : 100_000, section: `S${Math.floor(i / 25) + 1}`
    }))
    const { shows } = await w.concerts.createConcert(concertInput({ ranges }), T0)
    const layout = await w.concerts.findLayout(shows[0].id)
    expect(layout?.sections.map(s => s.section)).toEqual(Array.from({ length: 20 }, (_, i) => `S${i + 1}`))
    expect(layout?.sections.every(s => s.rows.length === 25 && s.rows.every(r => r.seatNos.length === 100))).toBe(true)
    expect(layout?.sections[19].rows[24]).toEqual({ row: '25', seatNos: Array.from({ length: 100 }, (_, i) => 49_901 + i) })
    expect(layout?.seat(50_000)).toEqual({ seatNo: 50_000, section: 'S20', row: '25', grade: 'R', price: 100_000 })
    expect((await w.concerts.listUpcomingShows(T0, shows[0].concertId))[0]).toMatchObject({ totalSeats: 50_000, availableSeats: 50_000 })
  })

  it('sectionFingerprints sum each section\'s stored SOLD and HELD seats exactly as a seat map of the same rows does', async () => {
    const { show } = await givenConcert(w.concerts, { ranges: [{ from: 1, to: 5, grade: 'R', price: 10, section: 'A' }, { from: 6, to: 9, grade: 'S', price: 5, section: 'B' }] })
    await take(show, 2, T0 + 1000)             // lapses: still HELD as stored
    await take(show, 3, T0 + 98_765_432, true) // sold
    await take(show, 7, Date.parse('2026-12-20T10:11:12.345Z'))
    const fingerprints = await w.concerts.sectionFingerprints(show.id)
    const layout = await w.concerts.findLayout(show.id)
    if (!layout) throw new Error('no layout')
    const map = createSeatMap(layout, await w.concerts.listSeatStates(show.id), 0)
    expect(fingerprints.sort((a, b) => a.section.localeCompare(b.section))).toEqual(map.fingerprints())
    expect(fingerprints[0]).toMatchObject({ section: 'A', sold: 1, held: 1, soldSum: 3 })
    expect(fingerprints[1]).toMatchObject({ section: 'B', sold: 0, held: 1, soldSum: 0 })
  })

  it('listSeatStates of one section gives only that section\'s seats', async () => {
    const { show } = await givenConcert(w.concerts, { ranges: [{ from: 1, to: 2, grade: 'R', price: 10, section: 'A' }, { from: 3, to: 4, grade: 'R', price: 10, section: 'B' }, { from: 5, to: 5, grade: 'R', price: 10, section: 'A' }] })
    expect((await w.concerts.listSeatStates(show.id, 'A')).map(s => s.seatNo)).toEqual([1, 2, 5])
    expect(await w.concerts.listSeatStates(show.id, 'C')).toEqual([])
  })

  it('salesByShow counts sold, live held and available seats and the revenue of each show', async () => {
    const { concert, shows } = await givenConcert(w.concerts, { dates: ['2026-12-24', '2026-12-25'], ranges: [{ from: 1, to: 2, grade: 'VIP', price: 200_000 }, { from: 3, to: 5, grade: 'R', price: 100_000 }] })
    const [first, second] = shows
    await take(first, 1, T0 + 1000, true)
    await take(first, 3, T0 + 1000, true)
    await take(first, 4, T0 + 5000)
    await take(first, 5, T0 + 500)
    const sales = await w.concerts.salesByShow(concert.id, T0 + 1000)
    expect(sales).toEqual([
      { showId: first.id, date: '2026-12-24', startsAt: first.startsAt, totalSeats: 5, sold: 2, held: 1, available: 2, revenue: 300_000, refunds: 0, refunded: 0 },
      { showId: second.id, date: '2026-12-25', startsAt: second.startsAt, totalSeats: 5, sold: 0, held: 0, available: 5, revenue: 0, refunds: 0, refunded: 0 }
    ])
    expect(await w.concerts.salesByShow(concert.id + 10_000, T0)).toEqual([])
  })

  it('salesByShow counts revenue net of refunds, and the refunds with their amount', async () => {
    const { concert, show } = await givenConcert(w.concerts, { ranges: [{ from: 1, to: 3, grade: 'R', price: 100_000 }] })
    await take(show, 1, T0 + 1000, true)
    await take(show, 2, T0 + 1000, true)
    const [refunded] = await w.database.db.selectFrom('payments').innerJoin('reservations', 'reservations.id', 'payments.reservation_id')
      .select('payments.reservation_id').where('reservations.show_id', '=', show.id).where('reservations.seat_no', '=', 2).execute()
    expect(await w.stores.payments.markRefunded(Number(refunded.reservation_id), T0 + 10)).toBe(true)
    expect(await w.concerts.salesByShow(concert.id, T0)).toEqual([expect.objectContaining({ revenue: 100_000, refunds: 1, refunded: 100_000 })])
  })
})

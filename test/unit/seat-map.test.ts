// Unit: a show's seat map in memory and its ready-made bodies — events, lapses by time, versions, entity tags, repairs.

import { describe, expect, it } from 'vitest'
import { buildLayout, type LayoutSeat, type SeatState, type VenueLayout } from '../../src/modules/concerts/concert.js'
import { createSeatMap } from '../../src/modules/concerts/seat-map.js'
import { createSeatMapViews } from '../../src/modules/concerts/seat-map-views.js'
import { T0 } from '../support/factories.js'

/** Section A: rows 1 (seats 1–3) and 2 (seats 7–8); section B: row 1 (seats 4–6) — B's seats sit between A's rows by number. */
function layout (): VenueLayout {
  const seats: LayoutSeat[] = [
    ...[1, 2, 3].map(seatNo => ({ seatNo, section: 'A', row: '1', rowNo: 0, grade: 'VIP', price: 300 })),
    ...[4, 5, 6].map(seatNo => ({ seatNo, section: 'B', row: '1', rowNo: 1, grade: 'R', price: 100 })),
    ...[7, 8].map(seatNo => ({ seatNo, section: 'A', row: '2', rowNo: 2, grade: 'R', price: 200 }))
  ]
  return buildLayout({ showId: 9, concertId: 3, noSingleSeatGaps: false }, seats)
}

const stored = (overrides: Record<number, Partial<SeatState>> = {}): SeatState[] =>
  Array.from({ length: 8 }, (_, i) => ({ seatNo: i + 1, grade: '', price: 0, status: 'AVAILABLE', heldUntil: null, ...overrides[i + 1] }))

function world (states = stored(), version = 10) {
  const map = createSeatMap(layout(), states, version)
  const views = createSeatMapViews(map, { concertId: 3, date: '2026-12-24' })
  const json = (now: number, section?: string) => JSON.parse(views.seats(now, section)?.body.toString() ?? 'null') as { version: number, seats: Array<{ seatNo: number, status: string }> }
  const statuses = (now: number, section?: string): string => json(now, section).seats.map(s => s.status[0]).join('')
  return { map, views, json, statuses }
}

describe('seat map bodies', () => {
  it('serve a section\'s seats and the whole show\'s in seat-number order with their place, grade and price', () => {
    const { views, json } = world(stored({ 2: { status: 'SOLD' } }))
    expect(json(T0, 'A')).toEqual({
      concertId: '3',
      date: '2026-12-24',
      version: 10,
      seats: [
        { seatNo: 1, section: 'A', row: '1', grade: 'VIP', price: 300, status: 'AVAILABLE' },
        { seatNo: 2, section: 'A', row: '1', grade: 'VIP', price: 300, status: 'SOLD' },
        { seatNo: 3, section: 'A', row: '1', grade: 'VIP', price: 300, status: 'AVAILABLE' },
        { seatNo: 7, section: 'A', row: '2', grade: 'R', price: 200, status: 'AVAILABLE' },
        { seatNo: 8, section: 'A', row: '2', grade: 'R', price: 200, status: 'AVAILABLE' }
      ]
    })
    expect(json(T0).seats.map(s => s.seatNo)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(json(T0).seats[4]).toEqual({ seatNo: 5, section: 'B', row: '1', grade: 'R', price: 100, status: 'AVAILABLE' })
    expect(views.seats(T0, 'C')).toBeNull()
  })

  it('are built once and handed out again while nothing changes', () => {
    const { views } = world()
    const first = views.seats(T0, 'A')
    expect(views.seats(T0 + 60_000, 'A')).toBe(first)
    expect(views.seats(T0 + 60_000)).toBe(views.seats(T0 + 60_000))
    expect(views.sections(T0 + 1)).toBe(views.sections(T0 + 2))
  })

  it('follow a seat event: the changed section gets a new tag, every body the new version, other sections keep their tag', () => {
    const { map, views, statuses, json } = world()
    const [a, b, whole] = [views.seats(T0, 'A'), views.seats(T0, 'B'), views.seats(T0)]
    expect(map.apply({ seatNo: 5, status: 'HELD', heldUntil: T0 + 1000, version: 11 })).toBe(true)
    expect(statuses(T0, 'B')).toBe('AHA')
    expect(views.seats(T0, 'B')?.etag).not.toBe(b?.etag)
    expect(views.seats(T0)?.etag).not.toBe(whole?.etag)
    expect(views.seats(T0, 'A')?.etag).toBe(a?.etag) // section A's seats did not change: its 304s keep working
    expect([json(T0, 'A').version, json(T0, 'B').version, json(T0).version]).toEqual([11, 11, 11])
    expect(views.seats(T0, 'A')?.version).toBe(11)
  })

  it('show a hold as AVAILABLE once its time has passed, with no event, a new tag and the same version', () => {
    const { map, views, statuses } = world()
    map.apply({ seatNo: 7, status: 'HELD', heldUntil: T0 + 1000, version: 11 })
    const held = views.seats(T0 + 999, 'A')
    expect(statuses(T0 + 999, 'A')).toBe('AAAHA')
    expect(statuses(T0 + 1000, 'A')).toBe('AAAAA')
    expect(statuses(T0 + 1000)).toBe('AAAAAAAA')
    const lapsed = views.seats(T0 + 1000, 'A')
    expect(lapsed?.etag).not.toBe(held?.etag)
    expect(lapsed?.version).toBe(11)
    // The tag is the seats' visible state: the same seats as before the hold give the same tag again.
    const fresh = world()
    expect(lapsed?.etag).toBe(fresh.views.seats(T0, 'A')?.etag)
  })

  it('give the same tag to the same seats however the map got there (so another instance answers 304 too)', () => {
    const viaEvents = world()
    viaEvents.map.apply({ seatNo: 1, status: 'HELD', heldUntil: T0 + 5000, version: 11 })
    viaEvents.map.apply({ seatNo: 1, status: 'SOLD', heldUntil: null, version: 12 })
    const viaSql = world(stored({ 1: { status: 'SOLD' } }), 12)
    expect(viaEvents.views.seats(T0, 'A')?.etag).toBe(viaSql.views.seats(T0, 'A')?.etag)
    expect(viaEvents.views.seats(T0)?.etag).toBe(viaSql.views.seats(T0)?.etag)
    expect(viaEvents.views.sections(T0).etag).toBe(viaSql.views.sections(T0).etag)
    expect(viaEvents.views.seats(T0, 'A')?.etag).not.toBe(viaEvents.views.seats(T0, 'B')?.etag)
  })

  it('summarise each section in the admin\'s order: grades, price range, seats and seats available now', () => {
    const { map, views } = world(stored({ 4: { status: 'SOLD' } }))
    map.apply({ seatNo: 1, status: 'HELD', heldUntil: T0 + 1000, version: 11 })
    const summary = (now: number) => JSON.parse(views.sections(now).body.toString()) as { version: number, sections: unknown[] }
    expect(summary(T0)).toEqual({
      concertId: '3',
      date: '2026-12-24',
      version: 11,
      sections: [
        { section: 'A', grades: ['VIP', 'R'], priceMin: 200, priceMax: 300, totalSeats: 5, availableSeats: 4 },
        { section: 'B', grades: ['R'], priceMin: 100, priceMax: 100, totalSeats: 3, availableSeats: 2 }
      ]
    })
    const before = views.sections(T0).etag
    expect(summary(T0 + 1000).sections[0]).toMatchObject({ availableSeats: 5 })
    expect(views.sections(T0 + 1000).etag).not.toBe(before)
  })
})

describe('seat map state', () => {
  it('ignores a change older than what the seat already shows, and seats the layout lacks', () => {
    const { map, statuses } = world()
    expect(map.apply({ seatNo: 2, status: 'SOLD', heldUntil: null, version: 13 })).toBe(true)
    expect(map.apply({ seatNo: 2, status: 'HELD', heldUntil: T0 + 1000, version: 12 })).toBe(false) // arrived late
    expect(map.apply({ seatNo: 99, status: 'SOLD', heldUntil: null, version: 14 })).toBe(false)
    expect(statuses(T0)).toBe('ASAAAAAA')
    expect(map.version).toBe(13)
  })

  it('a repair from SQL keeps seats that changed after the snapshot was taken, and takes the rest', () => {
    const { map, statuses } = world(stored(), 10)
    map.apply({ seatNo: 3, status: 'HELD', heldUntil: T0 + 1000, version: 12 }) // after the snapshot's version 11
    const changed = map.repair(stored({ 1: { status: 'SOLD' }, 3: { status: 'AVAILABLE' }, 6: { status: 'HELD', heldUntil: T0 + 500 } }), 11)
    expect(changed).toBe(2)
    expect(statuses(T0)).toBe('SAHAAHAA')
    expect(map.version).toBe(12)
    // A change the snapshot already holds, arriving late, does not undo a later one.
    expect(map.apply({ seatNo: 1, status: 'HELD', heldUntil: T0 + 1000, version: 11 })).toBe(true)
    map.repair(stored({ 1: { status: 'SOLD' } }), 12)
    expect(map.apply({ seatNo: 1, status: 'HELD', heldUntil: T0 + 1000, version: 11 })).toBe(false)
  })

  it('fingerprints count and sum SOLD and HELD seats per section, lapse times included', () => {
    const { map } = world(stored({ 2: { status: 'SOLD' }, 8: { status: 'HELD', heldUntil: 2_000_009 } }))
    expect(map.fingerprints()).toEqual([
      { section: 'A', sold: 1, held: 1, soldSum: 2, heldSum: 8 * 7 + 3 },
      { section: 'B', sold: 0, held: 0, soldSum: 0, heldSum: 0 }
    ])
    map.apply({ seatNo: 8, status: 'HELD', heldUntil: 2_000_010, version: 11 })
    expect(map.fingerprints()[0].heldSum).toBe(8 * 7 + 4)
    map.apply({ seatNo: 5, status: 'HELD', heldUntil: null, version: 12 }) // lapse unknown: never equal to SQL's
    expect(map.fingerprints()[1].heldSum).toBe(5 * 7 - 1)
  })
})

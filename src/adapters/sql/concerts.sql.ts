// ConcertRepository on SQL (SQLite or MySQL through Kysely).

import { sql, type Kysely } from 'kysely'
import type { Concert, NewConcert, SeatState, Show, ShowAvailability, ShowSales } from '../../modules/concerts/concert.js'
import { visibleSeats } from '../../modules/concerts/concert.js'
import type { ConcertRepository } from '../../modules/concerts/concert-repository.js'
import type { DB } from './schema.js'
import type { SqlDatabase } from './database.js'

const num = (v: unknown): number => Number(v ?? 0)

/** `held_until <= now` in SQL: a lapsed hold counts as available everywhere at once. */
const availableSql = (now: number) => sql<number>`sum(case when status = 'AVAILABLE' or (status = 'HELD' and held_until <= ${now}) then 1 else 0 end)`

export function createSqlConcertRepository (database: SqlDatabase): ConcertRepository {
  const db: Kysely<DB> = database.db

  async function datesByConcert (concertIds: number[]): Promise<Map<number, string[]>> {
    const byConcert = new Map<number, string[]>()
    if (concertIds.length === 0) return byConcert
    const rows = await db.selectFrom('shows').select(['concert_id', 'show_date']).where('concert_id', 'in', concertIds).orderBy('show_date').execute()
    for (const r of rows) byConcert.set(r.concert_id, [...(byConcert.get(r.concert_id) ?? []), r.show_date])
    return byConcert
  }

  const repo: ConcertRepository = {
    async listConcerts () {
      const rows = await db.selectFrom('concerts').select(['id', 'title', 'venue']).orderBy('id').execute()
      const dates = await datesByConcert(rows.map(r => r.id))
      return rows.map(r => ({ id: r.id, title: r.title, venue: r.venue, dates: dates.get(r.id) ?? [] }))
    },
    async findConcert (concertId) {
      const r = await db.selectFrom('concerts').select(['id', 'title', 'venue']).where('id', '=', concertId).executeTakeFirst()
      if (!r) return null
      return { id: r.id, title: r.title, venue: r.venue, dates: (await datesByConcert([r.id])).get(r.id) ?? [] }
    },
    async countConcerts () {
      const r = await db.selectFrom('concerts').select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      return num(r.n)
    },
    async findShow (concertId, date) {
      const r = await db.selectFrom('shows').selectAll().where('concert_id', '=', concertId).where('show_date', '=', date).executeTakeFirst()
      return r ? { id: r.id, concertId: r.concert_id, date: r.show_date, startsAt: num(r.starts_at) } : null
    },
    async listUpcomingShows (now, concertId) {
      let q = db.selectFrom('shows')
        .innerJoin('concerts', 'concerts.id', 'shows.concert_id')
        .innerJoin('seats', 'seats.show_id', 'shows.id')
        .select(['shows.id', 'shows.concert_id', 'shows.show_date', 'shows.starts_at', 'concerts.title'])
        .select(eb => [eb.fn.countAll<number>().as('total'), availableSql(now).as('available')])
        .where('shows.starts_at', '>', now)
        .groupBy(['shows.id', 'shows.concert_id', 'shows.show_date', 'shows.starts_at', 'concerts.title'])
        .orderBy('shows.starts_at').orderBy('shows.id')
      if (concertId !== undefined) q = q.where('shows.concert_id', '=', concertId)
      const rows = await q.execute()
      return rows.map((r): ShowAvailability => ({
        id: r.id, concertId: r.concert_id, date: r.show_date, startsAt: num(r.starts_at), concertTitle: r.title,
        totalSeats: num(r.total), availableSeats: num(r.available)
      }))
    },
    async listSeats (showId, now) {
      return visibleSeats(await repo.listSeatStates(showId), now)
    },
    async findSeat (showId, seatNo) {
      const r = await db.selectFrom('seats').select(['seat_no', 'grade', 'price']).where('show_id', '=', showId).where('seat_no', '=', seatNo).executeTakeFirst()
      return r ? { seatNo: r.seat_no, grade: r.grade, price: num(r.price) } : null
    },
    async listSeatStates (showId) {
      const rows = await db.selectFrom('seats').select(['seat_no', 'grade', 'price', 'status', 'held_until'])
        .where('show_id', '=', showId).orderBy('seat_no').execute()
      return rows.map((r): SeatState => ({ seatNo: r.seat_no, grade: r.grade, price: num(r.price), status: r.status, heldUntil: r.held_until === null ? null : num(r.held_until) }))
    },
    async createConcert (input: NewConcert, now: number) {
      return database.db.transaction().execute(async (tx) => {
        const inserted = await tx.insertInto('concerts').values({ title: input.title, venue: input.venue, created_at: now }).executeTakeFirstOrThrow()
        const concertId = Number(inserted.insertId)
        const shows: Show[] = []
        for (const s of [...input.shows].sort((a, b) => a.date.localeCompare(b.date))) {
          const res = await tx.insertInto('shows').values({ concert_id: concertId, show_date: s.date, starts_at: s.startsAt }).executeTakeFirstOrThrow()
          const showId = Number(res.insertId)
          const seats = s.seats.flatMap(range => Array.from({ length: range.to - range.from + 1 }, (_, i) => ({
            show_id: showId, seat_no: range.from + i, grade: range.grade, price: range.price, status: 'AVAILABLE', held_until: null, user_id: null, reservation_id: null
          })))
          for (let i = 0; i < seats.length; i += 500) await tx.insertInto('seats').values(seats.slice(i, i + 500)).execute()
          shows.push({ id: showId, concertId, date: s.date, startsAt: s.startsAt })
        }
        const concert: Concert = { id: concertId, title: input.title, venue: input.venue, dates: shows.map(s => s.date) }
        return { concert, shows }
      })
    },
    async salesByShow (concertId, now) {
      const rows = await db.selectFrom('shows')
        .innerJoin('seats', 'seats.show_id', 'shows.id')
        .select(['shows.id', 'shows.show_date', 'shows.starts_at'])
        .select(eb => [
          eb.fn.countAll<number>().as('total'),
          sql<number>`sum(case when status = 'SOLD' then 1 else 0 end)`.as('sold'),
          sql<number>`sum(case when status = 'HELD' and held_until > ${now} then 1 else 0 end)`.as('held'),
          availableSql(now).as('available')
        ])
        .where('shows.concert_id', '=', concertId)
        .groupBy(['shows.id', 'shows.show_date', 'shows.starts_at'])
        .orderBy('shows.show_date')
        .execute()
      const revenue = await db.selectFrom('payments').innerJoin('reservations', 'reservations.id', 'payments.reservation_id')
        .select(['reservations.show_id', sql<number>`sum(payments.amount)`.as('revenue')])
        .where('reservations.concert_id', '=', concertId).groupBy('reservations.show_id').execute()
      const byShow = new Map(revenue.map(r => [r.show_id, num(r.revenue)]))
      return rows.map((r): ShowSales => ({
        showId: r.id, date: r.show_date, startsAt: num(r.starts_at), totalSeats: num(r.total),
        sold: num(r.sold), held: num(r.held), available: num(r.available), revenue: byShow.get(r.id) ?? 0
      }))
    }
  }
  return repo
}

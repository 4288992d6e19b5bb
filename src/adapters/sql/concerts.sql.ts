// ConcertRepository on SQL (SQLite or MySQL through Kysely).

import { randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Concert, NewConcert, Seat, SeatState, Show, ShowAvailability, ShowSales } from '../../modules/concerts/concert.js'
import { buildLayout, placeRanges, visibleSeatStatus } from '../../modules/concerts/concert.js'
import type { ConcertRepository } from '../../modules/concerts/concert-repository.js'
import { FINGERPRINT_MODULUS } from '../../modules/concerts/seat-map.js'
import type { DB } from './schema.js'
import type { SqlDatabase } from './database.js'

const num = (v: unknown): number => Number(v ?? 0)
const numOrNull = (v: unknown): number | null => v === null || v === undefined ? null : Number(v)

/** Seat rows per INSERT: 8 values each stays far below SQLite's 32,766 and MySQL's 65,535 placeholders. */
const SEAT_BATCH = 1000

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
      const rows = await db.selectFrom('concerts').select(['id', 'title', 'venue', 'sales_open_at']).orderBy('id').execute()
      const dates = await datesByConcert(rows.map(r => r.id))
      return rows.map(r => ({ id: r.id, title: r.title, venue: r.venue, dates: dates.get(r.id) ?? [], salesOpenAt: numOrNull(r.sales_open_at) }))
    },
    async findConcert (concertId) {
      const r = await db.selectFrom('concerts').select(['id', 'title', 'venue', 'sales_open_at']).where('id', '=', concertId).executeTakeFirst()
      if (!r) return null
      return { id: r.id, title: r.title, venue: r.venue, dates: (await datesByConcert([r.id])).get(r.id) ?? [], salesOpenAt: numOrNull(r.sales_open_at) }
    },
    async findDrawSeed (concertId) {
      const r = await db.selectFrom('concerts').select('draw_seed').where('id', '=', concertId).executeTakeFirst()
      return r?.draw_seed ?? null
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
      const rows = await db.selectFrom('seats').select(['seat_no', 'section', 'row_label', 'grade', 'price', 'status', 'held_until'])
        .where('show_id', '=', showId).orderBy('seat_no').execute()
      return rows.map((r): Seat => ({
        seatNo: r.seat_no, section: r.section, row: r.row_label, grade: r.grade, price: num(r.price),
        status: visibleSeatStatus(r.status, numOrNull(r.held_until), now)
      }))
    },
    async findSeat (showId, seatNo) {
      const r = await db.selectFrom('seats').select(['seat_no', 'section', 'row_label', 'grade', 'price'])
        .where('show_id', '=', showId).where('seat_no', '=', seatNo).executeTakeFirst()
      return r ? { seatNo: r.seat_no, section: r.section, row: r.row_label, grade: r.grade, price: num(r.price) } : null
    },
    async findLayout (showId) {
      const show = await db.selectFrom('shows').select(['concert_id', 'no_single_seat_gaps']).where('id', '=', showId).executeTakeFirst()
      if (!show) return null
      const seats = await db.selectFrom('seats').select(['seat_no', 'section', 'row_label', 'row_no', 'grade', 'price'])
        .where('show_id', '=', showId).execute()
      return buildLayout(
        { showId, concertId: show.concert_id, noSingleSeatGaps: num(show.no_single_seat_gaps) !== 0 },
        seats.map(r => ({ seatNo: r.seat_no, section: r.section, row: r.row_label, rowNo: num(r.row_no), grade: r.grade, price: num(r.price) }))
      )
    },
    async listSeatStates (showId, section) {
      let q = db.selectFrom('seats').select(['seat_no', 'grade', 'price', 'status', 'held_until']).where('show_id', '=', showId)
      if (section !== undefined) q = q.where('section', '=', section)
      const rows = await q.orderBy('seat_no').execute()
      return rows.map((r): SeatState => ({ seatNo: r.seat_no, grade: r.grade, price: num(r.price), status: r.status, heldUntil: numOrNull(r.held_until) }))
    },
    async sectionFingerprints (showId) {
      // The same sums as SeatMap.fingerprints(), over the stored rows (a lapsed hold still counts as HELD there too).
      const rows = await db.selectFrom('seats').select('section').select([
        sql<number>`sum(case when status = 'SOLD' then 1 else 0 end)`.as('sold'),
        sql<number>`sum(case when status = 'HELD' then 1 else 0 end)`.as('held'),
        sql<number>`sum(case when status = 'SOLD' then seat_no else 0 end)`.as('sold_sum'),
        sql<number>`sum(case when status = 'HELD' then seat_no * 7 + coalesce(held_until, 0) % ${FINGERPRINT_MODULUS} else 0 end)`.as('held_sum')
      ]).where('show_id', '=', showId).groupBy('section').execute()
      return rows.map(r => ({ section: r.section, sold: num(r.sold), held: num(r.held), soldSum: num(r.sold_sum), heldSum: num(r.held_sum) }))
    },
    async createConcert (input: NewConcert, now: number) {
      // One transaction (on SQLite Kysely runs it alone on the connection: nothing interleaves with it).
      return database.db.transaction().execute(async (tx) => {
        const salesOpenAt = input.salesOpenAt ?? null
        const inserted = await tx.insertInto('concerts').values({
          title: input.title, venue: input.venue, created_at: now, sales_open_at: salesOpenAt, draw_seed: randomBytes(32).toString('hex')
        }).executeTakeFirstOrThrow()
        const concertId = Number(inserted.insertId)
        const shows: Show[] = []
        for (const s of [...input.shows].sort((a, b) => a.date.localeCompare(b.date))) {
          const res = await tx.insertInto('shows').values({
            concert_id: concertId, show_date: s.date, starts_at: s.startsAt, no_single_seat_gaps: s.noSingleSeatGaps === true ? 1 : 0
          }).executeTakeFirstOrThrow()
          const showId = Number(res.insertId)
          let batch: Array<{ show_id: number, seat_no: number, grade: string, price: number, status: string, section: string, row_label: string, row_no: number }> = []
          for (const range of placeRanges(s.seats)) {
            for (let seatNo = range.from; seatNo <= range.to; seatNo++) {
              batch.push({ show_id: showId, seat_no: seatNo, grade: range.grade, price: range.price, status: 'AVAILABLE', section: range.section, row_label: range.row, row_no: range.rowNo })
              if (batch.length === SEAT_BATCH) { await tx.insertInto('seats').values(batch).execute(); batch = [] }
            }
          }
          if (batch.length > 0) await tx.insertInto('seats').values(batch).execute()
          shows.push({ id: showId, concertId, date: s.date, startsAt: s.startsAt })
        }
        const concert: Concert = { id: concertId, title: input.title, venue: input.venue, dates: shows.map(s => s.date), salesOpenAt }
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
      // Revenue is net of refunds: a refunded payment no longer counts, and is counted among the refunds instead.
      const revenue = await db.selectFrom('payments').innerJoin('reservations', 'reservations.id', 'payments.reservation_id')
        .select(['reservations.show_id',
          sql<number>`sum(case when payments.refunded_at is null then payments.amount else 0 end)`.as('revenue'),
          sql<number>`sum(case when payments.refunded_at is null then 0 else 1 end)`.as('refunds'),
          sql<number>`sum(case when payments.refunded_at is null then 0 else payments.amount end)`.as('refunded')])
        .where('reservations.concert_id', '=', concertId).groupBy('reservations.show_id').execute()
      const byShow = new Map(revenue.map(r => [r.show_id, { revenue: num(r.revenue), refunds: num(r.refunds), refunded: num(r.refunded) }]))
      return rows.map((r): ShowSales => ({
        showId: r.id, date: r.show_date, startsAt: num(r.starts_at), totalSeats: num(r.total),
        sold: num(r.sold), held: num(r.held), available: num(r.available), ...(byShow.get(r.id) ?? { revenue: 0, refunds: 0, refunded: 0 })
      }))
    }
  }
  return repo
}

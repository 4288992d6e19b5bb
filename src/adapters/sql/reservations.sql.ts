// ReservationStore on SQL: seat changes are single conditional UPDATEs checked by affected rows.

import type { ExpressionBuilder, Kysely } from 'kysely'
import type { Reservation, ReservationStatus } from '../../modules/reservations/reservation.js'
import type { ReservationStore, ShowSeats } from '../../modules/reservations/reservation-store.js'
import type { DB, ReservationsTable } from './schema.js'
import { affected, ensureUserRow, isMysqlDb } from './sql-helpers.js'

type Row = Omit<ReservationsTable, 'id' | 'seat_count' | 'refunded_at'> & { id: number, seat_count: number, refunded_at: number | null }

const toReservation = (r: Row, seatNos: number[]): Reservation => ({
  id: Number(r.id),
  userId: r.user_id,
  concertId: Number(r.concert_id),
  showId: Number(r.show_id),
  date: r.show_date,
  seatNo: Number(r.seat_no),
  // Rows written before orders had several seats have exactly their seat_no (the migration copied it).
  seatNos: seatNos.length > 0 ? seatNos : [Number(r.seat_no)],
  price: Number(r.price),
  status: r.status as ReservationStatus,
  heldUntil: Number(r.held_until),
  createdAt: Number(r.created_at),
  paidAt: r.paid_at === null ? null : Number(r.paid_at),
  refundedAt: r.refunded_at === null ? null : Number(r.refunded_at)
})

const count = (res: { numUpdatedRows: bigint } | undefined): number => Number(res?.numUpdatedRows ?? 0)

/** `status = HELD and held_until <= now` counts as free everywhere, whether or not the sweeper has been. */
const isFree = (now: number) => (eb: ExpressionBuilder<DB, 'seats'>) =>
  eb.or([eb('status', '=', 'AVAILABLE'), eb.and([eb('status', '=', 'HELD'), eb('held_until', '<=', now)])])

/** `db` may be the database or a transaction; inside a transaction every statement is part of it. */
export function createSqlReservationStore (db: Kysely<DB>): ReservationStore {
  const mysql = isMysqlDb(db)
  const inShow = (seats: ShowSeats) => db.updateTable('seats').where('show_id', '=', seats.showId).where('seat_no', 'in', [...seats.seatNos])

  /** The reservations with their seats: one query for the rows, one for every seat of them. */
  async function withSeats (rows: Row[]): Promise<Reservation[]> {
    if (rows.length === 0) return []
    const seats = await db.selectFrom('reservation_seats').select(['reservation_id', 'seat_no'])
      .where('reservation_id', 'in', rows.map(r => Number(r.id))).orderBy('reservation_id').orderBy('seat_no').execute()
    const byReservation = new Map<number, number[]>()
    for (const s of seats) {
      const id = Number(s.reservation_id)
      byReservation.set(id, [...(byReservation.get(id) ?? []), Number(s.seat_no)])
    }
    return rows.map(r => toReservation(r, byReservation.get(Number(r.id)) ?? []))
  }

  return {
    async lockUserWithRoomFor (userId, showId, seats, max, now) {
      if (seats > max) return false
      // The row lock is taken before the WHERE is checked, so the sum sees every hold committed before it.
      const lock = () => db.updateTable('users').set({ updated_at: now }).where('id', '=', userId)
        .where(eb => eb.selectFrom('reservations').select(sub => sub.fn.coalesce(sub.fn.sum<number>('seat_count'), sub.lit(0)).as('n'))
          .where('user_id', '=', userId).where('show_id', '=', showId).where('status', '=', 'HELD').where('held_until', '>', now), '<=', max - seats)
        .executeTakeFirst()
      if (affected(await lock())) return true
      // No row yet, or at the limit. Callers ensure the row before the transaction; this is the fallback. The
      // row may also have been committed by another transaction just now, so the lock is always tried again.
      if (!await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()) await ensureUserRow(db, userId, now)
      return affected(await lock())
    },
    async lockShow (showId) {
      // SQLite runs one transaction at a time: there is nothing to wait for.
      if (mysql) await db.selectFrom('shows').select('id').where('id', '=', showId).forUpdate().execute()
    },
    async freeSeatNos (showId, now) {
      const rows = await db.selectFrom('seats').select('seat_no').where('show_id', '=', showId).where(isFree(now)).orderBy('seat_no').execute()
      return rows.map(r => Number(r.seat_no))
    },
    async lockSeats (seats) {
      if (seats.seatNos.length === 0) return []
      let q = db.selectFrom('seats').select(['seat_no', 'status', 'held_until'])
        .where('show_id', '=', seats.showId).where('seat_no', 'in', [...seats.seatNos]).orderBy('seat_no')
      if (mysql) q = q.forUpdate()
      const rows = await q.execute()
      return rows.map(r => ({ seatNo: Number(r.seat_no), status: r.status, heldUntil: r.held_until === null ? null : Number(r.held_until) }))
    },
    async insert (r) {
      const res = await db.insertInto('reservations').values({
        user_id: r.userId, concert_id: r.concertId, show_id: r.showId, show_date: r.date, seat_no: r.seatNos[0], seat_count: r.seatNos.length,
        price: r.price, status: r.status, held_until: r.heldUntil, created_at: r.createdAt, paid_at: r.paidAt
      }).executeTakeFirstOrThrow()
      return { ...r, id: Number(res.insertId), seatNo: r.seatNos[0], seatNos: [...r.seatNos], refundedAt: null }
    },
    async addSeats (reservationId, seats) {
      await db.insertInto('reservation_seats').values(seats.seatNos.map(seatNo => ({ reservation_id: reservationId, seat_no: seatNo, show_id: seats.showId }))).execute()
    },
    async holdSeats (seats, reservationId, userId, heldUntil, now) {
      return count(await inShow(seats).set({ status: 'HELD', held_until: heldUntil, user_id: userId, reservation_id: reservationId })
        .where(isFree(now)).executeTakeFirst())
    },
    async seatsNotHeldBy (seats, reservationId) {
      const mine = await db.selectFrom('seats').select('seat_no')
        .where('show_id', '=', seats.showId).where('seat_no', 'in', [...seats.seatNos])
        .where('status', '=', 'HELD').where('reservation_id', '=', reservationId).execute()
      const held = new Set(mine.map(r => Number(r.seat_no)))
      return seats.seatNos.filter(n => !held.has(n))
    },
    async findById (id) {
      const r = await db.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirst()
      return r ? (await withSeats([r]))[0] : null
    },
    async listByUser (userId, limit) {
      return withSeats(await db.selectFrom('reservations').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').limit(limit).execute())
    },
    async releaseSeats (seats, reservationId, now) {
      return count(await inShow(seats).set({ status: 'AVAILABLE', held_until: null, user_id: null, reservation_id: null })
        .where('status', '=', 'HELD').where('reservation_id', '=', reservationId).where('held_until', '>', now)
        .executeTakeFirst())
    },
    async sellSeats (seats, reservationId, userId, now) {
      return count(await inShow(seats).set({ status: 'SOLD', held_until: null, user_id: userId })
        .where('status', '=', 'HELD').where('reservation_id', '=', reservationId).where('held_until', '>', now)
        .executeTakeFirst())
    },
    async refundSeats (seats, reservationId) {
      return count(await inShow(seats).set({ status: 'AVAILABLE', held_until: null, user_id: null, reservation_id: null })
        .where('status', '=', 'SOLD').where('reservation_id', '=', reservationId)
        .executeTakeFirst())
    },
    async setStatusFromHeld (id, to, at) {
      return affected(await db.updateTable('reservations')
        .set(to === 'CONFIRMED' ? { status: to, paid_at: at } : { status: to })
        .where('id', '=', id).where('status', '=', 'HELD')
        .executeTakeFirst())
    },
    async markRefunded (id, at) {
      return affected(await db.updateTable('reservations').set({ status: 'REFUNDED', refunded_at: at })
        .where('id', '=', id).where('status', '=', 'CONFIRMED')
        .executeTakeFirst())
    },
    async findLapsedReservations (now, limit) {
      return withSeats(await db.selectFrom('reservations').selectAll()
        .where('status', '=', 'HELD').where('held_until', '<=', now).orderBy('held_until').limit(limit).execute())
    },
    async releaseLapsedSeat (hold, now) {
      return affected(await db.updateTable('seats').set({ status: 'AVAILABLE', held_until: null, user_id: null, reservation_id: null })
        .where('show_id', '=', hold.showId).where('seat_no', '=', hold.seatNo)
        .where('status', '=', 'HELD').where('reservation_id', '=', hold.reservationId).where('held_until', '<=', now)
        .executeTakeFirst())
    }
  }
}

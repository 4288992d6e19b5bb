// ReservationStore on SQL: seat changes are single conditional UPDATEs checked by affected rows.

import type { Kysely } from 'kysely'
import type { Reservation, ReservationStatus } from '../../modules/reservations/reservation.js'
import type { ReservationStore } from '../../modules/reservations/reservation-store.js'
import type { DB, ReservationsTable } from './schema.js'
import { affected, ensureUserRow } from './sql-helpers.js'

type Row = Omit<ReservationsTable, 'id'> & { id: number }

const toReservation = (r: Row): Reservation => ({
  id: Number(r.id),
  userId: r.user_id,
  concertId: Number(r.concert_id),
  showId: Number(r.show_id),
  date: r.show_date,
  seatNo: Number(r.seat_no),
  price: Number(r.price),
  status: r.status as ReservationStatus,
  heldUntil: Number(r.held_until),
  createdAt: Number(r.created_at),
  paidAt: r.paid_at === null ? null : Number(r.paid_at)
})

/** `db` may be the database or a transaction; inside a transaction every statement is part of it. */
export function createSqlReservationStore (db: Kysely<DB>): ReservationStore {
  return {
    async lockUserUnderHoldLimit (userId, showId, max, now) {
      // The row lock is taken before the WHERE is checked, so the count sees every hold committed before it.
      const lock = () => db.updateTable('users').set({ updated_at: now }).where('id', '=', userId)
        .where(eb => eb.selectFrom('reservations').select(eb.fn.countAll<number>().as('n'))
          .where('user_id', '=', userId).where('show_id', '=', showId).where('status', '=', 'HELD').where('held_until', '>', now), '<', max)
        .executeTakeFirst()
      if (affected(await lock())) return true
      // No row yet, or at the limit. Callers ensure the row before the transaction; this is the fallback. The
      // row may also have been committed by another transaction just now, so the lock is always tried again.
      if (!await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()) await ensureUserRow(db, userId, now)
      return affected(await lock())
    },
    async insert (r) {
      const res = await db.insertInto('reservations').values({
        user_id: r.userId, concert_id: r.concertId, show_id: r.showId, show_date: r.date, seat_no: r.seatNo, price: r.price,
        status: r.status, held_until: r.heldUntil, created_at: r.createdAt, paid_at: r.paidAt
      }).executeTakeFirstOrThrow()
      return { ...r, id: Number(res.insertId) }
    },
    async holdSeat (seat, reservationId, userId, heldUntil, now) {
      return affected(await db.updateTable('seats')
        .set({ status: 'HELD', held_until: heldUntil, user_id: userId, reservation_id: reservationId })
        .where('show_id', '=', seat.showId).where('seat_no', '=', seat.seatNo)
        .where(eb => eb.or([eb('status', '=', 'AVAILABLE'), eb.and([eb('status', '=', 'HELD'), eb('held_until', '<=', now)])]))
        .executeTakeFirst())
    },
    async findById (id) {
      const r = await db.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirst()
      return r ? toReservation(r) : null
    },
    async listByUser (userId, limit) {
      const rows = await db.selectFrom('reservations').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').limit(limit).execute()
      return rows.map(toReservation)
    },
    async releaseSeat (seat, reservationId, now) {
      return affected(await db.updateTable('seats').set({ status: 'AVAILABLE', held_until: null, user_id: null, reservation_id: null })
        .where('show_id', '=', seat.showId).where('seat_no', '=', seat.seatNo)
        .where('status', '=', 'HELD').where('reservation_id', '=', reservationId).where('held_until', '>', now)
        .executeTakeFirst())
    },
    async sellSeat (seat, reservationId, userId, now) {
      return affected(await db.updateTable('seats').set({ status: 'SOLD', held_until: null, user_id: userId })
        .where('show_id', '=', seat.showId).where('seat_no', '=', seat.seatNo)
        .where('status', '=', 'HELD').where('reservation_id', '=', reservationId).where('held_until', '>', now)
        .executeTakeFirst())
    },
    async setStatusFromHeld (id, to, at) {
      return affected(await db.updateTable('reservations')
        .set(to === 'CONFIRMED' ? { status: to, paid_at: at } : { status: to })
        .where('id', '=', id).where('status', '=', 'HELD')
        .executeTakeFirst())
    },
    async findLapsedHolds (now, limit) {
      const rows = await db.selectFrom('seats').select(['show_id', 'seat_no', 'reservation_id'])
        .where('status', '=', 'HELD').where('held_until', '<=', now).limit(limit).execute()
      return rows.map(r => ({ showId: Number(r.show_id), seatNo: Number(r.seat_no), reservationId: Number(r.reservation_id ?? 0) }))
    },
    async releaseLapsedSeat (hold, now) {
      return affected(await db.updateTable('seats').set({ status: 'AVAILABLE', held_until: null, user_id: null, reservation_id: null })
        .where('show_id', '=', hold.showId).where('seat_no', '=', hold.seatNo)
        .where('status', '=', 'HELD').where('held_until', '<=', now)
        .executeTakeFirst())
    },
    async expireLapsedReservations (now) {
      const res = await db.updateTable('reservations').set({ status: 'EXPIRED' })
        .where('status', '=', 'HELD').where('held_until', '<=', now).executeTakeFirst()
      return Number(res.numUpdatedRows)
    }
  }
}

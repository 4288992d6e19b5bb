// Use cases: read one reservation, or a user's reservations.

import type { Clock } from '../../shared/clock.js'
import { NotFoundError } from '../../shared/errors.js'
import type { ConcertRepository } from '../concerts/concert-repository.js'
import type { SeatInfo } from '../concerts/concert.js'
import type { Reservation } from './reservation.js'
import { visibleReservation } from './reservation.js'
import type { ReservationStore } from './reservation-store.js'

/**
 * The reservation if it exists and belongs to `userId` (or `asAdmin`); RESERVATION_NOT_FOUND otherwise. Another
 * user's reservation reads exactly as a missing one, so sequential ids reveal nothing about who booked what.
 */
export async function requireOwnReservation (store: ReservationStore, id: number, userId: string, asAdmin: boolean): Promise<Reservation> {
  const r = await store.findById(id)
  if (!r || (r.userId !== userId && !asAdmin)) throw new NotFoundError('RESERVATION_NOT_FOUND', `no reservation ${id}`)
  return r
}

/** A reservation as clients read it: with where each of its seats is, its grade and price. */
export interface ReservationView extends Reservation { seats: SeatInfo[] }

/** Adds the seats' places from the show's layout (cached, and never changed once the show exists). */
export async function describeReservation (concerts: Pick<ConcertRepository, 'findLayout'>, r: Reservation): Promise<ReservationView> {
  const layout = await concerts.findLayout(r.showId)
  return { ...r, seats: r.seatNos.map(n => layout?.seat(n) ?? { seatNo: n, section: '', row: '', grade: '', price: 0 }) }
}

export interface ReadReservationsDeps { reservations: ReservationStore, concerts: Pick<ConcertRepository, 'findLayout'>, clock: Clock }

export async function getReservation (deps: ReadReservationsDeps, input: { id: number, userId: string, isAdmin: boolean }): Promise<ReservationView> {
  const r = await requireOwnReservation(deps.reservations, input.id, input.userId, input.isAdmin)
  return describeReservation(deps.concerts, visibleReservation(r, deps.clock.now()))
}

/** A user's reservations, newest first. */
export async function listUserReservations (deps: ReadReservationsDeps, userId: string, limit = 200): Promise<ReservationView[]> {
  const now = deps.clock.now()
  return Promise.all((await deps.reservations.listByUser(userId, limit)).map(r => describeReservation(deps.concerts, visibleReservation(r, now))))
}

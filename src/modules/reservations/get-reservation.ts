// Use cases: read one reservation, or a user's reservations.

import type { Clock } from '../../shared/clock.js'
import { NotFoundError } from '../../shared/errors.js'
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

export async function getReservation (deps: { reservations: ReservationStore, clock: Clock }, input: { id: number, userId: string, isAdmin: boolean }): Promise<Reservation> {
  const r = await requireOwnReservation(deps.reservations, input.id, input.userId, input.isAdmin)
  return visibleReservation(r, deps.clock.now())
}

/** A user's reservations, newest first. */
export async function listUserReservations (deps: { reservations: ReservationStore, clock: Clock }, userId: string, limit = 200): Promise<Reservation[]> {
  const now = deps.clock.now()
  return (await deps.reservations.listByUser(userId, limit)).map(r => visibleReservation(r, now))
}

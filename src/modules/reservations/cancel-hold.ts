// Use case: the holder gives a held order back before paying.

import type { Clock } from '../../shared/clock.js'
import { ConflictError } from '../../shared/errors.js'
import type { Transact } from '../../shared/transaction.js'
import type { HoldGate } from './hold-gate.js'
import { requireOwnReservation } from './get-reservation.js'
import { eventData } from './hold-seat.js'
import type { Reservation } from './reservation.js'
import type { SeatEvents } from './seat-events.js'

export interface CancelHoldDeps { transact: Transact, gate: HoldGate, events: SeatEvents, clock: Clock }

/** Cancels a live hold; every seat of it is AVAILABLE at once. RESERVATION_NOT_HELD for paid, cancelled or lapsed ones. */
export async function cancelHold (deps: CancelHoldDeps, input: { userId: string, reservationId: number }): Promise<Reservation> {
  const now = deps.clock.now()
  const cancelled = await deps.transact(async (tx) => {
    const r = await requireOwnReservation(tx.reservations, input.reservationId, input.userId, false)
    const notHeld = new ConflictError('RESERVATION_NOT_HELD', `reservation ${r.id} is not a live hold`)
    if (r.status !== 'HELD') throw notHeld
    // The seats of one hold lapse together, so they are released all together or (lapsed) not at all.
    if (await tx.reservations.releaseSeats({ showId: r.showId, seatNos: r.seatNos }, r.id, now) < r.seatNos.length) throw notHeld
    if (!await tx.reservations.setStatusFromHeld(r.id, 'CANCELLED', now)) throw notHeld
    await tx.outbox.add({ type: 'reservation.cancelled', showId: r.showId, occurredAt: now, data: eventData(r) })
    return { ...r, status: 'CANCELLED' as const }
  })
  await deps.gate.release({ concertId: cancelled.concertId, showId: cancelled.showId, seatNos: cancelled.seatNos })
  for (const seatNo of cancelled.seatNos) deps.events.publish({ showId: cancelled.showId, seatNo, status: 'AVAILABLE' })
  return cancelled
}

// Use case: the holder gives a held seat back before paying.

import type { Clock } from '../../shared/clock.js'
import { ConflictError } from '../../shared/errors.js'
import type { Transact } from '../../shared/transaction.js'
import type { HoldGate } from './hold-gate.js'
import { requireOwnReservation } from './get-reservation.js'
import type { Reservation } from './reservation.js'
import type { SeatEvents } from './seat-events.js'

export interface CancelHoldDeps { transact: Transact, gate: HoldGate, events: SeatEvents, clock: Clock }

/** Cancels a live hold; the seat is AVAILABLE at once. RESERVATION_NOT_HELD for paid, cancelled or lapsed ones. */
export async function cancelHold (deps: CancelHoldDeps, input: { userId: string, reservationId: number }): Promise<Reservation> {
  const now = deps.clock.now()
  const cancelled = await deps.transact(async (tx) => {
    const r = await requireOwnReservation(tx.reservations, input.reservationId, input.userId, false)
    const seat = { showId: r.showId, seatNo: r.seatNo }
    if (r.status !== 'HELD' || !await tx.reservations.releaseSeat(seat, r.id, now)) {
      throw new ConflictError('RESERVATION_NOT_HELD', `reservation ${r.id} is not a live hold`)
    }
    await tx.reservations.setStatusFromHeld(r.id, 'CANCELLED', now)
    return { ...r, status: 'CANCELLED' as const }
  })
  await deps.gate.release(cancelled.showId, cancelled.seatNo)
  deps.events.publish({ showId: cancelled.showId, seatNo: cancelled.seatNo, status: 'AVAILABLE' })
  return cancelled
}

// Use case: give a paid order back — the points return, the payment is marked refunded, every seat is for sale again.

import type { Clock } from '../../shared/clock.js'
import { ConflictError, NotFoundError } from '../../shared/errors.js'
import { unfenced, type Fenced } from '../idempotency/fence.js'
import type { HoldGate } from '../reservations/hold-gate.js'
import type { SeatEvents } from '../reservations/seat-events.js'
import type { PaymentLedger, RefundResult } from './payment-ledger.js'

export type { RefundResult } from './payment-ledger.js'

export interface RefundReservationDeps {
  ledger: Pick<PaymentLedger, 'refund'>
  /** The Idempotency-Key's fencing of the write, when the request has one. */
  fenced?: Fenced
  gate: HoldGate
  events: SeatEvents
  clock: Clock
  /** Owners may refund until this long before the show starts (REFUND_CUTOFF_HOURS); admins at any time. */
  refundCutoffMs: number
}

export interface RefundInput { userId: string, isAdmin: boolean, reservationId: number }

/**
 * Refunds a CONFIRMED reservation in one write: its price back to the owner's points with a REFUND row, the
 * payment marked refunded, the reservation REFUNDED, every seat AVAILABLE. RESERVATION_NOT_CONFIRMED,
 * ALREADY_REFUNDED, or REFUND_CLOSED within REFUND_CUTOFF_HOURS of the show (owners only).
 */
export async function refundReservation (deps: RefundReservationDeps, input: RefundInput): Promise<RefundResult> {
  const now = deps.clock.now()
  const request = { userId: input.userId, reservationId: input.reservationId, now, cutoffMs: input.isAdmin ? null : deps.refundCutoffMs }
  const outcome = await (deps.fenced ?? unfenced)(fence => deps.ledger.refund(request, fence))
  if ('refused' in outcome) {
    switch (outcome.refused) {
      case 'RESERVATION_NOT_FOUND': throw new NotFoundError('RESERVATION_NOT_FOUND', `no reservation ${input.reservationId}`)
      case 'ALREADY_REFUNDED': throw new ConflictError('ALREADY_REFUNDED', `reservation ${input.reservationId} was refunded already`)
      case 'RESERVATION_NOT_CONFIRMED': throw new ConflictError('RESERVATION_NOT_CONFIRMED', `reservation ${input.reservationId} is not paid`)
      case 'REFUND_CLOSED':
        throw new ConflictError('REFUND_CLOSED', `refunds close ${deps.refundCutoffMs / 3_600_000} hours before the show starts`, { closedAt: new Date(outcome.closesAt).toISOString() })
    }
  }
  const { order } = outcome
  // A gate entry may still stand from the hold that was paid: the seats are for sale again now.
  await deps.gate.release({ concertId: order.concertId, showId: order.showId, seatNos: order.seatNos })
  for (const seatNo of order.seatNos) deps.events.publish({ showId: order.showId, seatNo, status: 'AVAILABLE' })
  return outcome.refunded
}

// Use case: pay a held order with points — one write moves the money, every seat and the reservation.

import type { Clock } from '../../shared/clock.js'
import { ConflictError, NotFoundError, UnprocessableError } from '../../shared/errors.js'
import { unfenced, type Fenced } from '../idempotency/fence.js'
import type { SeatEvents } from '../reservations/seat-events.js'
import type { PaymentLedger, PaymentResult, SettledOrder } from './payment-ledger.js'

export type { PaymentResult } from './payment-ledger.js'

export interface PayReservationDeps {
  ledger: Pick<PaymentLedger, 'pay'>
  /** The Idempotency-Key's fencing of the write, when the request has one. */
  fenced?: Fenced
  clock: Clock
  events: SeatEvents
  /** What follows a payment (the user's queue token for the concert lapses); the payment stands whatever it does. */
  onPaid?: (order: SettledOrder) => Promise<void>
}

/** Pays a live hold: debit of the total + USE row + payment row + every seat SOLD + reservation CONFIRMED, all or nothing. */
export async function payReservation (deps: PayReservationDeps, input: { userId: string, reservationId: number }): Promise<PaymentResult> {
  const now = deps.clock.now()
  const outcome = await (deps.fenced ?? unfenced)(fence => deps.ledger.pay({ ...input, now }, fence))
  if ('refused' in outcome) {
    switch (outcome.refused) {
      case 'RESERVATION_NOT_FOUND': throw new NotFoundError('RESERVATION_NOT_FOUND', `no reservation ${input.reservationId}`)
      case 'ALREADY_PAID': throw new ConflictError('ALREADY_PAID', `reservation ${input.reservationId} is already paid`)
      case 'HOLD_EXPIRED': throw new ConflictError('HOLD_EXPIRED', `the hold on seat ${outcome.seatNos.join(', ')} is no longer live`)
      case 'INSUFFICIENT_POINTS': {
        const { price, balance } = outcome
        throw new UnprocessableError('INSUFFICIENT_POINTS', `the order costs ${price} but the balance is ${balance}`, { price, balance })
      }
    }
  }
  for (const seatNo of outcome.order.seatNos) deps.events.publish({ showId: outcome.order.showId, seatNo, status: 'SOLD' })
  await deps.onPaid?.(outcome.order)
  // The write's result is the whole answer, so an idempotent replay returns it as recorded.
  return outcome.paid
}

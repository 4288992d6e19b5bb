// Port: paying and refunding an order, each as one write that moves the money, the seats and the reservation together.

import type { Fence } from '../idempotency/fence.js'

export interface PaymentResult { paymentId: number, reservationId: number, amount: number, balance: number, status: 'CONFIRMED', paidAt: number }
export interface RefundResult { reservationId: number, amount: number, balance: number, status: 'REFUNDED', refundedAt: number }

/** The order a payment or refund was for: what the seat maps and the waiting room hear of afterwards. */
export interface SettledOrder { reservationId: number, userId: string, concertId: number, showId: number, seatNos: number[] }

export type PayOutcome =
  | { paid: PaymentResult, order: SettledOrder }
  /** No such reservation, or not the payer's. */
  | { refused: 'RESERVATION_NOT_FOUND' }
  | { refused: 'ALREADY_PAID' }
  /** The hold lapsed, was cancelled or refunded. */
  | { refused: 'HOLD_EXPIRED', seatNos: number[] }
  | { refused: 'INSUFFICIENT_POINTS', price: number, balance: number }

export type RefundOutcome =
  | { refunded: RefundResult, order: SettledOrder }
  /** No such reservation, or (unless an admin asks) not the asker's. */
  | { refused: 'RESERVATION_NOT_FOUND' }
  | { refused: 'ALREADY_REFUNDED' }
  | { refused: 'RESERVATION_NOT_CONFIRMED' }
  /** Owners may refund until `closesAt` (the show's start less the cutoff). */
  | { refused: 'REFUND_CLOSED', closesAt: number }

export interface PaymentLedger {
  /**
   * Pays a live hold of `userId` in one transaction: the total off the balance (only if it covers it) with a
   * USE history row, a payment row, every seat HELD by the reservation → SOLD, the reservation → CONFIRMED,
   * and a `payment.confirmed` event; or nothing at all. With a fence, the result is the key's outcome.
   */
  pay (p: { userId: string, reservationId: number, now: number }, fence: Fence | null): Promise<PayOutcome>
  /**
   * Refunds a CONFIRMED reservation in one transaction: its price back to the owner's points (no balance limit:
   * the points were theirs) with a REFUND row, the payment marked refunded, the reservation REFUNDED, every seat
   * AVAILABLE, and a `reservation.refunded` event. `cutoffMs` null: an admin, who may refund anyone's order at
   * any time; otherwise only the owner, until that long before the show starts.
   */
  refund (r: { userId: string, reservationId: number, now: number, cutoffMs: number | null }, fence: Fence | null): Promise<RefundOutcome>
}

// Use case: give a paid order back — the points return, the payment is marked refunded, every seat is for sale again.

import type { Clock } from '../../shared/clock.js'
import { ConflictError } from '../../shared/errors.js'
import type { Transact } from '../../shared/transaction.js'
import type { ConcertRepository } from '../concerts/concert-repository.js'
import { requireShow } from '../concerts/list-seats.js'
import { requireOwnReservation } from '../reservations/get-reservation.js'
import type { HoldGate } from '../reservations/hold-gate.js'
import { eventData } from '../reservations/hold-seat.js'
import type { Reservation } from '../reservations/reservation.js'
import type { ReservationStore } from '../reservations/reservation-store.js'
import type { SeatEvents } from '../reservations/seat-events.js'
import { reread } from './pay-reservation.js'

export interface RefundReservationDeps {
  transact: Transact
  /** Reads outside the transaction (where the reservation's show is). */
  reservations: Pick<ReservationStore, 'findById'>
  concerts: ConcertRepository
  gate: HoldGate
  events: SeatEvents
  clock: Clock
  /** Owners may refund until this long before the show starts (REFUND_CUTOFF_HOURS); admins at any time. */
  refundCutoffMs: number
}

export interface RefundInput { userId: string, isAdmin: boolean, reservationId: number }
export interface RefundResult { reservationId: number, amount: number, balance: number, status: 'REFUNDED', refundedAt: number }

/** A refund never fails for the balance limit: the points were the user's before they paid. */
const NO_BALANCE_LIMIT = Number.MAX_SAFE_INTEGER

/**
 * Refunds a CONFIRMED reservation in one transaction: its price back to the owner's points with a REFUND row,
 * the payment marked refunded, the reservation REFUNDED, every seat AVAILABLE. RESERVATION_NOT_CONFIRMED,
 * ALREADY_REFUNDED, or REFUND_CLOSED within REFUND_CUTOFF_HOURS of the show (owners only).
 */
export async function refundReservation (deps: RefundReservationDeps, input: RefundInput): Promise<RefundResult> {
  const now = deps.clock.now()
  // Which show, and so when refunds close, never changes: it is looked up before the transaction (a lookup
  // inside it would wait for it on SQLite's one connection).
  const closesAt = input.isAdmin ? Infinity : await refundsCloseAt(deps, input.reservationId)
  let refunded: Reservation | undefined
  // The transaction's value is the whole result, so an idempotent replay can return it as recorded.
  const result = await deps.transact(async (tx) => {
    const r = await requireOwnReservation(tx.reservations, input.reservationId, input.userId, input.isAdmin)
    assertRefundable(r)
    if (now >= closesAt) {
      throw new ConflictError('REFUND_CLOSED', `refunds close ${deps.refundCutoffMs / 3_600_000} hours before the show starts`, { closedAt: new Date(closesAt).toISOString() })
    }
    // Lock order everywhere: user row, then seats, then reservation, then payment. A concurrent refund or pay
    // of this reservation waits here and then finds its conditional statements match nothing.
    await tx.points.credit(r.userId, r.price, NO_BALANCE_LIMIT, now)
    if (await tx.reservations.refundSeats({ showId: r.showId, seatNos: r.seatNos }, r.id) < r.seatNos.length ||
        !await tx.reservations.markRefunded(r.id, now)) {
      assertRefundable(await reread(tx.reservations, r.id))
      throw new Error(`reservation ${r.id} is CONFIRMED but its seats are not all sold to it`)
    }
    if (!await tx.payments.markRefunded(r.id, now)) throw new Error(`reservation ${r.id} is CONFIRMED but has no unrefunded payment`)
    const balance = await tx.points.balance(r.userId)
    await tx.points.addEntry({ userId: r.userId, type: 'REFUND', amount: r.price, balanceAfter: balance, reservationId: r.id, createdAt: now })
    await tx.outbox.add({ type: 'reservation.refunded', showId: r.showId, occurredAt: now, data: eventData(r, { balance }) })
    refunded = r
    const done: RefundResult = { reservationId: r.id, amount: r.price, balance, status: 'REFUNDED', refundedAt: now }
    return done
  })
  if (refunded) {
    // A gate entry may still stand from the hold that was paid: the seats are for sale again now.
    await deps.gate.release({ concertId: refunded.concertId, showId: refunded.showId, seatNos: refunded.seatNos })
    for (const seatNo of refunded.seatNos) deps.events.publish({ showId: refunded.showId, seatNo, status: 'AVAILABLE' })
  }
  return result
}

/** When the owner's refunds of this reservation close (its show's start less the cutoff); Infinity if it does not exist. */
async function refundsCloseAt (deps: Pick<RefundReservationDeps, 'reservations' | 'concerts' | 'refundCutoffMs'>, reservationId: number): Promise<number> {
  const r = await deps.reservations.findById(reservationId)
  if (!r) return Infinity // the transaction answers RESERVATION_NOT_FOUND
  return (await requireShow(deps.concerts, r.concertId, r.date)).startsAt - deps.refundCutoffMs
}

function assertRefundable (r: Reservation): void {
  if (r.status === 'REFUNDED') throw new ConflictError('ALREADY_REFUNDED', `reservation ${r.id} was refunded already`)
  if (r.status !== 'CONFIRMED') throw new ConflictError('RESERVATION_NOT_CONFIRMED', `reservation ${r.id} is not paid`)
}

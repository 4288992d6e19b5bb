// Use case: pay a held order with points — one transaction moves the money, every seat and the reservation.

import type { Clock } from '../../shared/clock.js'
import { ConflictError, UnprocessableError } from '../../shared/errors.js'
import type { Transact } from '../../shared/transaction.js'
import { requireOwnReservation } from '../reservations/get-reservation.js'
import { eventData } from '../reservations/hold-seat.js'
import type { SeatEvents } from '../reservations/seat-events.js'
import type { ReservationStore } from '../reservations/reservation-store.js'
import type { Reservation } from '../reservations/reservation.js'
import type { PointStore } from '../points/point-store.js'

export interface PayReservationDeps {
  transact: Transact
  users: Pick<PointStore, 'ensureUser'>
  clock: Clock
  events: SeatEvents
  /** What follows a payment (the user's queue token for the concert lapses); the payment stands whatever it does. */
  onPaid?: (reservation: Reservation) => Promise<void>
}

export interface PaymentResult { paymentId: number, reservationId: number, amount: number, balance: number, status: 'CONFIRMED', paidAt: number }

/** Pays a live hold: debit of the total + USE row + payment row + every seat SOLD + reservation CONFIRMED, all or nothing. */
export async function payReservation (deps: PayReservationDeps, input: { userId: string, reservationId: number }): Promise<PaymentResult> {
  const now = deps.clock.now()
  await deps.users.ensureUser(input.userId, now)
  let reservation: Reservation | undefined
  // The transaction's value is the whole result, so an idempotent replay can return it as recorded.
  const result = await deps.transact(async (tx) => {
    const r = await requireOwnReservation(tx.reservations, input.reservationId, input.userId, false)
    assertPayable(r, now)
    // Lock order everywhere: user row, then seats, then reservation (no deadlock between hold, pay, cancel and refund).
    if (!await tx.points.debit(r.userId, r.price, now)) {
      assertPayable(await reread(tx.reservations, r.id), now)
      const balance = await tx.points.balance(r.userId)
      throw new UnprocessableError('INSUFFICIENT_POINTS', `the order costs ${r.price} but the balance is ${balance}`, { price: r.price, balance })
    }
    // The seats of one hold lapse together: all of them are sold, or the hold has lapsed and none is.
    if (await tx.reservations.sellSeats({ showId: r.showId, seatNos: r.seatNos }, r.id, r.userId, now) < r.seatNos.length) {
      assertPayable(await reread(tx.reservations, r.id), now)
      throw new ConflictError('HOLD_EXPIRED', `the hold on seat ${r.seatNos.join(', ')} has lapsed`)
    }
    if (!await tx.reservations.setStatusFromHeld(r.id, 'CONFIRMED', now)) throw new ConflictError('ALREADY_PAID', `reservation ${r.id} is already paid`)
    const balance = await tx.points.balance(r.userId)
    await tx.points.addEntry({ userId: r.userId, type: 'USE', amount: r.price, balanceAfter: balance, reservationId: r.id, createdAt: now })
    const payment = await tx.payments.insert({ reservationId: r.id, userId: r.userId, amount: r.price, createdAt: now })
    await tx.outbox.add({ type: 'payment.confirmed', showId: r.showId, occurredAt: now, data: eventData(r, { balance }) })
    reservation = { ...r, status: 'CONFIRMED', paidAt: now }
    const paid: PaymentResult = { paymentId: payment.id, reservationId: r.id, amount: r.price, balance, status: 'CONFIRMED', paidAt: now }
    return paid
  })
  if (reservation) {
    for (const seatNo of reservation.seatNos) deps.events.publish({ showId: reservation.showId, seatNo, status: 'SOLD' })
    await deps.onPaid?.(reservation)
  }
  return result
}

function assertPayable (r: Reservation, now: number): void {
  if (r.status === 'CONFIRMED') throw new ConflictError('ALREADY_PAID', `reservation ${r.id} is already paid`)
  if (r.status !== 'HELD' || r.heldUntil <= now) throw new ConflictError('HOLD_EXPIRED', `the hold on seat ${r.seatNos.join(', ')} is no longer live`)
}

export async function reread (store: ReservationStore, id: number): Promise<Reservation> {
  const r = await store.findById(id)
  if (!r) throw new Error(`reservation ${id} vanished inside its own transaction`)
  return r
}

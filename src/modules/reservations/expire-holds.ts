// Use case: the sweeper that tidies lapsed holds and tells live seat maps. Correctness never waits for it
// (a lapsed hold counts as free everywhere, and a gate entry lapses at the hold's end by itself).

import type { Clock } from '../../shared/clock.js'
import type { Transact, TxStores } from '../../shared/transaction.js'
import { eventData } from './hold-seat.js'
import type { Reservation } from './reservation.js'
import type { ReservationStore } from './reservation-store.js'
import type { SeatEvents } from './seat-events.js'

export interface ExpireHoldsDeps { reservations: ReservationStore, transact: Transact, events: SeatEvents, clock: Clock }

/** Another sweeper tidied this reservation first: undo what this one did. */
class AlreadyTidied extends Error {}

/**
 * Marks reservations whose hold lapsed EXPIRED (with a `reservation.expired` event) and frees those of their
 * seats nobody took over meanwhile; returns how many seats it freed.
 */
export async function expireHolds (deps: ExpireHoldsDeps, batch = 500): Promise<number> {
  const now = deps.clock.now()
  let freed = 0
  for (const r of await deps.reservations.findLapsedReservations(now, batch)) {
    const seatNos = await deps.transact(tx => expireOne(tx, r, now)).catch((err: unknown) => {
      if (err instanceof AlreadyTidied) return []
      throw err
    })
    freed += seatNos.length
    for (const seatNo of seatNos) deps.events.publish({ showId: r.showId, seatNo, status: 'AVAILABLE' })
  }
  return freed
}

/** One reservation in one transaction: its seats first, then itself (the lock order of every writer). */
async function expireOne (tx: TxStores, r: Reservation, now: number): Promise<number[]> {
  const seatNos: number[] = []
  for (const seatNo of r.seatNos) {
    // Several instances may sweep at once: the conditional update lets exactly one of them announce each seat.
    if (await tx.reservations.releaseLapsedSeat({ showId: r.showId, seatNo, reservationId: r.id }, now)) seatNos.push(seatNo)
  }
  if (!await tx.reservations.setStatusFromHeld(r.id, 'EXPIRED', now)) throw new AlreadyTidied()
  await tx.outbox.add({ type: 'reservation.expired', showId: r.showId, occurredAt: now, data: eventData(r) })
  return seatNos
}

// Use case: the sweeper that tidies lapsed holds and tells live seat maps. Correctness never waits for it
// (a gate entry lapses at the hold's end by itself).

import type { Clock } from '../../shared/clock.js'
import type { ReservationStore } from './reservation-store.js'
import type { SeatEvents } from './seat-events.js'

export interface ExpireHoldsDeps { reservations: ReservationStore, events: SeatEvents, clock: Clock }

/** Frees seats whose hold lapsed and marks their reservations EXPIRED; returns how many seats it freed. */
export async function expireHolds (deps: ExpireHoldsDeps, batch = 500): Promise<number> {
  const now = deps.clock.now()
  let freed = 0
  for (const hold of await deps.reservations.findLapsedHolds(now, batch)) {
    // Several instances may sweep at once: the conditional update lets exactly one of them announce each seat.
    if (await deps.reservations.releaseLapsedSeat(hold, now)) {
      freed++
      deps.events.publish({ showId: hold.showId, seatNo: hold.seatNo, status: 'AVAILABLE' })
    }
  }
  await deps.reservations.expireLapsedReservations(now)
  return freed
}

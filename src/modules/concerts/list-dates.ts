// Use case: bookable show dates, soonest first.

import type { Clock } from '../../shared/clock.js'
import type { ShowAvailability } from './concert.js'
import type { ConcertRepository } from './concert-repository.js'

export interface ListDatesDeps { concerts: ConcertRepository, clock: Clock }

/** Lists future shows with seats left (or every future show when includeSoldOut is set). */
export async function listBookableDates (deps: ListDatesDeps, input: { concertId?: number, includeSoldOut?: boolean }): Promise<ShowAvailability[]> {
  const shows = await deps.concerts.listUpcomingShows(deps.clock.now(), input.concertId)
  return input.includeSoldOut ? shows : shows.filter(s => s.availableSeats > 0)
}

// Use case: the seat map of one show.

import type { Clock } from '../../shared/clock.js'
import { NotFoundError } from '../../shared/errors.js'
import type { Seat, Show } from './concert.js'
import type { ConcertRepository } from './concert-repository.js'

export interface ListSeatsDeps { concerts: ConcertRepository, clock: Clock }

/** Finds a concert's show on a date or fails with SHOW_NOT_FOUND. */
export async function requireShow (concerts: ConcertRepository, concertId: number, date: string): Promise<Show> {
  const show = await concerts.findShow(concertId, date)
  if (!show) throw new NotFoundError('SHOW_NOT_FOUND', `concert ${concertId} has no show on ${date}`)
  return show
}

/** Lists the seats of a concert's show on a date, ordered by seat number. */
export async function listSeats (deps: ListSeatsDeps, input: { concertId: number, date: string }): Promise<{ show: Show, seats: Seat[] }> {
  const show = await requireShow(deps.concerts, input.concertId, input.date)
  return { show, seats: await deps.concerts.listSeats(show.id, deps.clock.now()) }
}

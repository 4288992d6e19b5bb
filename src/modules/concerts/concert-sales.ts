// Use case (admin): sales per show of a concert.

import type { Clock } from '../../shared/clock.js'
import { NotFoundError } from '../../shared/errors.js'
import type { ShowSales } from './concert.js'
import type { ConcertRepository } from './concert-repository.js'

export async function concertSales (deps: { concerts: ConcertRepository, clock: Clock }, concertId: number): Promise<ShowSales[]> {
  if (!await deps.concerts.findConcert(concertId)) throw new NotFoundError('CONCERT_NOT_FOUND', `no concert ${concertId}`)
  return deps.concerts.salesByShow(concertId, deps.clock.now())
}

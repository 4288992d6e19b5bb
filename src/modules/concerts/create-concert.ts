// Use case (admin): create a concert with its shows and seat ranges.

import type { Clock } from '../../shared/clock.js'
import { ValidationError } from '../../shared/errors.js'
import { isCalendarDate } from '../../shared/dates.js'
import type { Concert, NewConcert, Show } from './concert.js'
import type { ConcertRepository } from './concert-repository.js'

export const MAX_SEATS_PER_SHOW = 100_000

/** Checks what a schema cannot (real dates, unique dates, non-overlapping ranges), then creates the concert. */
export async function createConcert (deps: { concerts: ConcertRepository, clock: Clock }, input: NewConcert): Promise<{ concert: Concert, shows: Show[] }> {
  const errors: Array<{ path: string, message: string }> = []
  const dates = new Set<string>()
  input.shows.forEach((show, i) => {
    if (!isCalendarDate(show.date)) errors.push({ path: `/shows/${i}/date`, message: 'must be a real calendar date YYYY-MM-DD' })
    if (dates.has(show.date)) errors.push({ path: `/shows/${i}/date`, message: `date ${show.date} appears twice` })
    dates.add(show.date)
    if (!Number.isFinite(show.startsAt)) errors.push({ path: `/shows/${i}/startsAt`, message: 'must be an ISO-8601 date-time' })
    const taken = new Set<number>()
    let count = 0
    show.seats.forEach((range, j) => {
      if (range.from > range.to) { errors.push({ path: `/shows/${i}/seats/${j}`, message: 'from must not exceed to' }); return }
      count += range.to - range.from + 1
      if (count > MAX_SEATS_PER_SHOW) return
      for (let n = range.from; n <= range.to; n++) {
        if (taken.has(n)) { errors.push({ path: `/shows/${i}/seats/${j}`, message: `seat ${n} is in two ranges` }); break }
        taken.add(n)
      }
    })
    if (count > MAX_SEATS_PER_SHOW) errors.push({ path: `/shows/${i}/seats`, message: `a show has at most ${MAX_SEATS_PER_SHOW} seats` })
  })
  if (errors.length > 0) throw new ValidationError('the concert is not valid', errors)
  return deps.concerts.createConcert(input, deps.clock.now())
}

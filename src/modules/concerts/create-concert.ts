// Use case (admin): create a concert with its shows and their venue layout (seat ranges = rows, in sections).

import type { Clock } from '../../shared/clock.js'
import { ValidationError } from '../../shared/errors.js'
import { isCalendarDate } from '../../shared/dates.js'
import type { Concert, NewConcert, NewShow, Show } from './concert.js'
import { placeRanges } from './concert.js'
import type { ConcertRepository } from './concert-repository.js'

export const MAX_SEATS_PER_SHOW = 100_000
/** Every show of a concert together: bounds the one transaction that creates them. */
export const MAX_SEATS_PER_CONCERT = 500_000

type Problem = { path: string, message: string }

/**
 * Checks what a schema cannot (real and unique dates, seat ranges that do not overlap, rows named once per
 * section, size limits), then creates the concert; VALIDATION_FAILED lists every problem at once.
 */
export async function createConcert (deps: { concerts: ConcertRepository, clock: Clock }, input: NewConcert): Promise<{ concert: Concert, shows: Show[] }> {
  const errors: Problem[] = []
  if (input.salesOpenAt !== undefined && input.salesOpenAt !== null && !Number.isFinite(input.salesOpenAt)) {
    errors.push({ path: '/salesOpenAt', message: 'must be an ISO-8601 date-time' })
  }
  const dates = new Set<string>()
  let total = 0
  input.shows.forEach((show, i) => {
    if (!isCalendarDate(show.date)) errors.push({ path: `/shows/${i}/date`, message: 'must be a real calendar date YYYY-MM-DD' })
    if (dates.has(show.date)) errors.push({ path: `/shows/${i}/date`, message: `date ${show.date} appears twice` })
    dates.add(show.date)
    if (!Number.isFinite(show.startsAt)) errors.push({ path: `/shows/${i}/startsAt`, message: 'must be an ISO-8601 date-time' })
    total += checkSeats(show, `/shows/${i}/seats`, errors)
  })
  if (total > MAX_SEATS_PER_CONCERT) errors.push({ path: '/shows', message: `a concert has at most ${MAX_SEATS_PER_CONCERT} seats over all its shows` })
  if (errors.length > 0) throw new ValidationError('the concert is not valid', errors)
  return deps.concerts.createConcert(input, deps.clock.now())
}

/** Adds the problems of one show's ranges to `errors` and returns its seat count. */
function checkSeats (show: NewShow, path: string, errors: Problem[]): number {
  let count = 0
  const valid: Array<{ from: number, to: number, j: number }> = []
  show.seats.forEach((range, j) => {
    if (range.from > range.to) { errors.push({ path: `${path}/${j}`, message: 'from must not exceed to' }); return }
    count += range.to - range.from + 1
    valid.push({ from: range.from, to: range.to, j })
  })
  if (count > MAX_SEATS_PER_SHOW) errors.push({ path, message: `a show has at most ${MAX_SEATS_PER_SHOW} seats` })
  // Sorted by first seat, a range overlaps an earlier one exactly when it starts before the furthest end so far.
  valid.sort((a, b) => a.from - b.from || a.j - b.j)
  let reach: { to: number, j: number } | undefined
  const overlapping = new Map<number, string>()
  for (const r of valid) {
    if (reach && r.from <= reach.to) {
      const [first, second] = reach.j < r.j ? [reach, r] : [r, reach]
      const last = Math.min(r.to, reach.to)
      const shared = last === r.from ? `seat ${r.from} is` : `seats ${r.from}–${last} are`
      if (!overlapping.has(second.j)) overlapping.set(second.j, `${shared} also in range ${first.j} of this show`)
    }
    if (!reach || r.to > reach.to) reach = { to: r.to, j: r.j }
  }
  for (const [j, message] of [...overlapping].sort((a, b) => a[0] - b[0])) errors.push({ path: `${path}/${j}`, message })
  const rows = new Set<string>()
  for (const r of placeRanges(show.seats)) {
    const key = JSON.stringify([r.section, r.row])
    if (rows.has(key)) errors.push({ path: `${path}/${r.rowNo}`, message: `row ${r.row} of section ${r.section} appears twice (one range is one row)` })
    rows.add(key)
  }
  return count
}

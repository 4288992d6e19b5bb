// The demo concert: seats 1–50 in three grades on three upcoming dates, so a fresh start has something to book.

import type { Clock } from './shared/clock.js'
import { dateOf } from './shared/dates.js'
import type { ConcertRepository } from './modules/concerts/concert-repository.js'
import type { NewConcert } from './modules/concerts/concert.js'

const DAY = 24 * 3600_000

/** Dates 7, 14 and 21 days after `now`, each at 19:00 KST (10:00 UTC). */
export function demoConcert (now: number): NewConcert {
  return {
    title: 'IU 2026 Winter Concert — The Golden Hour',
    venue: 'Olympic Hall, Seoul',
    shows: [7, 14, 21].map((days) => {
      const date = dateOf(now + days * DAY)
      return {
        date,
        startsAt: Date.parse(`${date}T10:00:00.000Z`),
        seats: [
          { from: 1, to: 10, grade: 'VIP', price: 165000 },
          { from: 11, to: 30, grade: 'R', price: 143000 },
          { from: 31, to: 50, grade: 'S', price: 121000 }
        ]
      }
    })
  }
}

/** Port: the one-time seedings a database has had, done by one instance at a time. */
export interface SeedLedger {
  /**
   * Runs `seed` unless `name` is recorded already, while no other instance runs the same seeding, and records
   * `name` when `seed` says it loaded something; true when it did, here.
   */
  once (name: string, now: number, seed: () => Promise<boolean>): Promise<boolean>
}

/**
 * Loads the demo once per database: when asked to (`seed` true), or (`seed` undefined) when the database has
 * no concerts; never when `seed` is false. Instances started at once on one database load it once between them.
 */
export async function seedDemo (deps: { concerts: ConcertRepository, clock: Clock, seeds: SeedLedger }, seed: boolean | undefined): Promise<boolean> {
  if (seed === false) return false
  const now = deps.clock.now()
  return deps.seeds.once('demo', now, async () => {
    if (seed === undefined && await deps.concerts.countConcerts() > 0) return false
    await deps.concerts.createConcert(demoConcert(now), now)
    return true
  })
}

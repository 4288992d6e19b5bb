// A read-through cache in front of a ConcertRepository for the hottest reads of a rush: concerts, shows, layouts and the dates listing.

import type { ConcertRepository } from '../../modules/concerts/concert-repository.js'
import type { Concert, Show, ShowAvailability, VenueLayout } from '../../modules/concerts/concert.js'

export interface ConcertCacheOptions {
  /** Longest a concert or the bookable-dates listing is served from memory. */
  ttlMs?: number
  /** Real time for the TTL (the service's own clock may be a test's manual one). */
  monotonicNow?: () => number
}

/**
 * Concerts and the bookable-dates listing are kept for the TTL (an admin may add dates). Shows and their
 * layouts never change once created, so found ones are kept for good; misses and failures are never kept,
 * so a show another instance creates is found at once. Seat states are not cached here: the live seat maps
 * keep them, and holds and payments never read a cache (SQL decides them).
 */
export function createCachedConcertRepository (inner: ConcertRepository, options: ConcertCacheOptions = {}): ConcertRepository {
  const ttlMs = options.ttlMs ?? 1000
  const clock = options.monotonicNow ?? (() => performance.now())
  const shows = new Map<string, Show>()
  const concerts = new Map<number, { at: number, concert: Promise<Concert | null> }>()
  const upcoming = new Map<string, { at: number, shows: Promise<ShowAvailability[]> }>()
  const layouts = new Map<number, Promise<VenueLayout | null>>()

  const cached: ConcertRepository = {
    ...inner,
    // Every queue join asks whether its concert exists; a concert's date list may grow (admin), so it is
    // only kept for the TTL.
    async findConcert (concertId) {
      const hit = concerts.get(concertId)
      if (hit && clock() - hit.at < ttlMs) return hit.concert
      const entry = { at: clock(), concert: inner.findConcert(concertId) }
      concerts.set(concertId, entry)
      entry.concert.then((c) => { if (!c) concerts.delete(concertId) }, () => { concerts.delete(concertId) })
      return entry.concert
    },
    // The bookable-dates listing counts every seat of every upcoming show: its figures may be a TTL old.
    async listUpcomingShows (now, concertId) {
      const key = String(concertId ?? '*')
      const hit = upcoming.get(key)
      if (hit && clock() - hit.at < ttlMs) return (await hit.shows).filter(s => s.startsAt > now)
      const entry = { at: clock(), shows: inner.listUpcomingShows(now, concertId) }
      upcoming.set(key, entry)
      entry.shows.catch(() => { if (upcoming.get(key) === entry) upcoming.delete(key) })
      return entry.shows
    },
    async createConcert (input, now) {
      const created = await inner.createConcert(input, now)
      upcoming.clear() // this instance lists the new dates at once; others within the TTL
      return created
    },
    async findLayout (showId) {
      let layout = layouts.get(showId)
      if (!layout) {
        layout = inner.findLayout(showId)
        layouts.set(showId, layout)
        layout.then((l) => { if (!l) layouts.delete(showId) }, () => { layouts.delete(showId) })
      }
      return layout
    },
    async findSeat (showId, seatNo) {
      return (await cached.findLayout(showId))?.seat(seatNo) ?? null
    },
    async findShow (concertId, date) {
      const key = `${concertId}:${date}`
      const hit = shows.get(key)
      if (hit) return hit
      const show = await inner.findShow(concertId, date)
      if (show) shows.set(key, show)
      return show
    }
  }
  return cached
}

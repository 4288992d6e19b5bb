// A read-through cache in front of a ConcertRepository for the hottest reads of a rush: shows and seat maps.

import type { ConcertRepository } from '../../modules/concerts/concert-repository.js'
import { visibleSeats, type Concert, type SeatState, type Show, type ShowAvailability, type VenueLayout } from '../../modules/concerts/concert.js'
import type { SeatEvents } from '../../modules/reservations/seat-events.js'

export interface SeatMapCacheOptions {
  /** Longest a cached seat map is served; bounds staleness if a change event is ever lost. */
  ttlMs?: number
  /** Real time for the TTL (the service's own clock may be a test's manual one). */
  monotonicNow?: () => number
}

/**
 * Concerts and the bookable-dates listing are kept for the TTL. Shows never change once created, so found ones are cached for good. Seat maps are cached as stored rows
 * (lapses are computed at read time) and dropped whenever a seat of that show changes: seat events reach
 * every instance, so a hold on instance B invalidates instance A's copy too. A short TTL bounds what a
 * lost event could cost. Holds and payments never read this cache: SQL decides them.
 */
export function createCachedConcertRepository (inner: ConcertRepository, events: SeatEvents, options: SeatMapCacheOptions = {}): ConcertRepository {
  const ttlMs = options.ttlMs ?? 1000
  const clock = options.monotonicNow ?? (() => performance.now())
  const shows = new Map<string, Show>()
  const concerts = new Map<number, { at: number, concert: Promise<Concert | null> }>()
  const upcoming = new Map<string, { at: number, shows: Promise<ShowAvailability[]> }>()
  const seatMaps = new Map<number, { at: number, states: Promise<SeatState[]> }>()
  const watched = new Set<number>()
  // A show's layout (seat numbers, places, grades, prices) never changes: kept for good (not the seat states).
  const layouts = new Map<number, Promise<VenueLayout | null>>()

  function watch (showId: number): void {
    if (watched.has(showId)) return
    watched.add(showId)
    events.subscribe(showId, () => { seatMaps.delete(showId) })
  }

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
        // A show created meanwhile by another instance must be found later: misses and failures are not kept.
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
    },
    async listSeatStates (showId) {
      watch(showId)
      const hit = seatMaps.get(showId)
      if (hit && clock() - hit.at < ttlMs) return hit.states
      // Concurrent readers share one query; a failed query is not kept.
      const entry = { at: clock(), states: inner.listSeatStates(showId) }
      seatMaps.set(showId, entry)
      entry.states.catch(() => { if (seatMaps.get(showId) === entry) seatMaps.delete(showId) })
      return entry.states
    },
    async listSeats (showId, now) {
      const [layout, states] = await Promise.all([cached.findLayout(showId), cached.listSeatStates(showId)])
      return layout ? visibleSeats(layout, states, now) : []
    }
  }
  return cached
}

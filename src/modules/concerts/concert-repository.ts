// Port: where concerts, shows and seats are read and created.

import type { Concert, NewConcert, Seat, SeatInfo, SeatState, Show, ShowAvailability, ShowSales, VenueLayout } from './concert.js'
import type { SectionFingerprint } from './seat-map.js'

export interface ConcertRepository {
  listConcerts (): Promise<Concert[]>
  findConcert (concertId: number): Promise<Concert | null>
  countConcerts (): Promise<number>
  findShow (concertId: number, date: string): Promise<Show | null>
  /** Shows starting after `now`, soonest first, with seat counts as of `now`. */
  listUpcomingShows (now: number, concertId?: number): Promise<ShowAvailability[]>
  /** Seats of a show ordered by seat number, lapsed holds shown AVAILABLE. */
  listSeats (showId: number, now: number): Promise<Seat[]>
  /** A seat's place, grade and price (these never change), or null when the show has no such seat. */
  findSeat (showId: number, seatNo: number): Promise<SeatInfo | null>
  /** The show's sections, rows and seats (immutable once created), or null for an unknown show. */
  findLayout (showId: number): Promise<VenueLayout | null>
  /**
   * The concert's secret draw seed (64 hex digits, chosen at creation), or null for an unknown concert.
   * Only the draw may read it: no route or log shows it before sales open.
   */
  findDrawSeed (concertId: number): Promise<string | null>
  /** Seat rows as stored (time-independent, so they can be cached), ordered by seat number; one section's only when given. */
  listSeatStates (showId: number, section?: string): Promise<SeatState[]>
  /** Per section of the show, the sums a live seat map compares its own with (see SectionFingerprint); one short query. */
  sectionFingerprints (showId: number): Promise<SectionFingerprint[]>
  /** Creates a concert with its shows and seats in one transaction. */
  createConcert (input: NewConcert, now: number): Promise<{ concert: Concert, shows: Show[] }>
  salesByShow (concertId: number, now: number): Promise<ShowSales[]>
}

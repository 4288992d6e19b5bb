// Port: where concerts, shows and seats are read and created.

import type { Concert, NewConcert, Seat, SeatState, Show, ShowAvailability, ShowSales } from './concert.js'

export interface ConcertRepository {
  listConcerts (): Promise<Concert[]>
  findConcert (concertId: number): Promise<Concert | null>
  countConcerts (): Promise<number>
  findShow (concertId: number, date: string): Promise<Show | null>
  /** Shows starting after `now`, soonest first, with seat counts as of `now`. */
  listUpcomingShows (now: number, concertId?: number): Promise<ShowAvailability[]>
  /** Seats of a show ordered by seat number, lapsed holds shown AVAILABLE. */
  listSeats (showId: number, now: number): Promise<Seat[]>
  /** A seat's number, grade and price (these never change), or null when the show has no such seat. */
  findSeat (showId: number, seatNo: number): Promise<{ seatNo: number, grade: string, price: number } | null>
  /** Seat rows as stored (time-independent, so they can be cached), ordered by seat number. */
  listSeatStates (showId: number): Promise<SeatState[]>
  /** Creates a concert with its shows and seats in one transaction. */
  createConcert (input: NewConcert, now: number): Promise<{ concert: Concert, shows: Show[] }>
  salesByShow (concertId: number, now: number): Promise<ShowSales[]>
}

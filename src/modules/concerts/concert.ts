// Concerts, shows (a concert on one date) and seats: the vocabulary and the rule for a seat's visible state.

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD'

export interface Concert { id: number, title: string, venue: string, dates: string[] }
export interface Show { id: number, concertId: number, date: string, startsAt: number }
export interface ShowAvailability extends Show { concertTitle: string, totalSeats: number, availableSeats: number }
export interface Seat { seatNo: number, grade: string, price: number, status: SeatStatus }
/** A seat row as stored: `status` HELD with a past `heldUntil` still needs visibleSeatStatus. */
export interface SeatState { seatNo: number, grade: string, price: number, status: string, heldUntil: number | null }
export interface SeatRange { from: number, to: number, grade: string, price: number }
export interface NewShow { date: string, startsAt: number, seats: SeatRange[] }
export interface NewConcert { title: string, venue: string, shows: NewShow[] }
export interface ShowSales { showId: number, date: string, startsAt: number, totalSeats: number, sold: number, held: number, available: number, revenue: number }

/** A hold whose time has passed is AVAILABLE, whether or not a sweeper has tidied the row yet. */
export function visibleSeatStatus (status: string, heldUntil: number | null, now: number): SeatStatus {
  if (status === 'SOLD') return 'SOLD'
  if (status === 'HELD' && heldUntil !== null && heldUntil > now) return 'HELD'
  return 'AVAILABLE'
}

export const visibleSeats = (states: SeatState[], now: number): Seat[] =>
  states.map(s => ({ seatNo: s.seatNo, grade: s.grade, price: s.price, status: visibleSeatStatus(s.status, s.heldUntil, now) }))

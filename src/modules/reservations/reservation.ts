// Reservations: a user's order of one or more seats of one show — held, then paid, and perhaps refunded.

export type ReservationStatus = 'HELD' | 'CONFIRMED' | 'CANCELLED' | 'EXPIRED' | 'REFUNDED'

export interface Reservation {
  id: number
  userId: string
  concertId: number
  showId: number
  date: string
  /** The first of `seatNos`: what single-seat clients read. */
  seatNo: number
  /** The order's seats, ascending (1..MAX_HOLDS_PER_USER of them). */
  seatNos: number[]
  /** The total price of every seat. */
  price: number
  status: ReservationStatus
  heldUntil: number
  createdAt: number
  paidAt: number | null
  refundedAt: number | null
}

/** What a hold writes; the store gives it its id. */
export type NewReservation = Omit<Reservation, 'id' | 'seatNo' | 'refundedAt'>

/** A HELD reservation whose hold has passed reads as EXPIRED before any sweeper touches it. */
export function visibleReservation (r: Reservation, now: number): Reservation {
  return r.status === 'HELD' && r.heldUntil <= now ? { ...r, status: 'EXPIRED' } : r
}

/** Seat numbers ascending without repeats (the order's canonical form). */
export const orderedSeatNos = (seatNos: readonly number[]): number[] => [...new Set(seatNos)].sort((a, b) => a - b)

// Reservations: a user's hold on one seat of one show, then its purchase.

export type ReservationStatus = 'HELD' | 'CONFIRMED' | 'CANCELLED' | 'EXPIRED'

export interface Reservation {
  id: number
  userId: string
  concertId: number
  showId: number
  date: string
  seatNo: number
  price: number
  status: ReservationStatus
  heldUntil: number
  createdAt: number
  paidAt: number | null
}

/** A HELD reservation whose hold has passed reads as EXPIRED before any sweeper touches it. */
export function visibleReservation (r: Reservation, now: number): Reservation {
  return r.status === 'HELD' && r.heldUntil <= now ? { ...r, status: 'EXPIRED' } : r
}

// Port: reservations and the seat rows they lock, as single conditional statements checked by affected rows.

import type { Reservation } from './reservation.js'

export interface SeatRef { showId: number, seatNo: number }
export interface LapsedHold extends SeatRef { reservationId: number }

export interface ReservationStore {
  /** Locks the user's row until the transaction ends (serialises one user's holds); creates it if missing. */
  lockUser (userId: string, now: number): Promise<void>
  countLiveHolds (userId: string, showId: number, now: number): Promise<number>
  seatExists (seat: SeatRef): Promise<boolean>
  /** AVAILABLE (or lapsed HELD) → HELD for this user, returning the seat's price; null when someone else has it. */
  holdSeat (seat: SeatRef, userId: string, heldUntil: number, now: number): Promise<number | null>
  /** Marks reservations of this seat whose hold lapsed as EXPIRED (a new hold just took the seat over). */
  expireLapsedOnSeat (seat: SeatRef, now: number): Promise<void>
  insert (r: Omit<Reservation, 'id'>): Promise<Reservation>
  attachToSeat (seat: SeatRef, reservationId: number): Promise<void>
  findById (id: number): Promise<Reservation | null>
  listByUser (userId: string, limit: number): Promise<Reservation[]>
  /** HELD by this reservation and still live → AVAILABLE; false otherwise. */
  releaseSeat (seat: SeatRef, reservationId: number, now: number): Promise<boolean>
  /** HELD by this reservation and still live → SOLD; false otherwise. */
  sellSeat (seat: SeatRef, reservationId: number, userId: string, now: number): Promise<boolean>
  /** HELD → `to`; false when the reservation was not HELD. */
  setStatusFromHeld (id: number, to: 'CONFIRMED' | 'CANCELLED' | 'EXPIRED', at: number): Promise<boolean>
  findLapsedHolds (now: number, limit: number): Promise<LapsedHold[]>
  /** A lapsed hold's seat → AVAILABLE; false if it changed meanwhile (re-held, sold, already tidied). */
  releaseLapsedSeat (hold: LapsedHold, now: number): Promise<boolean>
  expireLapsedReservations (now: number): Promise<number>
}

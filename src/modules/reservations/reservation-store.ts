// Port: reservations and the seat rows they lock, as single conditional statements checked by affected rows.

import type { Reservation } from './reservation.js'

export interface SeatRef { showId: number, seatNo: number }
export interface LapsedHold extends SeatRef { reservationId: number }

export interface ReservationStore {
  /**
   * Locks the user's row until the transaction ends (serialising one user's holds), provided the user holds
   * fewer than `max` live seats of the show; false at the limit. One statement: the count is read under the lock.
   */
  lockUserUnderHoldLimit (userId: string, showId: number, max: number, now: number): Promise<boolean>
  insert (r: Omit<Reservation, 'id'>): Promise<Reservation>
  /** AVAILABLE (or lapsed HELD) → HELD by this reservation; false when someone else has it (or no such seat). */
  holdSeat (seat: SeatRef, reservationId: number, userId: string, heldUntil: number, now: number): Promise<boolean>
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

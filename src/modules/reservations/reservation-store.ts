// Port: reservations and the seat rows they lock, as single conditional statements checked by affected rows.

import type { NewReservation, Reservation } from './reservation.js'

/** Some seats of one show. */
export interface ShowSeats { showId: number, seatNos: readonly number[] }
export interface SeatRef { showId: number, seatNo: number }
export interface LapsedHold extends SeatRef { reservationId: number }

/**
 * Reads, and the single statements of cancelling and sweeping holds (holds themselves are HoldStore's). Lock
 * order of every writer, so none deadlocks another: the user's row, then the show's row (best-available picks
 * only), then seats in seat-number order, then the reservation, then its payment.
 */
export interface ReservationStore {
  /** Inserts the reservation row (its seats go in with addSeats). */
  insert (r: NewReservation): Promise<Reservation>
  /** Records which seats the reservation is for. */
  addSeats (reservationId: number, seats: ShowSeats): Promise<void>
  /**
   * AVAILABLE (or lapsed HELD) → HELD by this reservation, for each seat that is free; returns how many it
   * took. Fewer than asked means some were taken: the caller rolls back.
   */
  holdSeats (seats: ShowSeats, reservationId: number, userId: string, heldUntil: number, now: number): Promise<number>
  findById (id: number): Promise<Reservation | null>
  listByUser (userId: string, limit: number): Promise<Reservation[]>
  /** Seats HELD by this reservation and still live → AVAILABLE; returns how many. */
  releaseSeats (seats: ShowSeats, reservationId: number, now: number): Promise<number>
  /** Seats HELD by this reservation and still live → SOLD; returns how many. */
  sellSeats (seats: ShowSeats, reservationId: number, userId: string, now: number): Promise<number>
  /** Seats SOLD for this reservation → AVAILABLE; returns how many. */
  refundSeats (seats: ShowSeats, reservationId: number): Promise<number>
  /** HELD → `to`; false when the reservation was not HELD. */
  setStatusFromHeld (id: number, to: 'CONFIRMED' | 'CANCELLED' | 'EXPIRED', at: number): Promise<boolean>
  /** CONFIRMED → REFUNDED at `at`; false when the reservation was not CONFIRMED. */
  markRefunded (id: number, at: number): Promise<boolean>
  /** HELD reservations whose hold has lapsed (the sweeper's work), oldest first. */
  findLapsedReservations (now: number, limit: number): Promise<Reservation[]>
  /** A lapsed hold's seat → AVAILABLE, if this reservation still holds it; false if it changed meanwhile. */
  releaseLapsedSeat (hold: LapsedHold, now: number): Promise<boolean>
}

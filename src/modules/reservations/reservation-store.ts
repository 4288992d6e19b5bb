// Port: reservations and the seat rows they lock, as single conditional statements checked by affected rows.

import type { NewReservation, Reservation } from './reservation.js'

/** Some seats of one show. */
export interface ShowSeats { showId: number, seatNos: readonly number[] }
export interface SeatRef { showId: number, seatNo: number }
export interface LapsedHold extends SeatRef { reservationId: number }
/** A seat row as stored now: HELD with a past `heldUntil` is free. */
export interface StoredSeat { seatNo: number, status: string, heldUntil: number | null }

/**
 * Lock order of every writer, so none deadlocks another: the user's row, then the show's row (best-available
 * picks only), then seats in seat-number order, then the reservation, then its payment.
 */
export interface ReservationStore {
  /**
   * Locks the user's row until the transaction ends (serialising one user's holds), provided the seats of
   * their live holds of the show plus `seats` stay within `max`; false otherwise. One statement: the sum is
   * read under the lock.
   */
  lockUserWithRoomFor (userId: string, showId: number, seats: number, max: number, now: number): Promise<boolean>
  /**
   * Locks the show's row until the transaction ends, so best-available picks of one show, on any instance,
   * read the seats one after another. A no-op where transactions are serialised anyway (SQLite).
   */
  lockShow (showId: number): Promise<void>
  /** The seats of the show that are free now (AVAILABLE or a lapsed hold), ascending. */
  freeSeatNos (showId: number, now: number): Promise<number[]>
  /**
   * The seats as committed, locked until the transaction ends (a locking read where row locks exist), so a
   * decision about their neighbours holds until commit.
   */
  lockSeats (seats: ShowSeats): Promise<StoredSeat[]>
  /** Inserts the reservation row (its seats go in with addSeats). */
  insert (r: NewReservation): Promise<Reservation>
  /** Records which seats the reservation is for. */
  addSeats (reservationId: number, seats: ShowSeats): Promise<void>
  /**
   * AVAILABLE (or lapsed HELD) → HELD by this reservation, for each seat that is free; returns how many it
   * took. Fewer than asked means some were taken: the caller rolls back.
   */
  holdSeats (seats: ShowSeats, reservationId: number, userId: string, heldUntil: number, now: number): Promise<number>
  /** Those of the seats that this reservation does not hold (taken by someone else, or no such seat). */
  seatsNotHeldBy (seats: ShowSeats, reservationId: number): Promise<number[]>
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

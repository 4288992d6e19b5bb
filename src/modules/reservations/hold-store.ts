// Port: a whole hold as one write — the user's limit, the seats, the reservation and its event out, all or none.

import type { Reservation } from './reservation.js'

/** Who holds seats of which show, until when, and the user's limit of live held seats per show. */
export interface HoldTerms {
  userId: string
  concertId: number
  showId: number
  date: string
  heldUntil: number
  now: number
  max: number
}

/** Seats the user chose, ascending, at their total price. */
export interface ChosenSeats extends HoldTerms {
  seatNos: number[]
  price: number
  /**
   * A show with the no-single-seat-gap rule: the seats of the selection's rows, and the rule over them — the
   * seats the selection would leave alone, given which are free. It is decided on the rows as committed,
   * locked until the hold commits, so two holds can never together leave a gap.
   */
  gapRule?: { rowSeatNos: number[], gapsLeft: (isFree: (seatNo: number) => boolean) => number[] }
}

/** A block picked from the seats free now: its seats ascending, their price, and the rows the pick looked at. */
export interface PickedBlock { seatNos: number[], price: number, rowSeatNos: number[] }

export interface BestSeats extends HoldTerms {
  /** How many adjacent seats (what the limit counts). */
  quantity: number
  /** Only seats of this section can be picked (the whole show when absent). */
  section?: string
  /**
   * Picks a block given which seats of the show are free, read after every earlier pick of the show (on any
   * instance) committed; null when none is left. On a show with the gap rule, `rowSeatNos` are the seats of
   * the block's rows, which must still be as the pick saw them when the block is claimed.
   */
  pick: (isFree: (seatNo: number) => boolean) => PickedBlock | null
  /** The section of a seat of the show (from its layout), so a store may read the show a section at a time. */
  sectionOf: (seatNo: number) => string | undefined
}

export type HoldOutcome =
  | { held: Reservation }
  | { refused: 'HOLD_LIMIT_REACHED' }
  /** Someone else holds or bought these of the seats (or they do not exist). */
  | { refused: 'SEAT_UNAVAILABLE', seatNos: number[] }
  /** The selection would leave these seats alone. */
  | { refused: 'SINGLE_SEAT_GAP', seatNos: number[] }
  /** Best available: no block left. */
  | { refused: 'NO_BLOCK' }
  /** Best available: the picked seats (or their rows) changed before they were claimed; pick again. */
  | { refused: 'LOST_RACE' }

/**
 * Each hold is one transaction: the user's row is locked and their live held seats of the show counted (the
 * limit), then the seats go from free (AVAILABLE, or HELD with a past heldUntil) to HELD by the new
 * reservation, all or none, and a `reservation.held` event is written. Lock order of every writer, so none
 * deadlocks another: the user's row, then the show's row (best available only), then seats in seat-number
 * order, then the reservation, then its payment.
 */
export interface HoldStore {
  holdChosen (order: ChosenSeats): Promise<HoldOutcome>
  /** The show's picks are made one at a time across instances (the show's row lock), so a rush of them never races itself. */
  holdBest (order: BestSeats): Promise<HoldOutcome>
}

// Port: seat state changes fanned out to every instance's live seat maps.

import type { SeatStatus } from '../concerts/concert.js'

export interface SeatChange {
  showId: number
  seatNo: number
  status: SeatStatus
  /** With HELD: when the hold lapses, so live seat maps can show it AVAILABLE by then without reading SQL. */
  heldUntil?: number
}

export interface SeatEvents {
  publish (change: SeatChange): void
  /** Calls `listener` for every change of that show, from any instance; returns the unsubscribe function. */
  subscribe (showId: number, listener: (change: SeatChange) => void): () => void
}

// Port: seat state changes fanned out to every instance's live seat maps, each stamped with the show's version.

import type { SeatStatus } from '../concerts/concert.js'

/** What a writer publishes after its transaction committed: one seat's new state. */
export interface SeatChange {
  showId: number
  seatNo: number
  status: SeatStatus
  /** With HELD: when the hold lapses, so live seat maps can show it AVAILABLE by then without reading SQL. */
  heldUntil?: number
}

/** What listeners hear: the change and the show's version it made (the same number on every instance). */
export interface SeatEvent {
  showId: number
  seatNo: number
  status: SeatStatus
  /** When the hold lapses (HELD only); null when unknown or not held. */
  heldUntil: number | null
  version: number
}

export interface SeatEvents {
  /**
   * Publishes one seat's change (best effort, never throws): it takes the show's next version and reaches
   * the listeners of that show on every instance. Call it after the change committed.
   */
  publish (change: SeatChange): void
  /** Calls `listener` for every change of that show, from any instance; returns the unsubscribe function. */
  subscribe (showId: number, listener: (event: SeatEvent) => void): () => void
  /** The show's version now: every change published so far has a version at most this (0 before the first). */
  version (showId: number): Promise<number>
  /**
   * Resolves once every change this instance published for the show so far has reached this instance's
   * listeners (a writer's next read on the same instance then sees its own change). Never rejects.
   */
  settled (showId: number): Promise<void>
}

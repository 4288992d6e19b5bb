// Port: the waiting room's state — in process (one instance) or in Redis (any number of instances).

import type { QueueEntry, QueuePolicy, RoomFigures, RoomTerms } from './queue.js'

/** Outcome of a draw attempt: placed now, done before (by any instance), or the pre-queue changed meanwhile (read it again). */
export type DrawOutcome = 'drawn' | 'already' | 'changed'

export interface QueueStore {
  readonly policy: QueuePolicy
  /**
   * Puts the user at the back of the concert's queue (PREQUEUE before `terms.opensAt` while the draw has not
   * run), or returns the live entry the user already has (a heartbeat). Under the capacity model the same
   * atomic step then admits the earliest waiting into free slots, so a join that finds a free slot and
   * nobody ahead comes back ACTIVE.
   */
  join (concertId: number, userId: string, now: number, terms: RoomTerms): Promise<{ entry: QueueEntry, created: boolean }>
  /**
   * The entry with fresh figures, or null once it left or lapsed. A read is a heartbeat of a WAITING entry
   * and activity of an ACTIVE one.
   */
  touch (concertId: number, tokenId: string, now: number): Promise<QueueEntry | null>
  /** Several entries at once (one round trip), each read counted as in `touch`; null for gone ones. */
  touchMany (concertId: number, tokenIds: string[], now: number): Promise<Array<QueueEntry | null>>
  /** Leaves the queue or gives the slot back. */
  leave (concertId: number, tokenId: string): Promise<void>
  /** Lapses the user's entry for the concert at once; `paid` counts it in the payment meter (when it was ACTIVE). */
  leaveByUser (concertId: number, userId: string, now: number, paid: boolean): Promise<void>
  /**
   * One atomic admission step: records whether the concert is sold out, drops ACTIVE entries past their
   * time or idle for longer than the idle timeout and WAITING ones past the heartbeat timeout, then admits
   * the earliest waiting (capacity: into free slots; rate: at most admitPerTick once per tick window, by
   * whichever instance comes first). Admits nobody while sold out, or while the draw of a concert whose
   * `opensAt` passed has not run. Safe to run on every instance at once. Returns how many were admitted.
   */
  admit (concertId: number, now: number, terms: RoomTerms, soldOut: boolean): Promise<number>
  /** Token ids still in the pre-queue (in no particular order), for the draw. */
  prequeued (concertId: number): Promise<string[]>
  /**
   * Places the pre-queued tokens, in the order given, ahead of every waiting token, in one atomic step, and
   * marks the concert drawn (so later joins queue as WAITING). `order` must name exactly the tokens in the
   * pre-queue ('changed' otherwise). An empty order on an empty pre-queue just marks the draw.
   */
  draw (concertId: number, now: number, order: string[]): Promise<DrawOutcome>
  /** The draw as placed in this store (drawnAt and the token ids in draw order), or null before it. */
  drawRecord (concertId: number): Promise<{ drawnAt: number, order: string[] } | null>
  /** The room's figures for estimates, the sold-out state and the draw (one round trip). */
  figures (concertId: number, now: number): Promise<RoomFigures>
  stats (concertId: number, now: number): Promise<{ waiting: number, active: number }>
  /** Concerts that have anyone pre-queued, waiting or active (recently, at least). */
  concerts (): Promise<number[]>
  ping (): Promise<void>
}

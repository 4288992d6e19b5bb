// Port: the waiting room's state — in process (one instance) or in Redis (any number of instances).

import type { QueueEntry, QueuePolicy } from './queue.js'

export interface QueueStore {
  readonly policy: QueuePolicy
  /** Puts the user at the back of the concert's queue, or returns the live entry the user already has. */
  join (concertId: number, userId: string, now: number): Promise<{ entry: QueueEntry, created: boolean }>
  /** The entry with fresh figures, or null once it left or lapsed. Counts as a heartbeat of a WAITING entry. */
  touch (concertId: number, tokenId: string, now: number): Promise<QueueEntry | null>
  /** Several entries at once (one round trip), each counted as a heartbeat; null for gone ones. */
  touchMany (concertId: number, tokenIds: string[], now: number): Promise<Array<QueueEntry | null>>
  /** Leaves the queue or gives the slot back. */
  leave (concertId: number, tokenId: string): Promise<void>
  /** Lapses the user's entry for the concert at once (after payment). */
  leaveByUser (concertId: number, userId: string): Promise<void>
  /**
   * One atomic admission step: drops ACTIVE entries past their time and WAITING ones past the heartbeat
   * timeout, then admits the earliest waiting into free slots. Safe to run on every instance at once.
   * Returns how many were admitted.
   */
  admit (concertId: number, now: number): Promise<number>
  /** Admissions during the minute before `now` (for the ETA). */
  admittedLastMinute (concertId: number, now: number): Promise<number>
  stats (concertId: number, now: number): Promise<{ waiting: number, active: number }>
  /** Concerts that have anyone waiting or active. */
  concerts (): Promise<number[]>
  ping (): Promise<void>
}

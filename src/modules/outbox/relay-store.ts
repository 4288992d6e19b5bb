// Port: what the outbox relay needs from the database — a lease so one instance delivers at a time, and the undelivered rows.

import type { OutboxEvent } from './outbox.js'

/** The right to deliver, until it lapses; `token` rises with every new holder (a fencing token). */
export interface RelayLease { holder: string, token: number }

export interface OutboxRelayStore {
  /**
   * Takes the lease for `holder` until `now + ttlMs`, or renews it when `holder` has it; null while another
   * holder's lease is live. A takeover gets a token above every earlier one.
   */
  acquireLease (holder: string, now: number, ttlMs: number): Promise<RelayLease | null>
  /** Gives the lease up at once (graceful shutdown), so another instance takes over without waiting it out. */
  releaseLease (holder: string): Promise<void>
  /** Up to `limit` committed, undelivered events, oldest id first. */
  listUnpublished (limit: number): Promise<OutboxEvent[]>
  /** Marks events delivered at `at`, only while `lease` is still the current one; returns how many it marked. */
  markPublished (ids: number[], at: number, lease: RelayLease): Promise<number>
  /**
   * Deletes up to `limit` events delivered before `before` (with `undelivered`: every event that occurred
   * before it), never the newest event, so an id is never handed out twice; returns how many it deleted.
   */
  prune (before: number, options: { undelivered: boolean, limit: number }): Promise<number>
}

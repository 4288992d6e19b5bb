// Port: the outbox table. Events are added inside the transaction of the change they describe.

import type { NewOutboxEvent, OutboxEvent } from './outbox.js'

export interface OutboxStore {
  /**
   * Adds an event; inside a transaction it commits or rolls back with the change. Call it after the
   * statements that lock what the change touches (its conditional UPDATEs): ids are handed out here, so
   * two changes of one seat then get ids in the order they commit, and the relay delivers them so.
   */
  add (event: NewOutboxEvent): Promise<void>
  /** Events with id above `afterId` (all when null), oldest first. */
  listAfter (afterId: number | null, limit: number): Promise<OutboxEvent[]>
}

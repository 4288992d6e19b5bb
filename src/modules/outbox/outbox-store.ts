// Port: the outbox table. Events are added inside the transaction of the change they describe.

import type { NewOutboxEvent, OutboxEvent } from './outbox.js'

export interface OutboxStore {
  /** Adds an event; inside a transaction it commits or rolls back with the change. */
  add (event: NewOutboxEvent): Promise<void>
  /** Events with id above `afterId` (all when null), oldest first. */
  listAfter (afterId: number | null, limit: number): Promise<OutboxEvent[]>
}

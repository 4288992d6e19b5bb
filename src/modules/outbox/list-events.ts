// Use case: page through the outbox (GET /admin/events), in both modes, straight from SQL.

import { toPublishedEvent, type PublishedEvent } from './outbox.js'
import type { OutboxStore } from './outbox-store.js'

export interface ListEventsDeps { outbox: OutboxStore }

/**
 * Events with an id above `after` (from the oldest kept when null), oldest first, at most `limit`;
 * `nextAfter` is the id to pass as `after` for the next page (the last one returned, or `after` when
 * there was none).
 */
export async function listEvents (deps: ListEventsDeps, input: { after: number | null, limit: number }): Promise<{ events: PublishedEvent[], nextAfter: string | null }> {
  const events = await deps.outbox.listAfter(input.after, input.limit)
  const last = events.at(-1)
  return {
    events: events.map(toPublishedEvent),
    nextAfter: last ? String(last.id) : input.after === null ? null : String(input.after)
  }
}

// OutboxStore on SQL: one row per event; `data` is JSON text so both dialects store it alike.

import type { Kysely, Selectable } from 'kysely'
import type { OutboxData, OutboxEvent, OutboxEventType } from '../../modules/outbox/outbox.js'
import type { OutboxStore } from '../../modules/outbox/outbox-store.js'
import type { DB, OutboxTable } from './schema.js'

export const toOutboxEvent = (r: Selectable<OutboxTable>): OutboxEvent => ({
  id: Number(r.id),
  type: r.type as OutboxEventType,
  showId: r.show_id === null ? null : Number(r.show_id),
  occurredAt: Number(r.occurred_at),
  data: JSON.parse(r.data) as OutboxData,
  publishedAt: r.published_at === null ? null : Number(r.published_at)
})

export function createSqlOutboxStore (db: Kysely<DB>): OutboxStore {
  return {
    async add (e) {
      await db.insertInto('outbox').values({ type: e.type, show_id: e.showId, occurred_at: e.occurredAt, data: JSON.stringify(e.data), published_at: null }).execute()
    },
    async listAfter (afterId, limit) {
      let q = db.selectFrom('outbox').selectAll()
      if (afterId !== null) q = q.where('id', '>', afterId)
      return (await q.orderBy('id').limit(limit).execute()).map(toOutboxEvent)
    }
  }
}

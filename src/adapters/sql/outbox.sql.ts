// OutboxStore on SQL: one row per event; `data` is JSON text so both dialects store it alike.

import type { Kysely } from 'kysely'
import type { OutboxData, OutboxEventType } from '../../modules/outbox/outbox.js'
import type { OutboxStore } from '../../modules/outbox/outbox-store.js'
import type { DB } from './schema.js'

export function createSqlOutboxStore (db: Kysely<DB>): OutboxStore {
  return {
    async add (e) {
      await db.insertInto('outbox').values({ type: e.type, show_id: e.showId, occurred_at: e.occurredAt, data: JSON.stringify(e.data), published_at: null }).execute()
    },
    async listAfter (afterId, limit) {
      let q = db.selectFrom('outbox').selectAll()
      if (afterId !== null) q = q.where('id', '>', afterId)
      const rows = await q.orderBy('id').limit(limit).execute()
      return rows.map(r => ({
        id: Number(r.id),
        type: r.type as OutboxEventType,
        showId: r.show_id === null ? null : Number(r.show_id),
        occurredAt: Number(r.occurred_at),
        data: JSON.parse(r.data) as OutboxData,
        publishedAt: r.published_at === null ? null : Number(r.published_at)
      }))
    }
  }
}

// OutboxRelayStore on SQL: the lease is one row taken by compare-and-set on its token; delivery marks are fenced by it.

import type { Kysely } from 'kysely'
import type { OutboxRelayStore } from '../../modules/outbox/relay-store.js'
import type { DB } from './schema.js'
import { toOutboxEvent } from './outbox.sql.js'

const RELAY = 'outbox'

export function createSqlOutboxRelayStore (db: Kysely<DB>): OutboxRelayStore {
  return {
    async acquireLease (holder, now, ttlMs) {
      const row = await db.selectFrom('outbox_relay').selectAll().where('name', '=', RELAY).executeTakeFirst()
      if (!row) throw new Error('the outbox_relay row is missing (migration 0007)')
      const current = Number(row.token)
      const renewing = row.holder === holder && Number(row.expires_at) > now
      if (!renewing && Number(row.expires_at) > now) return null
      // A takeover's token is above every earlier one, and at least the time: even a database restored
      // from an old backup hands out tokens above those the stream has already seen.
      const token = renewing ? current : Math.max(current + 1, now)
      const updated = await db.updateTable('outbox_relay')
        .set({ holder, token, expires_at: now + ttlMs })
        .where('name', '=', RELAY)
        .where('token', '=', current)
        .where('expires_at', '=', Number(row.expires_at))
        .executeTakeFirst()
      return Number(updated.numUpdatedRows) === 1 ? { holder, token } : null
    },
    async releaseLease (holder) {
      await db.updateTable('outbox_relay').set({ expires_at: 0 }).where('name', '=', RELAY).where('holder', '=', holder).execute()
    },
    async listUnpublished (limit) {
      const rows = await db.selectFrom('outbox').selectAll().where('published_at', 'is', null).orderBy('id').limit(limit).execute()
      return rows.map(toOutboxEvent)
    },
    async markPublished (ids, at, lease) {
      if (ids.length === 0) return 0
      const updated = await db.updateTable('outbox')
        .set({ published_at: at })
        .where('id', 'in', ids)
        .where('published_at', 'is', null)
        .where(eb => eb.exists(eb.selectFrom('outbox_relay').select('name')
          .where('name', '=', RELAY).where('holder', '=', lease.holder).where('token', '=', lease.token)))
        .executeTakeFirst()
      return Number(updated.numUpdatedRows)
    },
    async prune (before, options) {
      const newest = await db.selectFrom('outbox').select(eb => eb.fn.max('id').as('id')).executeTakeFirst()
      if (newest?.id === null || newest?.id === undefined) return 0
      let q = db.selectFrom('outbox').select('id').where('id', '<', Number(newest.id))
      // Delivered rows count from their delivery; without a stream (embedded) from when they occurred.
      q = options.undelivered ? q.where('occurred_at', '<', before) : q.where('published_at', '<', before)
      const ids = (await q.orderBy('id').limit(options.limit).execute()).map(r => Number(r.id))
      if (ids.length === 0) return 0
      const deleted = await db.deleteFrom('outbox').where('id', 'in', ids).executeTakeFirst()
      return Number(deleted.numDeletedRows)
    }
  }
}

// Migration 0007: the outbox relay's lease (one row per relay: who delivers, until when, with which fencing token).

import type { Kysely, Migration } from 'kysely'
import { isMysql, tableOptions } from './helpers.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types */
export const relay: Migration = {
  async up (db: Kysely<any>) {
    const t = tableOptions(isMysql(db))
    await t(db.schema.createTable('outbox_relay')
      .addColumn('name', 'varchar(40)', c => c.primaryKey())
      .addColumn('holder', 'varchar(200)')
      .addColumn('token', 'bigint', c => c.notNull())
      .addColumn('expires_at', 'bigint', c => c.notNull())
      ).execute()
    await db.insertInto('outbox_relay').values({ name: 'outbox', holder: null, token: 0, expires_at: 0 }).execute()
    // Pruning looks for delivered rows by age.
    await db.schema.createIndex('outbox_occurred').on('outbox').columns(['occurred_at']).execute()
  },
  async down (db: Kysely<any>) {
    await db.schema.dropIndex('outbox_occurred').on('outbox').execute()
    await db.schema.dropTable('outbox_relay').ifExists().execute()
  }
}

// Migration 0002: the outbox, written in the same transaction as each change other systems care about.

import type { Kysely, Migration } from 'kysely'
import { isMysql, tableOptions } from './helpers.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types */
export const outbox: Migration = {
  async up (db: Kysely<any>) {
    const t = tableOptions(isMysql(db))
    await t(db.schema.createTable('outbox')
      .addColumn('id', 'integer', c => c.primaryKey().autoIncrement())
      .addColumn('type', 'varchar(40)', c => c.notNull())
      .addColumn('show_id', 'integer')
      .addColumn('occurred_at', 'bigint', c => c.notNull())
      .addColumn('data', 'text', c => c.notNull())
      .addColumn('published_at', 'bigint')
      ).execute()
    await db.schema.createIndex('outbox_unpublished').on('outbox').columns(['published_at', 'id']).execute()
  },
  async down (db: Kysely<any>) {
    await db.schema.dropTable('outbox').ifExists().execute()
  }
}

// Migration 0006: the waiting room's journal (embedded mode: places survive a restart) and the published draws.

import { sql, type Kysely, type Migration } from 'kysely'
import { isMysql, tableOptions } from './helpers.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types */
export const waitingRoom: Migration = {
  async up (db: Kysely<any>) {
    const mysql = isMysql(db)
    const t = tableOptions(mysql)
    // A draw of 100,000 fans is 6.4 MB of keys: more than MySQL's TEXT holds.
    const long = mysql ? sql`longtext` : 'text'
    await t(db.schema.createTable('queue_entries')
      .addColumn('token_id', 'varchar(32)', c => c.primaryKey())
      .addColumn('concert_id', 'integer', c => c.notNull())
      .addColumn('user_id', 'varchar(64)', c => c.notNull())
      .addColumn('state', 'varchar(10)', c => c.notNull())
      .addColumn('seq', 'bigint', c => c.notNull())
      .addColumn('active_until', 'bigint')
      .addColumn('drawn', 'integer', c => c.notNull().defaultTo(0))
      ).execute()
    await t(db.schema.createTable('queue_rooms')
      .addColumn('concert_id', 'integer', c => c.primaryKey())
      .addColumn('seq', 'bigint', c => c.notNull())
      .addColumn('drawn_at', 'bigint')
      .addColumn('draw_order', long)
      ).execute()
    await t(db.schema.createTable('queue_draws')
      .addColumn('concert_id', 'integer', c => c.primaryKey())
      .addColumn('drawn_at', 'bigint', c => c.notNull())
      .addColumn('entries', long, c => c.notNull())
      ).execute()
  },
  async down (db: Kysely<any>) {
    for (const table of ['queue_draws', 'queue_rooms', 'queue_entries']) await db.schema.dropTable(table).ifExists().execute()
  }
}

// Migration 0004: orders of several seats (reservation_seats, a seat count per reservation) and refunds.

import { sql, type Kysely, type Migration } from 'kysely'
import { isMysql, tableOptions } from './helpers.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types */
export const orders: Migration = {
  async up (db: Kysely<any>) {
    const t = tableOptions(isMysql(db))
    // The seats of each reservation. Who holds a seat *now* is the seats row (its conditional UPDATE makes a
    // live hold unique); this table says which seats each order was for, whatever became of it.
    await t(db.schema.createTable('reservation_seats')
      .addColumn('reservation_id', 'integer', c => c.notNull())
      .addColumn('seat_no', 'integer', c => c.notNull())
      .addColumn('show_id', 'integer', c => c.notNull())
      .addPrimaryKeyConstraint('reservation_seats_pk', ['reservation_id', 'seat_no'])
      ).execute()
    await db.schema.createIndex('reservation_seats_seat').on('reservation_seats').columns(['show_id', 'seat_no']).execute()
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    // seat_count lets the hold limit sum seats over the user's live holds from the reservations index alone.
    await db.schema.alterTable('reservations').addColumn('seat_count', 'integer', c => c.notNull().defaultTo(1)).execute()
    await db.schema.alterTable('reservations').addColumn('refunded_at', 'bigint').execute()
    await db.schema.alterTable('payments').addColumn('refunded_at', 'bigint').execute()
    // Every existing reservation is one seat: reservations.seat_no.
    await sql`insert into reservation_seats (reservation_id, seat_no, show_id) select id, seat_no, show_id from reservations`.execute(db)
  },
  async down (db: Kysely<any>) {
    await db.schema.alterTable('payments').dropColumn('refunded_at').execute()
    await db.schema.alterTable('reservations').dropColumn('refunded_at').execute()
    await db.schema.alterTable('reservations').dropColumn('seat_count').execute()
    await db.schema.dropTable('reservation_seats').ifExists().execute()
  }
}

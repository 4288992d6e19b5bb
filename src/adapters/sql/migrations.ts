// Schema migrations, one list for both dialects; run at start by Kysely's Migrator.

import { MysqlAdapter, sql, type CreateTableBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely'

// Migrations take Kysely<any> on purpose (Kysely's advice): they must not depend on today's schema types.
/* eslint-disable @typescript-eslint/no-explicit-any */
const initial: Migration = {
  async up (db: Kysely<any>) {
    // MySQL/MariaDB: utf8mb4 whatever the server's default (titles are often Korean), InnoDB for row locks.
    const mysql = db.getExecutor().adapter instanceof MysqlAdapter
    const t = (b: CreateTableBuilder<string, never>) => mysql ? b.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : b
    await t(db.schema.createTable('users')
      .addColumn('id', 'varchar(64)', c => c.primaryKey())
      .addColumn('balance', 'bigint', c => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', c => c.notNull())
      .addColumn('updated_at', 'bigint', c => c.notNull())
      ).execute()
    await t(db.schema.createTable('concerts')
      .addColumn('id', 'integer', c => c.primaryKey().autoIncrement())
      .addColumn('title', 'varchar(200)', c => c.notNull())
      .addColumn('venue', 'varchar(200)', c => c.notNull())
      .addColumn('created_at', 'bigint', c => c.notNull())
      ).execute()
    await t(db.schema.createTable('shows')
      .addColumn('id', 'integer', c => c.primaryKey().autoIncrement())
      .addColumn('concert_id', 'integer', c => c.notNull().references('concerts.id'))
      .addColumn('show_date', 'varchar(10)', c => c.notNull())
      .addColumn('starts_at', 'bigint', c => c.notNull())
      .addUniqueConstraint('shows_concert_date', ['concert_id', 'show_date'])
      ).execute()
    await db.schema.createIndex('shows_date').on('shows').columns(['show_date']).execute()
    await t(db.schema.createTable('seats')
      .addColumn('show_id', 'integer', c => c.notNull().references('shows.id'))
      .addColumn('seat_no', 'integer', c => c.notNull())
      .addColumn('grade', 'varchar(20)', c => c.notNull())
      .addColumn('price', 'bigint', c => c.notNull())
      .addColumn('status', 'varchar(12)', c => c.notNull())
      .addColumn('held_until', 'bigint')
      .addColumn('user_id', 'varchar(64)')
      .addColumn('reservation_id', 'integer')
      .addPrimaryKeyConstraint('seats_pk', ['show_id', 'seat_no'])
      ).execute()
    await db.schema.createIndex('seats_status_held').on('seats').columns(['status', 'held_until']).execute()
    await t(db.schema.createTable('reservations')
      .addColumn('id', 'integer', c => c.primaryKey().autoIncrement())
      .addColumn('user_id', 'varchar(64)', c => c.notNull())
      .addColumn('concert_id', 'integer', c => c.notNull())
      .addColumn('show_id', 'integer', c => c.notNull())
      .addColumn('show_date', 'varchar(10)', c => c.notNull())
      .addColumn('seat_no', 'integer', c => c.notNull())
      .addColumn('price', 'bigint', c => c.notNull())
      .addColumn('status', 'varchar(12)', c => c.notNull())
      .addColumn('held_until', 'bigint', c => c.notNull())
      .addColumn('created_at', 'bigint', c => c.notNull())
      .addColumn('paid_at', 'bigint')
      ).execute()
    await db.schema.createIndex('reservations_user').on('reservations').columns(['user_id', 'id']).execute()
    await db.schema.createIndex('reservations_user_show').on('reservations').columns(['user_id', 'show_id', 'status']).execute()
    await db.schema.createIndex('reservations_seat').on('reservations').columns(['show_id', 'seat_no', 'status']).execute()
    await db.schema.createIndex('reservations_status_held').on('reservations').columns(['status', 'held_until']).execute()
    await t(db.schema.createTable('point_history')
      .addColumn('id', 'integer', c => c.primaryKey().autoIncrement())
      .addColumn('user_id', 'varchar(64)', c => c.notNull())
      .addColumn('type', 'varchar(10)', c => c.notNull())
      .addColumn('amount', 'bigint', c => c.notNull())
      .addColumn('balance_after', 'bigint', c => c.notNull())
      .addColumn('reservation_id', 'integer')
      .addColumn('created_at', 'bigint', c => c.notNull())
      ).execute()
    await db.schema.createIndex('point_history_user').on('point_history').columns(['user_id', 'id']).execute()
    await t(db.schema.createTable('payments')
      .addColumn('id', 'integer', c => c.primaryKey().autoIncrement())
      .addColumn('reservation_id', 'integer', c => c.notNull().unique())
      .addColumn('user_id', 'varchar(64)', c => c.notNull())
      .addColumn('amount', 'bigint', c => c.notNull())
      .addColumn('created_at', 'bigint', c => c.notNull())
      ).execute()
    await t(db.schema.createTable('idempotency_keys')
      .addColumn('scope', 'varchar(100)', c => c.notNull())
      .addColumn('idem_key', 'varchar(255)', c => c.notNull())
      .addColumn('request_hash', 'varchar(64)', c => c.notNull())
      .addColumn('state', 'varchar(10)', c => c.notNull())
      .addColumn('outcome', 'text')
      .addColumn('created_at', 'bigint', c => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'idem_key'])
      ).execute()
    await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').columns(['created_at']).execute()
  },
  async down (db: Kysely<any>) {
    for (const t of ['idempotency_keys', 'payments', 'point_history', 'reservations', 'seats', 'shows', 'concerts', 'users']) {
      await db.schema.dropTable(t).ifExists().execute()
    }
  }
}

export const migrationProvider: MigrationProvider = {
  async getMigrations () { return { '0001_initial': initial } }
}

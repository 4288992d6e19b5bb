// Migration 0005: idempotency records get an owner (fencing token) and a lease; seeding leaves a marker row.

import type { Kysely, Migration } from 'kysely'
import { isMysql, tableOptions } from './helpers.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types */
export const idempotencyLeasesAndSeeding: Migration = {
  async up (db: Kysely<any>) {
    // Records left PENDING by an older version have no owner and a lapsed lease: the next retry takes them over.
    await db.schema.alterTable('idempotency_keys').addColumn('owner', 'varchar(32)', c => c.notNull().defaultTo('')).execute()
    await db.schema.alterTable('idempotency_keys').addColumn('lease_until', 'bigint', c => c.notNull().defaultTo(0)).execute()
    await tableOptions(isMysql(db))(db.schema.createTable('seed_markers')
      .addColumn('name', 'varchar(64)', c => c.primaryKey())
      .addColumn('created_at', 'bigint', c => c.notNull())
    ).execute()
  },
  async down (db: Kysely<any>) {
    await db.schema.dropTable('seed_markers').ifExists().execute()
    await db.schema.alterTable('idempotency_keys').dropColumn('lease_until').execute()
    await db.schema.alterTable('idempotency_keys').dropColumn('owner').execute()
  }
}

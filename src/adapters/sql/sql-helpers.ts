// Small helpers shared by the SQL repositories.

import { MysqlAdapter, type Kysely, type UpdateResult } from 'kysely'
import type { DB } from './schema.js'

/** True when a conditional UPDATE changed exactly the row it aimed at. */
export const affected = (res: UpdateResult | undefined): boolean => Number(res?.numUpdatedRows ?? 0) > 0

/** Creates a user row with balance 0 unless it exists (a user needs no sign-up). */
export async function ensureUserRow (db: Kysely<DB>, userId: string, now: number): Promise<void> {
  await db.insertInto('users').values({ id: userId, balance: 0, created_at: now, updated_at: now })
    .orIgnore() // INSERT IGNORE (MySQL) / INSERT OR IGNORE (SQLite)
    .execute()
}

/** A unique-key violation on either dialect. */
export function isDuplicate (err: unknown): boolean {
  const e = err as { code?: string, errno?: number }
  return e.code === 'ER_DUP_ENTRY' || e.errno === 1062 || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === 'SQLITE_CONSTRAINT_UNIQUE'
}

/** Whether `db` talks to MySQL/MariaDB (row locks, locking reads) rather than SQLite (one writer at a time). */
export const isMysqlDb = (db: Kysely<DB>): boolean => db.getExecutor().adapter instanceof MysqlAdapter

/** MySQL gave up waiting for a row lock (innodb_lock_wait_timeout). */
export const isLockWaitTimeout = (err: unknown): boolean => (err as { errno?: number }).errno === 1205

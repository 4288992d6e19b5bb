// SeedLedger on SQL: a marker row per seeding; on MySQL a named lock (GET_LOCK) keeps instances from seeding at once.

import { sql } from 'kysely'
import type { SeedLedger } from '../../seed.js'
import type { SqlDatabase } from './database.js'

const LOCK_WAIT_SECONDS = 60

export function createSqlSeedLedger (database: SqlDatabase): SeedLedger {
  const { db } = database
  async function runUnlessDone (name: string, now: number, seed: () => Promise<boolean>): Promise<boolean> {
    if (await db.selectFrom('seed_markers').select('name').where('name', '=', name).executeTakeFirst()) return false
    if (!await seed()) return false
    await db.insertInto('seed_markers').values({ name, created_at: now }).execute()
    return true
  }
  return {
    async once (name, now, seed) {
      // SQLite serves one process (the embedded mode), where seeding runs once at start.
      if (database.dialect !== 'mysql') return runUnlessDone(name, now, seed)
      // Lock names are server-wide: name it after this database (hashed: names are at most 64 characters).
      return db.connection().execute(async (conn) => {
        const lockName = sql`CONCAT('concert-seed:', MD5(CONCAT(DATABASE(), ':', ${name})))`
        const { rows } = await sql<{ got: number | null }>`SELECT GET_LOCK(${lockName}, ${LOCK_WAIT_SECONDS}) AS got`.execute(conn)
        if (Number(rows[0]?.got) !== 1) throw new Error(`another instance has been seeding "${name}" for ${LOCK_WAIT_SECONDS} s`)
        try {
          return await runUnlessDone(name, now, seed)
        } finally {
          await sql`SELECT RELEASE_LOCK(${lockName})`.execute(conn)
        }
      })
    }
  }
}

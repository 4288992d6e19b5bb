// DrawRecords on SQL: one row per concert, its draw keys concatenated (64 hex digits each), written once.

import type { Kysely } from 'kysely'
import type { DrawRecords } from '../../modules/queue/draw-records.js'
import type { DB } from './schema.js'

const KEY_LENGTH = 64

export function createSqlDrawRecords (db: Kysely<DB>): DrawRecords {
  return {
    async find (concertId) {
      const row = await db.selectFrom('queue_draws').selectAll().where('concert_id', '=', concertId).executeTakeFirst()
      if (!row) return null
      const entries: string[] = []
      for (let i = 0; i < row.entries.length; i += KEY_LENGTH) entries.push(row.entries.slice(i, i + KEY_LENGTH))
      return { concertId, drawnAt: Number(row.drawn_at), entries }
    },
    async save (record) {
      // INSERT IGNORE (MySQL) / INSERT OR IGNORE (SQLite): the first record of a concert stays.
      await db.insertInto('queue_draws').values({ concert_id: record.concertId, drawn_at: record.drawnAt, entries: record.entries.join('') }).ignore().execute()
    }
  }
}

// PointStore on SQL: balance changes are single conditional UPDATEs.

import { sql, type Kysely } from 'kysely'
import type { PointEntryType } from '../../modules/points/points.js'
import type { PointStore } from '../../modules/points/point-store.js'
import type { DB } from './schema.js'
import { affected, ensureUserRow } from './sql-helpers.js'

/** Users known to exist, so the hot paths skip the INSERT IGNORE (rows are never deleted). */
const KNOWN_USERS_MAX = 200_000

export function createSqlPointStore (db: Kysely<DB>): PointStore {
  const known = new Set<string>()
  return {
    async ensureUser (userId, now) {
      if (known.has(userId)) return
      await ensureUserRow(db, userId, now)
      if (known.size >= KNOWN_USERS_MAX) known.clear()
      known.add(userId)
    },
    async credit (userId, amount, maxBalance, now) {
      return affected(await db.updateTable('users')
        .set({ balance: sql`balance + ${amount}`, updated_at: now })
        .where('id', '=', userId).where('balance', '<=', maxBalance - amount)
        .executeTakeFirst())
    },
    async debit (userId, amount, now) {
      return affected(await db.updateTable('users')
        .set({ balance: sql`balance - ${amount}`, updated_at: now })
        .where('id', '=', userId).where('balance', '>=', amount)
        .executeTakeFirst())
    },
    async balance (userId) {
      const r = await db.selectFrom('users').select('balance').where('id', '=', userId).executeTakeFirst()
      return Number(r?.balance ?? 0)
    },
    async addEntry (e) {
      const res = await db.insertInto('point_history').values({
        user_id: e.userId, type: e.type, amount: e.amount, balance_after: e.balanceAfter, reservation_id: e.reservationId, created_at: e.createdAt
      }).executeTakeFirstOrThrow()
      return { ...e, id: Number(res.insertId) }
    },
    async history (userId, limit, beforeId) {
      let q = db.selectFrom('point_history').selectAll().where('user_id', '=', userId)
      if (beforeId !== undefined) q = q.where('id', '<', beforeId)
      const rows = await q.orderBy('id', 'desc').limit(limit).execute()
      return rows.map(r => ({
        id: Number(r.id), userId: r.user_id, type: r.type as PointEntryType, amount: Number(r.amount), balanceAfter: Number(r.balance_after),
        reservationId: r.reservation_id === null ? null : Number(r.reservation_id), createdAt: Number(r.created_at)
      }))
    }
  }
}

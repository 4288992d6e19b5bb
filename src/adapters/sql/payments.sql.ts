// PaymentStore on SQL.

import type { Kysely } from 'kysely'
import type { PaymentStore } from '../../modules/payments/payment-store.js'
import type { DB } from './schema.js'
import { affected } from './sql-helpers.js'

export function createSqlPaymentStore (db: Kysely<DB>): PaymentStore {
  return {
    async insert (p) {
      const res = await db.insertInto('payments').values({ reservation_id: p.reservationId, user_id: p.userId, amount: p.amount, created_at: p.createdAt }).executeTakeFirstOrThrow()
      return { ...p, id: Number(res.insertId), refundedAt: null }
    },
    async markRefunded (reservationId, at) {
      return affected(await db.updateTable('payments').set({ refunded_at: at })
        .where('reservation_id', '=', reservationId).where('refunded_at', 'is', null).executeTakeFirst())
    }
  }
}

// IdempotencyStore on SQL: the primary key (scope, key) makes the first claim win on every instance.

import type { Kysely } from 'kysely'
import type { IdempotencyStore, RecordedOutcome } from '../../modules/idempotency/idempotency-store.js'
import type { DB } from './schema.js'
import { affected, isDuplicate } from './sql-helpers.js'

export function createSqlIdempotencyStore (db: Kysely<DB>): IdempotencyStore {
  return {
    async claim (scope, key, requestHash, now) {
      try {
        await db.insertInto('idempotency_keys').values({ scope, idem_key: key, request_hash: requestHash, state: 'PENDING', outcome: null, created_at: now }).execute()
        return true
      } catch (err) {
        if (isDuplicate(err)) return false
        throw err
      }
    },
    async find (scope, key) {
      const r = await db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('idem_key', '=', key).executeTakeFirst()
      if (!r) return null
      return {
        requestHash: r.request_hash,
        state: r.state === 'DONE' ? 'DONE' : 'PENDING',
        outcome: r.outcome === null ? null : JSON.parse(r.outcome) as RecordedOutcome,
        createdAt: Number(r.created_at)
      }
    },
    async takeOver (scope, key, staleCreatedAt, now) {
      return affected(await db.updateTable('idempotency_keys').set({ created_at: now })
        .where('scope', '=', scope).where('idem_key', '=', key).where('state', '=', 'PENDING').where('created_at', '=', staleCreatedAt)
        .executeTakeFirst())
    },
    async complete (scope, key, outcome) {
      await db.updateTable('idempotency_keys').set({ state: 'DONE', outcome: JSON.stringify(outcome) })
        .where('scope', '=', scope).where('idem_key', '=', key).where('state', '=', 'PENDING').execute()
    },
    async release (scope, key) {
      await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('idem_key', '=', key).where('state', '=', 'PENDING').execute()
    },
    async purge (before) {
      const res = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst()
      return Number(res.numDeletedRows)
    }
  }
}

// IdempotencyStore on SQL: the primary key makes the first claim win on every instance; every later change names the owner.

import type { Kysely } from 'kysely'
import type { IdempotencyRecord, IdempotencyStore, RecordedOutcome } from '../../modules/idempotency/idempotency-store.js'
import type { DB } from './schema.js'
import { affected, isDuplicate, isLockWaitTimeout } from './sql-helpers.js'

/** An idempotency_keys row as both SQL stores read it. */
export interface IdempotencyRow { request_hash: string, state: string, outcome: string | null, owner: string, lease_until: number | string | bigint, created_at: number | string | bigint }

/** A stored key as the port describes it. */
export function toIdempotencyRecord (r: IdempotencyRow): IdempotencyRecord {
  return {
    requestHash: r.request_hash,
    state: r.state === 'DONE' ? 'DONE' : 'PENDING',
    outcome: r.outcome === null ? null : JSON.parse(r.outcome) as RecordedOutcome,
    owner: r.owner,
    leaseUntil: Number(r.lease_until),
    createdAt: Number(r.created_at)
  }
}

export function createSqlIdempotencyStore (db: Kysely<DB>): IdempotencyStore {
  const pending = (scope: string, key: string, owner: string) => db.updateTable('idempotency_keys')
    .where('scope', '=', scope).where('idem_key', '=', key).where('owner', '=', owner).where('state', '=', 'PENDING')
  return {
    async claim (c) {
      try {
        await db.insertInto('idempotency_keys').values({
          scope: c.scope, idem_key: c.key, request_hash: c.requestHash, state: 'PENDING', outcome: null, owner: c.owner, lease_until: c.leaseUntil, created_at: c.createdAt
        }).execute()
        return true
      } catch (err) {
        // A lock wait: the key exists and its owner's transaction has it locked.
        if (isDuplicate(err) || isLockWaitTimeout(err)) return false
        throw err
      }
    },
    async find (scope, key) {
      const r = await db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('idem_key', '=', key).executeTakeFirst()
      return r ? toIdempotencyRecord(r) : null
    },
    async renew (scope, key, owner, leaseUntil) {
      // Rows matched, not rows changed (mysql2 sets CLIENT_FOUND_ROWS): a renewal to the same value still counts.
      return affected(await pending(scope, key, owner).set({ lease_until: leaseUntil }).executeTakeFirst())
    },
    async takeOver (scope, key, staleOwner, owner, now, leaseUntil) {
      try {
        return affected(await pending(scope, key, staleOwner).where('lease_until', '<=', now)
          .set({ owner, lease_until: leaseUntil }).executeTakeFirst())
      } catch (err) {
        // The owner's recording transaction has the record locked: it is alive after all.
        if (isLockWaitTimeout(err)) return false
        throw err
      }
    },
    async complete (scope, key, owner, outcome) {
      return affected(await pending(scope, key, owner).set({ state: 'DONE', outcome: JSON.stringify(outcome) }).executeTakeFirst())
    },
    async release (scope, key, owner) {
      await db.deleteFrom('idempotency_keys')
        .where('scope', '=', scope).where('idem_key', '=', key).where('owner', '=', owner).where('state', '=', 'PENDING').execute()
    },
    async purge (before) {
      const res = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst()
      return Number(res.numDeletedRows)
    }
  }
}

// IdempotencyStore on SQLite with prepared statements (the embedded mode): the same rules as idempotency.sql.ts.

import type { IdempotencyStore } from '../../modules/idempotency/idempotency-store.js'
import type { SyncSqlite } from './database.js'
import { toIdempotencyRecord, type IdempotencyRow } from './idempotency.sql.js'

/**
 * Each call is one statement, run through the synchronous transaction (never inside a Kysely transaction that
 * happens to be open on the connection). The primary key makes the first claim win; every later change names
 * the owner, so a request that lost its key changes nothing.
 */
export function createSqliteIdempotencyStore (sqlite: SyncSqlite): IdempotencyStore {
  const claim = sqlite.prepare(`INSERT OR IGNORE INTO idempotency_keys (scope, idem_key, request_hash, state, outcome, owner, lease_until, created_at)
    VALUES (@scope, @key, @requestHash, 'PENDING', NULL, @owner, @leaseUntil, @createdAt)`)
  const find = sqlite.prepare('SELECT request_hash, state, outcome, owner, lease_until, created_at FROM idempotency_keys WHERE scope = ? AND idem_key = ?')
  const pending = "scope = @scope AND idem_key = @key AND owner = @owner AND state = 'PENDING'"
  const renew = sqlite.prepare(`UPDATE idempotency_keys SET lease_until = @leaseUntil WHERE ${pending}`)
  const takeOver = sqlite.prepare(`UPDATE idempotency_keys SET owner = @owner, lease_until = @leaseUntil
    WHERE scope = @scope AND idem_key = @key AND owner = @staleOwner AND state = 'PENDING' AND lease_until <= @now`)
  const complete = sqlite.prepare(`UPDATE idempotency_keys SET state = 'DONE', outcome = @outcome WHERE ${pending}`)
  const release = sqlite.prepare(`DELETE FROM idempotency_keys WHERE ${pending}`)
  const purge = sqlite.prepare('DELETE FROM idempotency_keys WHERE created_at < ?')
  const one = <T>(fn: () => T): Promise<T> => sqlite.transaction(fn)
  return {
    claim: c => one(() => claim.run(c).changes === 1),
    find: (scope, key) => one(() => {
      const r = find.get(scope, key) as IdempotencyRow | undefined
      return r ? toIdempotencyRecord(r) : null
    }),
    renew: (scope, key, owner, leaseUntil) => one(() => renew.run({ scope, key, owner, leaseUntil }).changes === 1),
    takeOver: (scope, key, staleOwner, owner, now, leaseUntil) => one(() => takeOver.run({ scope, key, staleOwner, owner, now, leaseUntil }).changes === 1),
    complete: (scope, key, owner, outcome) => one(() => complete.run({ scope, key, owner, outcome: JSON.stringify(outcome) }).changes === 1),
    release: (scope, key, owner) => one(() => { release.run({ scope, key, owner }) }),
    purge: before => one(() => purge.run(before).changes)
  }
}

// Binds every SQL repository to one connection or transaction, builds the transaction port, and picks each dialect's hot writes.

import type { Kysely } from 'kysely'
import type { IdempotencyStore } from '../../modules/idempotency/idempotency-store.js'
import type { PaymentLedger } from '../../modules/payments/payment-ledger.js'
import type { PointLedger } from '../../modules/points/point-ledger.js'
import type { HoldStore } from '../../modules/reservations/hold-store.js'
import type { Transact, TxStores } from '../../shared/transaction.js'
import type { SqlDatabase } from './database.js'
import { createSqliteIdempotencyStore } from './idempotency.sqlite.js'
import { createMysqlHoldStore } from './holds.mysql.js'
import { createSqliteHoldStore } from './holds.sqlite.js'
import { createMysqlLedgers } from './ledgers.mysql.js'
import { createSqliteLedgers } from './ledgers.sqlite.js'
import type { DB } from './schema.js'
import { createSqlIdempotencyStore } from './idempotency.sql.js'
import { createSqlOutboxStore } from './outbox.sql.js'
import { createSqlPaymentStore } from './payments.sql.js'
import { createSqlPointStore } from './points.sql.js'
import { createSqlReservationStore } from './reservations.sql.js'

export function createSqlStores (db: Kysely<DB>): TxStores {
  return {
    reservations: createSqlReservationStore(db),
    points: createSqlPointStore(db),
    payments: createSqlPaymentStore(db),
    idempotency: createSqlIdempotencyStore(db),
    outbox: createSqlOutboxStore(db)
  }
}

export const createSqlTransact = (database: SqlDatabase): Transact => (fn) => database.transact(tx => fn(createSqlStores(tx)))

/**
 * The writes that move seats and money, each one transaction in as few round trips as its dialect allows, and
 * the Idempotency-Key records they are fenced by.
 */
export interface SqlWrites { holds: HoldStore, ledgers: { payments: PaymentLedger, points: PointLedger }, idempotency: IdempotencyStore }

/** SQLite: synchronous transactions of prepared statements; MySQL: stored procedures (migration 0008). */
export function createSqlWrites (database: SqlDatabase): SqlWrites {
  return database.dialect === 'sqlite'
    ? { holds: createSqliteHoldStore(database.sqlite), ledgers: createSqliteLedgers(database.sqlite), idempotency: createSqliteIdempotencyStore(database.sqlite) }
    : { holds: createMysqlHoldStore(database.mysql), ledgers: createMysqlLedgers(database.mysql), idempotency: createSqlIdempotencyStore(database.db) }
}

// Binds every SQL repository to one connection or transaction, and builds the transaction port.

import type { Kysely } from 'kysely'
import type { Transact, TxStores } from '../../shared/transaction.js'
import type { SqlDatabase } from './database.js'
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

// The unit-of-work port: repositories bound to one transaction, so several rows move together or not at all.

import type { ReservationStore } from '../modules/reservations/reservation-store.js'
import type { PointStore } from '../modules/points/point-store.js'
import type { PaymentStore } from '../modules/payments/payment-store.js'
import type { IdempotencyStore } from '../modules/idempotency/idempotency-store.js'
import type { OutboxStore } from '../modules/outbox/outbox-store.js'

export interface TxStores {
  reservations: ReservationStore
  points: PointStore
  payments: PaymentStore
  idempotency: IdempotencyStore
  outbox: OutboxStore
}

/** Runs `fn` inside one transaction; everything it wrote is undone if it throws. */
export type Transact = <T>(fn: (tx: TxStores) => Promise<T>) => Promise<T>

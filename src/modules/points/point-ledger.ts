// Port: a charge of points as one write — the balance, its history row and the event out together.

import type { Fence } from '../idempotency/fence.js'

export interface Balance { userId: string, balance: number }

export type ChargeOutcome = { charged: Balance } | { refused: 'CHARGE_LIMIT_EXCEEDED' }

export interface PointLedger {
  /**
   * Adds `amount` to the user's balance (creating their row first if need be) unless it would pass
   * `maxBalance`, with a CHARGE history row and a `points.charged` event, in one transaction. With a fence,
   * the result is the key's outcome.
   */
  charge (c: { userId: string, amount: number, maxBalance: number, now: number }, fence: Fence | null): Promise<ChargeOutcome>
}

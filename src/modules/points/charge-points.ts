// Use cases: charge points, read the balance, read the history.

import type { Clock } from '../../shared/clock.js'
import { UnprocessableError, ValidationError } from '../../shared/errors.js'
import { unfenced, type Fenced } from '../idempotency/fence.js'
import type { PointEntry } from './points.js'
import type { Balance, PointLedger } from './point-ledger.js'
import type { PointStore } from './point-store.js'

export type { Balance } from './point-ledger.js'

export interface ChargePointsDeps {
  ledger: PointLedger
  /** The Idempotency-Key's fencing of the write, when the request has one. */
  fenced?: Fenced
  clock: Clock
  maxCharge: number
  maxBalance: number
}

/** Adds points to a balance with a CHARGE history row, in one write. */
export async function chargePoints (deps: ChargePointsDeps, input: { userId: string, amount: number }): Promise<Balance> {
  if (!Number.isSafeInteger(input.amount) || input.amount < 1) {
    throw new ValidationError('amount must be a whole number of won, at least 1', [{ path: '/amount', message: 'must be an integer ≥ 1' }])
  }
  if (input.amount > deps.maxCharge) {
    throw new UnprocessableError('CHARGE_LIMIT_EXCEEDED', `one charge is at most ${deps.maxCharge}`, { maxCharge: deps.maxCharge })
  }
  const charge = { userId: input.userId, amount: input.amount, maxBalance: deps.maxBalance, now: deps.clock.now() }
  const outcome = await (deps.fenced ?? unfenced)(fence => deps.ledger.charge(charge, fence))
  if ('refused' in outcome) throw new UnprocessableError('CHARGE_LIMIT_EXCEEDED', `a balance may not exceed ${deps.maxBalance}`, { maxBalance: deps.maxBalance })
  return outcome.charged
}

export async function getBalance (deps: { points: PointStore }, userId: string): Promise<Balance> {
  return { userId, balance: await deps.points.balance(userId) }
}

/** One page of history, newest first, and the cursor of the next page (null at the end). */
export async function getPointHistory (deps: { points: PointStore }, input: { userId: string, limit: number, beforeId?: number }): Promise<{ items: PointEntry[], nextCursor: number | null }> {
  if (!Number.isSafeInteger(input.limit) || input.limit < 1) throw new ValidationError('limit must be at least 1', [{ path: '/limit', message: 'must be ≥ 1' }])
  const rows = await deps.points.history(input.userId, input.limit + 1, input.beforeId)
  const items = rows.slice(0, input.limit)
  return { items, nextCursor: rows.length > input.limit ? items[items.length - 1].id : null }
}

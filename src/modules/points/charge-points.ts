// Use cases: charge points, read the balance, read the history.

import type { Clock } from '../../shared/clock.js'
import { UnprocessableError, ValidationError } from '../../shared/errors.js'
import type { Transact } from '../../shared/transaction.js'
import type { PointEntry } from './points.js'
import type { PointStore } from './point-store.js'

export interface ChargePointsDeps { transact: Transact, users: Pick<PointStore, 'ensureUser'>, clock: Clock, maxCharge: number, maxBalance: number }
export interface Balance { userId: string, balance: number }

/** Adds points to a balance with a CHARGE history row, in one transaction. */
export async function chargePoints (deps: ChargePointsDeps, input: { userId: string, amount: number }): Promise<Balance> {
  if (!Number.isSafeInteger(input.amount) || input.amount < 1) {
    throw new ValidationError('amount must be a whole number of won, at least 1', [{ path: '/amount', message: 'must be an integer ≥ 1' }])
  }
  if (input.amount > deps.maxCharge) {
    throw new UnprocessableError('CHARGE_LIMIT_EXCEEDED', `one charge is at most ${deps.maxCharge}`, { maxCharge: deps.maxCharge })
  }
  const now = deps.clock.now()
  await deps.users.ensureUser(input.userId, now)
  return deps.transact(async (tx) => {
    if (!await tx.points.credit(input.userId, input.amount, deps.maxBalance, now)) {
      throw new UnprocessableError('CHARGE_LIMIT_EXCEEDED', `a balance may not exceed ${deps.maxBalance}`, { maxBalance: deps.maxBalance })
    }
    const balance = await tx.points.balance(input.userId)
    await tx.points.addEntry({ userId: input.userId, type: 'CHARGE', amount: input.amount, balanceAfter: balance, reservationId: null, createdAt: now })
    await tx.outbox.add({ type: 'points.charged', showId: null, occurredAt: now, data: { userId: input.userId, amount: input.amount, balance } })
    return { userId: input.userId, balance }
  })
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

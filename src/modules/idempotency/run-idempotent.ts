// Runs a money-moving use case at most once per Idempotency-Key, even for concurrent duplicates on many instances.

import { createHash } from 'node:crypto'
import type { Clock } from '../../shared/clock.js'
import { AppError, UnprocessableError, ServiceUnavailableError, errorFromRecord } from '../../shared/errors.js'
import type { Transact } from '../../shared/transaction.js'
import type { IdempotencyRecord, IdempotencyStore, RecordedOutcome } from './idempotency-store.js'

export interface IdempotencyDeps {
  idempotency: IdempotencyStore
  transact: Transact
  clock: Clock
  /** A PENDING record older than this is taken to belong to a crashed request. */
  staleAfterMs?: number
  /** How long a duplicate waits for the first request to finish. */
  waitMs?: number
}

export interface IdempotencyInput { scope: string, key: string, request: unknown }

export const hashRequest = (request: unknown): string => createHash('sha256').update(JSON.stringify(request)).digest('hex')

/**
 * Calls `run` with a `transact` that records the outcome in the same transaction as the money it moves,
 * or replays the outcome recorded for this key. The same key with another request → IDEMPOTENCY_KEY_REUSED.
 */
export async function runIdempotent<T> (deps: IdempotencyDeps, input: IdempotencyInput, run: (transact: Transact) => Promise<T>): Promise<T> {
  const { scope, key } = input
  const hash = hashRequest(input.request)
  const staleAfterMs = deps.staleAfterMs ?? 30_000
  const deadline = Date.now() + (deps.waitMs ?? 15_000)

  while (!await deps.idempotency.claim(scope, key, hash, deps.clock.now())) {
    const existing = await deps.idempotency.find(scope, key)
    if (!existing) continue // released by a failed first attempt: try to claim again
    if (existing.requestHash !== hash) {
      throw new UnprocessableError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different request')
    }
    if (existing.state === 'DONE' && existing.outcome) return replay<T>(existing.outcome)
    if (deps.clock.now() - existing.createdAt > staleAfterMs &&
        await deps.idempotency.takeOver(scope, key, existing.createdAt, deps.clock.now())) break
    if (Date.now() > deadline) throw new ServiceUnavailableError('the first request with this Idempotency-Key is still running', 1)
    await waitForOther(existing)
  }

  const recordingTransact: Transact = (fn) => deps.transact(async (tx) => {
    const value = await fn(tx)
    await tx.idempotency.complete(scope, key, { ok: true, value })
    return value
  })
  try {
    return await run(recordingTransact)
  } catch (err) {
    if (err instanceof AppError && err.status < 500) {
      await deps.idempotency.complete(scope, key, { ok: false, error: { status: err.status, code: err.code, message: err.message, extensions: err.extensions } })
    } else {
      await deps.idempotency.release(scope, key).catch(() => {})
    }
    throw err
  }
}

function replay<T> (outcome: RecordedOutcome): T {
  if (outcome.ok) return outcome.value as T
  throw errorFromRecord(outcome.error)
}

const waitForOther = (_r: IdempotencyRecord): Promise<void> => new Promise(resolve => setTimeout(resolve, 20 + Math.random() * 30))

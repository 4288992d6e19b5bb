// Runs a money-moving use case at most once per Idempotency-Key, even for concurrent duplicates on many instances.

import { createHash } from 'node:crypto'
import type { Clock } from '../../shared/clock.js'
import { AppError, UnprocessableError, errorFromRecord } from '../../shared/errors.js'
import { randomId } from '../../shared/ids.js'
import type { Transact } from '../../shared/transaction.js'
import type { IdempotencyStore, RecordedOutcome } from './idempotency-store.js'

export interface IdempotencyDeps {
  idempotency: IdempotencyStore
  transact: Transact
  clock: Clock
  /**
   * How long a claim stands without renewal (default 5 s). The request that owns a key renews it every third
   * of this while it runs, so a key whose request died with its process is usable again this long after.
   */
  leaseMs?: number
  /** How long a duplicate waits for the first request before 409 IDEMPOTENCY_IN_PROGRESS (default 2 s). */
  waitMs?: number
}

export const DEFAULT_LEASE_MS = 5000
export const DEFAULT_WAIT_MS = 2000

export interface IdempotencyInput { scope: string, key: string, request: unknown }

/** 409 IDEMPOTENCY_IN_PROGRESS: the first request with this key still runs; a retry after `retryAfterSeconds` may find its answer. */
export class IdempotencyInProgressError extends AppError {
  readonly retryAfterSeconds: number
  constructor (retryAfterSeconds = 1) {
    super('IDEMPOTENCY_IN_PROGRESS', 'the first request with this Idempotency-Key is still running; retry shortly for its answer')
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** This request no longer owns its key (a retry took it over): it must not move money or record an answer. */
class LostKey extends Error {}

export const hashRequest = (request: unknown): string => createHash('sha256').update(JSON.stringify(request)).digest('hex')

// A request that loses its key answers with what the new owner records; losing it this often means it keeps stalling.
const MAX_LOSSES = 3

/**
 * Calls `run` with a `transact` that moves the money and records the outcome in one transaction, and only
 * while this request still owns the key; or replays the outcome recorded for this key. The same key with
 * another request → IDEMPOTENCY_KEY_REUSED; a duplicate of a request still running → IDEMPOTENCY_IN_PROGRESS.
 * `run` must move its money in one call of that `transact`.
 */
export async function runIdempotent<T> (deps: IdempotencyDeps, input: IdempotencyInput, run: (transact: Transact) => Promise<T>): Promise<T> {
  const { scope, key } = input
  const hash = hashRequest(input.request)
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS
  const leaseUntil = (): number => deps.clock.now() + leaseMs

  for (let losses = 0; ; losses++) {
    if (losses === MAX_LOSSES) throw new IdempotencyInProgressError()
    const acquired = await acquire(deps, input, hash, leaseMs)
    if ('outcome' in acquired) return replay<T>(acquired.outcome)
    const { owner } = acquired

    const lease = keepLease(deps.idempotency, scope, key, owner, leaseUntil, leaseMs)
    let committed = false
    const recordingTransact: Transact = async (fn) => {
      const value = await deps.transact(async (tx) => {
        lease.inTransaction = true
        try {
          // First statement: on MySQL it locks the record, so no takeover can happen until this commits.
          if (!await tx.idempotency.renew(scope, key, owner, leaseUntil())) throw new LostKey()
          const result = await fn(tx)
          if (!await tx.idempotency.complete(scope, key, owner, { ok: true, value: result })) throw new LostKey()
          return result
        } finally {
          lease.inTransaction = false
        }
      })
      committed = true
      return value
    }
    try {
      const value = await run(recordingTransact)
      if (committed || await deps.idempotency.complete(scope, key, owner, { ok: true, value })) return value
    } catch (err) {
      if (err instanceof LostKey) continue
      if (err instanceof AppError && err.status < 500) {
        const failure: RecordedOutcome = { ok: false, error: { status: err.status, code: err.code, message: err.message, extensions: err.extensions } }
        if (await deps.idempotency.complete(scope, key, owner, failure)) throw err
        continue // lost the key, or the money moved before this error: answer what is recorded
      }
      await deps.idempotency.release(scope, key, owner).catch(() => {}) // if this fails too, the lease lapses by itself
      throw err
    } finally {
      lease.stop()
    }
  }
}

type Acquired = { owner: string } | { outcome: RecordedOutcome }

/** Claims the key (or takes over one whose owner's lease ran out), or finds its recorded outcome; waits waitMs at most. */
async function acquire (deps: IdempotencyDeps, input: IdempotencyInput, hash: string, leaseMs: number): Promise<Acquired> {
  const { scope, key } = input
  const owner = randomId(12)
  const deadline = Date.now() + (deps.waitMs ?? DEFAULT_WAIT_MS)
  for (let pause = 10; ; pause = Math.min(2 * pause, 200)) {
    // Read first: on MySQL an INSERT of an existing key waits for the lock of its owner's transaction.
    const existing = await deps.idempotency.find(scope, key)
    if (!existing) {
      const now = deps.clock.now()
      if (await deps.idempotency.claim({ scope, key, requestHash: hash, owner, createdAt: now, leaseUntil: now + leaseMs })) return { owner }
      continue // claimed by someone else just now: read theirs
    }
    if (existing.requestHash !== hash) {
      throw new UnprocessableError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different request')
    }
    if (existing.state === 'DONE' && existing.outcome) return { outcome: existing.outcome }
    if (existing.leaseUntil <= deps.clock.now() &&
        await deps.idempotency.takeOver(scope, key, existing.owner, owner, deps.clock.now(), deps.clock.now() + leaseMs)) return { owner }
    const left = deadline - Date.now()
    if (left <= 0) throw new IdempotencyInProgressError()
    await new Promise(resolve => setTimeout(resolve, Math.min(pause, left)))
  }
}

/** Renews the owner's lease every third of it while the request runs (not while its own transaction has the record locked). */
function keepLease (store: IdempotencyStore, scope: string, key: string, owner: string, leaseUntil: () => number, leaseMs: number): { inTransaction: boolean, stop: () => void } {
  let renewing = false
  const state = {
    inTransaction: false,
    stop: () => { clearInterval(timer) }
  }
  const timer = setInterval(() => {
    if (state.inTransaction || renewing) return
    renewing = true
    store.renew(scope, key, owner, leaseUntil()).catch(() => false).finally(() => { renewing = false })
  }, Math.max(10, Math.floor(leaseMs / 3)))
  timer.unref()
  return state
}

function replay<T> (outcome: RecordedOutcome): T {
  if (outcome.ok) return outcome.value as T
  throw errorFromRecord(outcome.error)
}

// Port: Idempotency-Key records, so a retried charge or payment moves money once.

export type RecordedOutcome =
  | { ok: true, value: unknown }
  | { ok: false, error: { status: number, code: string, message: string, extensions?: Record<string, unknown> } }

/**
 * One key's record. While PENDING it belongs to `owner` (a random fencing token of the request running it),
 * who renews `leaseUntil` while alive; a record whose lease ran out may be taken over, which changes the
 * owner, so the request that lost it can never record an outcome or move money under the key.
 */
export interface IdempotencyRecord {
  requestHash: string
  state: 'PENDING' | 'DONE'
  outcome: RecordedOutcome | null
  owner: string
  leaseUntil: number
  createdAt: number
}

export interface IdempotencyClaim { scope: string, key: string, requestHash: string, owner: string, createdAt: number, leaseUntil: number }

export interface IdempotencyStore {
  /** Inserts a PENDING record owned by `claim.owner`; false when the key already exists. */
  claim (claim: IdempotencyClaim): Promise<boolean>
  find (scope: string, key: string): Promise<IdempotencyRecord | null>
  /**
   * Extends the lease of a PENDING record `owner` still owns; false when it does not (taken over, or done).
   * Inside a transaction this also locks the record until the transaction ends, so nobody can take it over meanwhile.
   */
  renew (scope: string, key: string, owner: string, leaseUntil: number): Promise<boolean>
  /** Gives a PENDING record whose lease ran out (at `now`) while `staleOwner` held it to `owner`; false if it is not so any more. */
  takeOver (scope: string, key: string, staleOwner: string, owner: string, now: number, leaseUntil: number): Promise<boolean>
  /** PENDING → DONE with the outcome if `owner` still owns the record; false otherwise. Inside the transaction that moved the money when it succeeded. */
  complete (scope: string, key: string, owner: string, outcome: RecordedOutcome): Promise<boolean>
  /** Forgets the PENDING record of `owner` whose request failed without an outcome worth replaying (5xx). */
  release (scope: string, key: string, owner: string): Promise<void>
  /** Deletes records older than `before`; returns how many. */
  purge (before: number): Promise<number>
}

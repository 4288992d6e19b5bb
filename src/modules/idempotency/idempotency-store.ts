// Port: Idempotency-Key records, so a retried charge or payment moves money once.

export type RecordedOutcome =
  | { ok: true, value: unknown }
  | { ok: false, error: { status: number, code: string, message: string, extensions?: Record<string, unknown> } }

export interface IdempotencyRecord { requestHash: string, state: 'PENDING' | 'DONE', outcome: RecordedOutcome | null, createdAt: number }

export interface IdempotencyStore {
  /** Inserts a PENDING record; false when the key already exists. */
  claim (scope: string, key: string, requestHash: string, now: number): Promise<boolean>
  find (scope: string, key: string): Promise<IdempotencyRecord | null>
  /** Takes over a PENDING record left by a crashed request (created at `staleCreatedAt`); false if someone else did. */
  takeOver (scope: string, key: string, staleCreatedAt: number, now: number): Promise<boolean>
  /** PENDING → DONE with the outcome; inside the transaction that moved the money when it succeeded. */
  complete (scope: string, key: string, outcome: RecordedOutcome): Promise<void>
  /** Forgets a PENDING record whose request failed without an outcome worth replaying (5xx). */
  release (scope: string, key: string): Promise<void>
  /** Deletes records older than `before`; returns how many. */
  purge (before: number): Promise<number>
}

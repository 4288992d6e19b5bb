// The fencing an Idempotency-Key hands to the one write that moves its money (see runIdempotent).

/**
 * The write's first statement renews `owner`'s lease on the PENDING record (to `leaseUntil`), which fails when
 * the owner lost the key and, on MySQL, locks the record until commit so nobody can take it over; the write
 * records its own result as the key's outcome (PENDING → DONE) in the same transaction as the money.
 */
export interface Fence { scope: string, key: string, owner: string, leaseUntil: number }

/** Thrown by a fenced write whose owner no longer owns the key: nothing was written. */
export class KeyLostError extends Error {
  constructor () { super('this request no longer owns its Idempotency-Key') }
}

/** Runs one write, fenced when the request carries an Idempotency-Key (then at most once per key). */
export type Fenced = <T>(write: (fence: Fence | null) => Promise<T>) => Promise<T>

/** No key: the write runs as is. */
export const unfenced: Fenced = write => write(null)

/** What a fenced write records as the key's outcome. */
export const recordedSuccess = (value: unknown): string => JSON.stringify({ ok: true, value })

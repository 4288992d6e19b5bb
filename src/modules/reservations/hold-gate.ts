// Port: a fast, shared pre-check in front of the SQL hold. It may only turn requests away early; SQL decides.

/** Seats of one show (the concert names the shared store's partition: all of one concert's keys sit together). */
export interface GateSeats { concertId: number, showId: number, seatNos: readonly number[] }

/** An attempt let through (`ticket` names its in-flight marks), or turned away because these seats are held. */
export type GateEntry = { entered: true, ticket: string } | { entered: false, held: number[] }

export interface HoldGate {
  /**
   * Lets an attempt at the seats through unless one of them is held by a committed hold that has not lapsed:
   * then `held` names those. Another attempt still in flight on a seat is never a refusal: the gate waits
   * briefly for its outcome, then lets this one through to SQL. All seats are checked and marked in one step.
   * Fails open (entered) if the gate's store is down.
   */
  enter (seats: GateSeats, now: number): Promise<GateEntry>
  /** The SQL hold committed: the seats stay shut until `heldUntil`. */
  held (seats: GateSeats, heldUntil: number): Promise<void>
  /** The attempt failed, whatever the reason: lift its own in-flight marks (others' marks and holds stay). */
  abandon (seats: GateSeats, ticket: string): Promise<void>
  /** The seats are free again (cancelled, refunded): open them. */
  release (seats: GateSeats): Promise<void>
}

/** No gate: every request goes to SQL (the embedded mode, where SQL is in-process anyway). */
export const openGate: HoldGate = {
  enter: async () => ({ entered: true, ticket: '' }),
  held: async () => {},
  abandon: async () => {},
  release: async () => {}
}

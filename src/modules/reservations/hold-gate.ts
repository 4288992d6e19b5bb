// Port: a fast, shared pre-check in front of the SQL hold. It may only turn requests away early; SQL decides.

export interface HoldGate {
  /** False when another request holds or is taking this seat right now. Fails open (true) if the gate's store is down. */
  tryEnter (showId: number, seatNo: number, now: number): Promise<boolean>
  /** The SQL hold succeeded: keep the gate closed until the hold lapses. */
  held (showId: number, seatNo: number, heldUntil: number): Promise<void>
  /** The seat is free again (hold failed, cancelled): open the gate. */
  release (showId: number, seatNo: number): Promise<void>
}

/** No gate: every request goes to SQL (the embedded mode, where SQL is in-process anyway). */
export const openGate: HoldGate = {
  tryEnter: async () => true,
  held: async () => {},
  release: async () => {}
}

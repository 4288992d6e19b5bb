// Port: how many seats of a concert are still to be had, for the sold-out state of its waiting room.

export interface SeatSupply {
  /**
   * Over the concert's shows that have not started by `now`: seats still for sale (AVAILABLE, not under a
   * live hold) and seats under a live hold (they may come back). May be a second or so old unless `fresh`
   * (right after a change made here).
   */
  forSale (concertId: number, now: number, fresh?: boolean): Promise<{ available: number, held: number }>
}

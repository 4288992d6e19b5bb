// How an arena fan picks seats on a section's map: blocks of adjacent AVAILABLE seats in one row, and, on a
// show with the no-single-seat-gaps rule, only blocks that leave no lone seat beside them.

export interface MapSeat { seatNo: number, row: string, status: string }

/** The rows of a section's map in seat order (one admin range = one row, so a row's seats are contiguous). */
export function rowsOf (seats: MapSeat[]): MapSeat[][] {
  const rows = new Map<string, MapSeat[]>()
  for (const s of seats) {
    let r = rows.get(s.row)
    if (!r) { r = []; rows.set(s.row, r) }
    r.push(s)
  }
  return [...rows.values()].map(r => r.sort((a, b) => a.seatNo - b.seatNo))
}

/**
 * Every block of `q` AVAILABLE seats side by side in one row, as seat numbers. With `noGaps`, a block that would
 * leave a lone AVAILABLE seat next to it (its other neighbour taken, or the row's end) is left out, as the
 * service would refuse it (409 SINGLE_SEAT_GAP).
 */
export function blocksOf (seats: MapSeat[], q: number, noGaps: boolean): number[][] {
  const out: number[][] = []
  for (const row of rowsOf(seats)) {
    const free = row.map(s => s.status === 'AVAILABLE')
    const n = row.length
    let run = 0 // AVAILABLE seats ending at i
    for (let i = 0; i < n; i++) {
      run = free[i] ? run + 1 : 0
      if (run < q) continue
      const start = i - q + 1
      if (noGaps) {
        const loneBefore = start - 1 >= 0 && free[start - 1] && (start - 2 < 0 || !free[start - 2])
        const loneAfter = i + 1 < n && free[i + 1] && (i + 2 >= n || !free[i + 2])
        if (loneBefore || loneAfter) continue
      }
      out.push(row.slice(start, i + 1).map(s => s.seatNo))
    }
  }
  return out
}

// Concerts, shows (a concert on one date), the venue layout (sections, rows, seats) and the rule for a seat's visible state.

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD'

/** `salesOpenAt` (ms) is when the waiting room opens its draw; null for a concert sold first come, first served. */
export interface Concert { id: number, title: string, venue: string, dates: string[], salesOpenAt: number | null }
export interface Show { id: number, concertId: number, date: string, startsAt: number }
export interface ShowAvailability extends Show { concertTitle: string, totalSeats: number, availableSeats: number }
/** A seat as a fan sees it: where it is, what it costs and whether it can be bought now. */
export interface Seat { seatNo: number, section: string, row: string, grade: string, price: number, status: SeatStatus }
/** A seat row as stored: `status` HELD with a past `heldUntil` still needs visibleSeatStatus. */
export interface SeatState { seatNo: number, grade: string, price: number, status: string, heldUntil: number | null }
/** One admin seat range is one row; `section` defaults to the grade and `row` to the range's position in its section. */
export interface SeatRange { from: number, to: number, grade: string, price: number, section?: string, row?: string }
export interface NewShow { date: string, startsAt: number, noSingleSeatGaps?: boolean, seats: SeatRange[] }
export interface NewConcert { title: string, venue: string, salesOpenAt?: number | null, shows: NewShow[] }
/** `revenue` is net of refunds; `refunds` counts refunded orders and `refunded` their amount. */
export interface ShowSales { showId: number, date: string, startsAt: number, totalSeats: number, sold: number, held: number, available: number, revenue: number, refunds: number, refunded: number }

/** What never changes about a seat once its show exists. */
export interface SeatInfo { seatNo: number, section: string, row: string, grade: string, price: number }

/**
 * A show's seats as the venue lays them out: sections nearest the stage first, rows in the admin's order,
 * each row's `seatNos` in seat order (neighbours in that list sit side by side). Immutable after creation.
 */
export interface VenueLayout {
  showId: number
  concertId: number
  noSingleSeatGaps: boolean
  sections: Array<{ section: string, rows: Array<{ row: string, seatNos: number[] }> }>
  seat (seatNo: number): SeatInfo | undefined
}

/** A hold whose time has passed is AVAILABLE, whether or not a sweeper has tidied the row yet. */
export function visibleSeatStatus (status: string, heldUntil: number | null, now: number): SeatStatus {
  if (status === 'SOLD') return 'SOLD'
  if (status === 'HELD' && heldUntil !== null && heldUntil > now) return 'HELD'
  return 'AVAILABLE'
}

/** The visible seats of a layout from its stored states, in seat-number order (seats the layout lacks are left out). */
export function visibleSeats (layout: VenueLayout, states: SeatState[], now: number): Seat[] {
  const seats: Seat[] = []
  for (const s of states) {
    const info = layout.seat(s.seatNo)
    if (info) seats.push({ ...info, status: visibleSeatStatus(s.status, s.heldUntil, now) })
  }
  return seats
}

/** A stored seat of a layout: its place (section and row label, `rowNo` = the row's index in the admin's order). */
export interface LayoutSeat extends SeatInfo { rowNo: number }

/** Builds the layout from its seats (any order): rows by `rowNo`, sections by their first row. */
export function buildLayout (show: { showId: number, concertId: number, noSingleSeatGaps: boolean }, seats: LayoutSeat[]): VenueLayout {
  const ordered = [...seats].sort((a, b) => a.rowNo - b.rowNo || a.seatNo - b.seatNo)
  const bySeat = new Map<number, SeatInfo>()
  const sections: VenueLayout['sections'] = []
  const sectionByName = new Map<string, VenueLayout['sections'][number]>()
  let row: { row: string, seatNos: number[] } | undefined
  let rowNo = -1
  for (const s of ordered) {
    bySeat.set(s.seatNo, { seatNo: s.seatNo, section: s.section, row: s.row, grade: s.grade, price: s.price })
    if (s.rowNo !== rowNo || !row) {
      rowNo = s.rowNo
      let section = sectionByName.get(s.section)
      if (!section) {
        section = { section: s.section, rows: [] }
        sectionByName.set(s.section, section)
        sections.push(section)
      }
      row = { row: s.row, seatNos: [] }
      section.rows.push(row)
    }
    row.seatNos.push(s.seatNo)
  }
  return { ...show, sections, seat: seatNo => bySeat.get(seatNo) }
}

/**
 * Where each range of a show goes: section (default the grade) and row label (default the range's 1-based
 * position within its section). Ranges keep the admin's order, which is the rows' order.
 */
export function placeRanges (ranges: SeatRange[]): Array<SeatRange & { section: string, row: string, rowNo: number }> {
  const rowsInSection = new Map<string, number>()
  return ranges.map((r, rowNo) => {
    const section = r.section ?? r.grade
    const position = (rowsInSection.get(section) ?? 0) + 1
    rowsInSection.set(section, position)
    return { ...r, section, row: r.row ?? String(position), rowNo }
  })
}

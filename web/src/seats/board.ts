// What the seat map knows: each seat's state, which seats are the fan's own (held or bought), and the fan's selection.

import { seatNosOf, serverNow, type Reservation, type Seat, type SeatStatus } from '../api'

/** What a seat looks like to this fan: the server's state, or their own hold (MINE) or bought seat (OWNED). */
export type Shown = SeatStatus | 'MINE' | 'OWNED'

export interface SeatBoard {
  /** In map order (seat number order, as the server sends them). */
  readonly seats: Seat[]
  seat (seatNo: number): Seat | undefined
  shown (seatNo: number): Shown
  /** The fan's live hold that covers seatNo, if any. */
  holdOf (seatNo: number): Reservation | undefined
  /** The fan's live holds on this show, each once. */
  holds (): Reservation[]
  /** Applies a seat's new state; false when it is not a seat of this map or nothing changed. */
  set (seatNo: number, status: SeatStatus): boolean
  counts (): { available: number, held: number, sold: number }
}

/** A board for one show from its seats and the fan's reservations (only those of this concert and date count). */
export function createBoard (seats: Seat[], mine: Reservation[], show: { concertId: string, date: string }): SeatBoard {
  const bySeat = new Map(seats.map(s => [s.seatNo, s]))
  const status = new Map<number, SeatStatus>(seats.map(s => [s.seatNo, s.status]))
  const holds = new Map<number, Reservation>()
  const owned = new Set<number>()
  for (const r of mine) {
    if (r.concertId !== show.concertId || r.date !== show.date) continue
    if (r.status === 'HELD' && Date.parse(r.heldUntil) > serverNow()) for (const no of seatNosOf(r)) holds.set(no, r)
    if (r.status === 'CONFIRMED') for (const no of seatNosOf(r)) owned.add(no)
  }
  return {
    seats,
    seat: no => bySeat.get(no),
    shown (no) {
      const s = status.get(no) ?? 'SOLD'
      if (s === 'HELD' && holds.has(no)) return 'MINE'
      if (s === 'SOLD' && owned.has(no)) return 'OWNED'
      return s
    },
    holdOf: no => holds.get(no),
    holds: () => [...new Set(holds.values())],
    set (no, next) {
      if (!status.has(no) || status.get(no) === next) return false
      status.set(no, next)
      // A seat of our hold that is no longer held was paid (only we can pay our hold: now it is ours), lapsed or cancelled.
      if (next !== 'HELD' && holds.delete(no) && next === 'SOLD') owned.add(no)
      if (next === 'AVAILABLE') owned.delete(no)
      return true
    },
    counts () {
      let available = 0; let held = 0; let sold = 0
      for (const s of status.values()) { if (s === 'AVAILABLE') available++; else if (s === 'HELD') held++; else sold++ }
      return { available, held, sold }
    }
  }
}

/** The seats a fan has picked but not held yet: up to `limit`; with a limit of one, a new pick replaces the old. */
export interface Selection {
  readonly limit: number
  has (seatNo: number): boolean
  /** The picked seats in seat order. */
  list (): number[]
  /** Adds or removes seatNo; 'full' when adding would pass the limit (nothing changes then). */
  toggle (seatNo: number): 'added' | 'removed' | 'full'
  remove (seatNo: number): boolean
  clear (): void
}

export function createSelection (limit: number): Selection {
  const picked: number[] = []
  return {
    limit,
    has: no => picked.includes(no),
    list: () => [...picked].sort((a, b) => a - b),
    toggle (no) {
      const at = picked.indexOf(no)
      if (at >= 0) { picked.splice(at, 1); return 'removed' }
      if (limit === 1) picked.length = 0
      else if (picked.length >= limit) return 'full'
      picked.push(no)
      return 'added'
    },
    remove (no) {
      const at = picked.indexOf(no)
      if (at < 0) return false
      picked.splice(at, 1)
      return true
    },
    clear () { picked.length = 0 }
  }
}

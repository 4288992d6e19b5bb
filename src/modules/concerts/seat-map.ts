// A show's seat states in memory, kept current by seat events and repaired from SQL snapshots; rows, sections and the show count their changes.

import type { SeatState, SeatStatus, VenueLayout } from './concert.js'

const AVAILABLE = 0
const HELD = 1
const SOLD = 2
type Code = typeof AVAILABLE | typeof HELD | typeof SOLD

const CODES: Record<string, Code> = { AVAILABLE, HELD, SOLD }
export const STATUS_OF: readonly SeatStatus[] = ['AVAILABLE', 'HELD', 'SOLD']

/** A held seat whose lapse time is unknown shows HELD until SQL tells (the periodic check repairs it). */
const UNKNOWN_LAPSE = Number.POSITIVE_INFINITY

/** One row (one admin seat range): its seats in seat order and their stored states. */
export interface SeatMapRow {
  /** Index of the row's section in `SeatMap.sections`. */
  section: number
  label: string
  seatNos: readonly number[]
  /** Stored status codes (AVAILABLE 0, HELD 1, SOLD 2); a HELD seat past its heldUntil is visibly AVAILABLE. */
  status: Uint8Array
  /** When each HELD seat's hold lapses (ms); 0 when not held. */
  heldUntil: Float64Array
  /** The show version of the latest change applied to each seat (from an event or a snapshot). */
  seatVersion: Float64Array
  /** Grows whenever a stored state of the row changes. */
  stamp: number
}

export interface SeatMapSection {
  name: string
  /** The section's rows in seat-number order. */
  rows: SeatMapRow[]
  /** Grows whenever a stored state in the section changes. */
  stamp: number
}

/**
 * Per section, what the periodic check compares with SQL (ConcertRepository.sectionFingerprints computes
 * the same sums there): counts and seat-number sums of SOLD and HELD seats, and the holds' lapse times.
 */
export interface SectionFingerprint { section: string, sold: number, held: number, soldSum: number, heldSum: number }

/** Lapse times enter the fingerprint modulo this prime, so the sums stay exact integers on every dialect. */
export const FINGERPRINT_MODULUS = 1_000_003

export interface SeatMap {
  readonly showId: number
  readonly layout: VenueLayout
  readonly sections: readonly SeatMapSection[]
  /** Every row in seat-number order (rows never overlap, so their seats in this order are all seats by number). */
  readonly rows: readonly SeatMapRow[]
  /** The highest show version this map reflects. */
  version: number
  /** Grows whenever any stored state changes. */
  stamp: number
  /**
   * Applies one seat's change unless that seat already reflects a later version. Returns false for a seat
   * the layout lacks or a stale change. A HELD change without heldUntil stays HELD until a repair.
   */
  apply (change: { seatNo: number, status: SeatStatus, heldUntil: number | null, version: number }): boolean
  /**
   * Takes stored states read from SQL after the show's version was `upTo` (every change up to it is in
   * them): seats changed by a later event keep that event's state. Returns how many seats changed.
   */
  repair (states: readonly SeatState[], upTo: number): number
  fingerprints (): SectionFingerprint[]
  /** The section's index by name, or -1. */
  sectionIndex (name: string): number
}

/** Builds a show's map from its layout and its stored seat states as of `version`. */
export function createSeatMap (layout: VenueLayout, states: readonly SeatState[], version: number): SeatMap {
  const sections: SeatMapSection[] = layout.sections.map(s => ({ name: s.section, rows: [], stamp: 0 }))
  const rows: SeatMapRow[] = []
  const where = new Map<number, { row: SeatMapRow, i: number }>()
  layout.sections.forEach((s, sectionIndex) => {
    for (const r of s.rows) {
      const n = r.seatNos.length
      const row: SeatMapRow = {
        section: sectionIndex, label: r.row, seatNos: r.seatNos,
        status: new Uint8Array(n), heldUntil: new Float64Array(n), seatVersion: new Float64Array(n).fill(version), stamp: 0
      }
      r.seatNos.forEach((seatNo, i) => where.set(seatNo, { row, i }))
      rows.push(row)
      sections[sectionIndex].rows.push(row)
    }
  })
  const firstSeat = (r: SeatMapRow): number => r.seatNos[0] ?? 0
  rows.sort((a, b) => firstSeat(a) - firstSeat(b))
  for (const s of sections) s.rows.sort((a, b) => firstSeat(a) - firstSeat(b))
  const byName = new Map(sections.map((s, i) => [s.name, i]))

  function set (row: SeatMapRow, i: number, code: Code, heldUntil: number): boolean {
    const lapse = code === HELD ? heldUntil : 0
    if (row.status[i] === code && row.heldUntil[i] === lapse) return false
    row.status[i] = code
    row.heldUntil[i] = lapse
    row.stamp++
    sections[row.section].stamp++
    map.stamp++
    return true
  }

  const map: SeatMap = {
    showId: layout.showId,
    layout,
    sections,
    rows,
    version,
    stamp: 0,
    apply (change) {
      const at = where.get(change.seatNo)
      if (!at || change.version < at.row.seatVersion[at.i]) return false
      at.row.seatVersion[at.i] = change.version
      if (change.version > map.version) map.version = change.version
      set(at.row, at.i, CODES[change.status], change.heldUntil ?? UNKNOWN_LAPSE)
      return true
    },
    repair (snapshot, upTo) {
      let changed = 0
      for (const s of snapshot) {
        const at = where.get(s.seatNo)
        if (!at || at.row.seatVersion[at.i] > upTo) continue
        at.row.seatVersion[at.i] = upTo
        if (set(at.row, at.i, CODES[s.status] ?? AVAILABLE, s.heldUntil ?? 0)) changed++
      }
      if (upTo > map.version) map.version = upTo
      return changed
    },
    fingerprints () {
      return sections.map((section) => {
        const f: SectionFingerprint = { section: section.name, sold: 0, held: 0, soldSum: 0, heldSum: 0 }
        for (const row of section.rows) {
          for (let i = 0; i < row.seatNos.length; i++) {
            if (row.status[i] === SOLD) { f.sold++; f.soldSum += row.seatNos[i] }
            if (row.status[i] === HELD) {
              f.held++
              // An unknown lapse time never matches SQL's: the check then reads the section.
              f.heldSum += row.seatNos[i] * 7 + (row.heldUntil[i] === UNKNOWN_LAPSE ? -1 : row.heldUntil[i] % FINGERPRINT_MODULUS)
            }
          }
        }
        return f
      })
    },
    sectionIndex: name => byName.get(name) ?? -1
  }
  map.repair(states, version)
  map.stamp = 0
  for (const r of rows) r.stamp = 0
  for (const s of sections) s.stamp = 0
  return map
}

/** The seat's visible status code at `now`: a hold past its time is AVAILABLE. */
export function visibleCode (row: SeatMapRow, i: number, now: number): Code {
  const code = row.status[i] as Code
  return code === HELD && row.heldUntil[i] <= now ? AVAILABLE : code
}

export const VISIBLE = { AVAILABLE, HELD, SOLD } as const

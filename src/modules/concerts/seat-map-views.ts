// Ready-to-send JSON bodies of a seat map (a section, the whole show, the sections summary), rebuilt only where a seat changed or a hold lapsed.

import { STATUS_OF, VISIBLE, visibleCode, type SeatMap, type SeatMapRow } from './seat-map.js'

/**
 * A response body as bytes with its entity tag. The tag is a hash of the seats' visible states (not of
 * `version`), so it is the same on every instance that shows the same seats, and a client whose copy
 * differs only by `version` still gets 304; hence it is weak.
 */
export interface SeatMapBody { version: number, etag: string, body: Buffer }

/** One row's seats as JSON objects (no brackets), valid while the row is unchanged and until its next lapse. */
interface Fragment { stamp: number, builtAt: number, validUntil: number, json: Buffer, hash: number, available: number }

/** A built body and when it stops being current. */
interface Built { stamp: number, version: number, builtAt: number, validUntil: number, view: SeatMapBody }

export interface SeatMapViews {
  /** The seats of one section, or of the whole show without `section`; null for a section the show lacks. */
  seats (now: number, section?: string): SeatMapBody | null
  /** Every section with its grades, price range and seat counts, nearest the stage first. */
  sections (now: number): SeatMapBody
}

const COMMA = Buffer.from(',')
const CLOSE = Buffer.from(']}')
const TWO_32 = 4294967296

/**
 * A 53-bit hash of 32-bit integers (cyrb53's mixing). Not cryptographic: it tells seat maps apart for ETags,
 * where MD5 over the JSON was most of a rebuild's cost; a collision would cost one stale copy until the next change.
 */
function hash53 (values: ArrayLike<number>, seed: number): number {
  let h1 = 0xdeadbeef ^ seed
  let h2 = 0x41c6ce57 ^ seed
  for (let i = 0; i < values.length; i++) {
    h1 = Math.imul(h1 ^ values[i], 2654435761)
    h2 = Math.imul(h2 ^ values[i], 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return TWO_32 * (2097151 & h2) + (h1 >>> 0)
}

/** The tag of a body made of parts with these hashes, in this order. */
function tagOf (showId: number, hashes: readonly number[]): string {
  const words = new Uint32Array(hashes.length * 2)
  hashes.forEach((h, i) => { words[2 * i] = h % TWO_32; words[2 * i + 1] = Math.floor(h / TWO_32) })
  return `W/"${hash53(words, showId).toString(36)}.${hash53(words, ~showId).toString(36)}"`
}

/** Bodies for one show; `head` names the concert and date every body starts with. */
export function createSeatMapViews (map: SeatMap, head: { concertId: number, date: string }): SeatMapViews {
  const prefix = `{"concertId":${JSON.stringify(String(head.concertId))},"date":${JSON.stringify(head.date)},"version":`
  // The constant part of each seat's JSON after its number; one string per distinct place, grade and price.
  const tails = new Map<SeatMapRow, string[]>()
  const shared = new Map<string, string>()
  for (const row of map.rows) {
    tails.set(row, row.seatNos.map((seatNo) => {
      const info = map.layout.seat(seatNo)
      const tail = `,"section":${JSON.stringify(info?.section ?? '')},"row":${JSON.stringify(info?.row ?? row.label)},"grade":${JSON.stringify(info?.grade ?? '')},"price":${info?.price ?? 0},"status":"`
      let same = shared.get(tail)
      if (!same) { same = tail; shared.set(tail, tail) }
      return same
    }))
  }
  // What never changes about a section: its grades in order of appearance, price range and size.
  const fixed = map.sections.map((section) => {
    const grades: string[] = []
    let priceMin = Number.POSITIVE_INFINITY
    let priceMax = 0
    let totalSeats = 0
    for (const row of section.rows) {
      for (const seatNo of row.seatNos) {
        const info = map.layout.seat(seatNo)
        if (!info) continue
        totalSeats++
        if (!grades.includes(info.grade)) grades.push(info.grade)
        priceMin = Math.min(priceMin, info.price)
        priceMax = Math.max(priceMax, info.price)
      }
    }
    return { section: section.name, grades, priceMin: totalSeats === 0 ? 0 : priceMin, priceMax, totalSeats }
  })
  const fragments = new Map<SeatMapRow, Fragment>()
  const sectionBodies = new Map<number, Built>()
  let whole: Built | undefined
  let summary: Built | undefined

  function fragment (row: SeatMapRow, now: number): Fragment {
    const f = fragments.get(row)
    if (f && f.stamp === row.stamp && f.builtAt <= now && now < f.validUntil) return f
    const tail = tails.get(row) ?? []
    let json = ''
    let validUntil = Number.POSITIVE_INFINITY
    let available = 0
    const codes = new Uint8Array(row.seatNos.length)
    for (let i = 0; i < row.seatNos.length; i++) {
      const code = visibleCode(row, i, now)
      codes[i] = code
      if (code === VISIBLE.HELD && row.heldUntil[i] < validUntil) validUntil = row.heldUntil[i]
      if (code === VISIBLE.AVAILABLE) available++
      json += `${i === 0 ? '' : ','}{"seatNo":${row.seatNos[i]}${tail[i]}${STATUS_OF[code]}"}`
    }
    // The row's JSON follows from the (fixed) layout and the visible codes alone: the codes are its hash's input.
    const built: Fragment = { stamp: row.stamp, builtAt: now, validUntil, json: Buffer.from(json), hash: hash53(codes, row.seatNos[0] ?? 0), available }
    fragments.set(row, built)
    return built
  }

  const current = (b: Built | undefined, stamp: number, now: number): b is Built =>
    b !== undefined && b.stamp === stamp && b.version === map.version && b.builtAt <= now && now < b.validUntil

  /** The body of `rows` (in seat order) as of `now`. */
  function build (rows: readonly SeatMapRow[], stamp: number, now: number): Built {
    const parts: Buffer[] = [Buffer.from(`${prefix}${map.version},"seats":[`)]
    const hashes: number[] = []
    let validUntil = Number.POSITIVE_INFINITY
    let first = true
    for (const row of rows) {
      const f = fragment(row, now)
      if (f.json.length > 0) {
        if (!first) parts.push(COMMA)
        parts.push(f.json)
        first = false
      }
      hashes.push(f.hash)
      if (f.validUntil < validUntil) validUntil = f.validUntil
    }
    parts.push(CLOSE)
    return { stamp, version: map.version, builtAt: now, validUntil, view: { version: map.version, etag: tagOf(map.showId, hashes), body: Buffer.concat(parts) } }
  }

  return {
    seats (now, section) {
      if (section === undefined) {
        if (!current(whole, map.stamp, now)) whole = build(map.rows, map.stamp, now)
        return whole.view
      }
      const index = map.sectionIndex(section)
      if (index < 0) return null
      const s = map.sections[index]
      let built = sectionBodies.get(index)
      if (!current(built, s.stamp, now)) {
        built = build(s.rows, s.stamp, now)
        sectionBodies.set(index, built)
      }
      return built.view
    },
    sections (now) {
      if (current(summary, map.stamp, now)) return summary.view
      let validUntil = Number.POSITIVE_INFINITY
      const counts: number[] = []
      const list = map.sections.map((s, index) => {
        let availableSeats = 0
        for (const row of s.rows) {
          const f = fragment(row, now)
          if (f.validUntil < validUntil) validUntil = f.validUntil
          availableSeats += f.available
        }
        counts.push(availableSeats)
        return { ...fixed[index], availableSeats }
      })
      const body = Buffer.from(`${prefix}${map.version},"sections":${JSON.stringify(list)}}`)
      // Everything else in the summary is fixed: the counts are what can differ.
      summary = { stamp: map.stamp, version: map.version, builtAt: now, validUntil, view: { version: map.version, etag: tagOf(map.showId, counts), body } }
      return summary.view
    }
  }
}

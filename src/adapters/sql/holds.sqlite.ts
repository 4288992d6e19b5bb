// HoldStore on SQLite: each hold is one synchronous transaction of prepared statements (the embedded mode).

import type { BestSeats, HoldOutcome, HoldStore, HoldTerms } from '../../modules/reservations/hold-store.js'
import { eventData, type Reservation } from '../../modules/reservations/reservation.js'
import type { SyncSqlite } from './database.js'

const FREE = "(status = 'AVAILABLE' OR (status = 'HELD' AND held_until <= @now))"

/**
 * SQLite runs one transaction at a time on the one connection, and these never await: a hold reads the seats
 * and writes them with nothing in between, so what it read is what it claims (no row locks needed).
 */
export function createSqliteHoldStore (sqlite: SyncSqlite): HoldStore {
  const ensureUser = sqlite.prepare('INSERT OR IGNORE INTO users (id, balance, created_at, updated_at) VALUES (@userId, 0, @now, @now)')
  // Plans are spelled out: without statistics SQLite would count every live hold of everyone (the status index)
  // and scan every seat of the show for a few seat numbers.
  const heldSeats = sqlite.prepare(`SELECT COALESCE(SUM(seat_count), 0) AS n FROM reservations INDEXED BY reservations_user_show
    WHERE user_id = @userId AND show_id = @showId AND status = 'HELD' AND held_until > @now`)
  const seatsOf = sqlite.prepare(`SELECT s.seat_no AS seatNo, ${FREE.replaceAll('status', 's.status').replaceAll('held_until', 's.held_until')} AS free
    FROM json_each(@seatNos) j CROSS JOIN seats s ON s.show_id = @showId AND s.seat_no = j.value`)
  const freeSeatsIn = sqlite.prepare(`SELECT seat_no AS seatNo FROM seats INDEXED BY seats_show_section
    WHERE show_id = @showId AND section = @section AND ${FREE}`).pluck()
  const insertReservation = sqlite.prepare(`INSERT INTO reservations (user_id, concert_id, show_id, show_date, seat_no, seat_count, price, status, held_until, created_at, paid_at)
    VALUES (@userId, @concertId, @showId, @date, @seatNo, @count, @price, 'HELD', @heldUntil, @now, NULL)`)
  const insertSeat = sqlite.prepare('INSERT INTO reservation_seats (reservation_id, seat_no, show_id) VALUES (@id, @seatNo, @showId)')
  const holdSeat = sqlite.prepare(`UPDATE seats SET status = 'HELD', held_until = @heldUntil, user_id = @userId, reservation_id = @id
    WHERE show_id = @showId AND seat_no = @seatNo AND ${FREE}`)
  const addEvent = sqlite.prepare("INSERT INTO outbox (type, show_id, occurred_at, data, published_at) VALUES ('reservation.held', @showId, @now, @data, NULL)")

  /** Which of the seats are free now (a seat that does not exist is not). */
  function freeOf (showId: number, seatNos: readonly number[], now: number): Set<number> {
    const rows = seatsOf.all({ seatNos: JSON.stringify(seatNos), showId, now }) as Array<{ seatNo: number, free: number }>
    return new Set(rows.filter(r => r.free === 1).map(r => r.seatNo))
  }

  /** The user has room for `n` more seats of the show (their row is created first if need be). */
  function roomFor (t: HoldTerms, n: number): boolean {
    ensureUser.run({ userId: t.userId, now: t.now })
    return Number((heldSeats.get(t) as { n: number }).n) + n <= t.max
  }

  /** Writes the hold of seats known to be free. */
  function write (t: HoldTerms, seatNos: number[], price: number): Reservation {
    const id = Number(insertReservation.run({ ...t, seatNo: seatNos[0], count: seatNos.length, price }).lastInsertRowid)
    for (const seatNo of seatNos) {
      insertSeat.run({ id, seatNo, showId: t.showId })
      if (holdSeat.run({ ...t, id, seatNo }).changes !== 1) throw new Error(`seat ${seatNo} was free a moment ago inside the same transaction`)
    }
    const r: Reservation = {
      id, userId: t.userId, concertId: t.concertId, showId: t.showId, date: t.date, seatNo: seatNos[0], seatNos: [...seatNos], price,
      status: 'HELD', heldUntil: t.heldUntil, createdAt: t.now, paidAt: null, refundedAt: null
    }
    addEvent.run({ showId: t.showId, now: t.now, data: JSON.stringify(eventData(r)) })
    return r
  }

  return {
    holdChosen: order => sqlite.transaction((): HoldOutcome => {
      if (!roomFor(order, order.seatNos.length)) return { refused: 'HOLD_LIMIT_REACHED' }
      const rule = order.gapRule
      const free = freeOf(order.showId, rule ? rule.rowSeatNos : order.seatNos, order.now)
      const taken = order.seatNos.filter(n => !free.has(n))
      if (taken.length > 0) return { refused: 'SEAT_UNAVAILABLE', seatNos: taken }
      const gaps = rule ? rule.gapsLeft(n => free.has(n)) : []
      if (gaps.length > 0) return { refused: 'SINGLE_SEAT_GAP', seatNos: gaps }
      return { held: write(order, order.seatNos, order.price) }
    }),
    holdBest: (order: BestSeats) => sqlite.transaction((): HoldOutcome => {
      // No show lock is needed: nothing else runs until this transaction ends.
      if (!roomFor(order, order.quantity)) return { refused: 'HOLD_LIMIT_REACHED' }
      // Read section by section, as the pick reaches them (nearest the stage first): a show of 15,000 seats
      // costs the few hundred rows of the sections it looks at, not all of them.
      const free = new Set<number>()
      const read = new Set<string>()
      const isFree = (seatNo: number): boolean => {
        const section = order.sectionOf(seatNo)
        if (section === undefined || (order.section !== undefined && section !== order.section)) return false
        if (!read.has(section)) {
          read.add(section)
          for (const n of freeSeatsIn.all({ showId: order.showId, section, now: order.now }) as number[]) free.add(n)
        }
        return free.has(seatNo)
      }
      const block = order.pick(isFree)
      if (!block) return { refused: 'NO_BLOCK' }
      const claimable = freeOf(order.showId, block.seatNos, order.now)
      if (!block.seatNos.every(n => claimable.has(n))) return { refused: 'LOST_RACE' }
      return { held: write(order, block.seatNos, block.price) }
    })
  }
}

// HoldStore on MySQL/MariaDB: each hold is one or two stored procedure calls (migration 0008).

import type { BestSeats, ChosenSeats, HoldOutcome, HoldStore, HoldTerms } from '../../modules/reservations/hold-store.js'
import type { Reservation } from '../../modules/reservations/reservation.js'
import type { MysqlCalls, ResultSets } from './database.js'

type Row = Record<string, unknown>

/** Seats as hold_begin returns them, free at `now` (AVAILABLE, or HELD with a past held_until). */
const freeSeatsOf = (rows: Row[] | undefined, now: number): Set<number> =>
  new Set((rows ?? []).filter(r => r.status === 'AVAILABLE' || (r.status === 'HELD' && Number(r.held_until ?? 0) <= now)).map(r => Number(r.seat_no)))

const reservationOf = (t: HoldTerms, id: number, seatNos: number[], price: number): Reservation => ({
  id, userId: t.userId, concertId: t.concertId, showId: t.showId, date: t.date, seatNo: seatNos[0], seatNos: [...seatNos], price,
  status: 'HELD', heldUntil: t.heldUntil, createdAt: t.now, paidAt: null, refundedAt: null
})

/**
 * A chosen-seat hold is one call of hold_seats (the limit, the reservation, the conditional seat updates and
 * the event, one transaction). Where the service must decide between reading and writing — the gap rule over
 * the rows as locked, or a best-available pick under the show's lock — hold_begin opens the transaction and
 * returns the seats, and hold_seats finishes it on the same connection: two round trips.
 */
export function createMysqlHoldStore (mysql: MysqlCalls): HoldStore {
  const holdSeats = (call: MysqlCalls['call'], begun: boolean, t: HoldTerms, seatNos: number[], price: number, check: { rows: number[], free: number[] } | null): Promise<ResultSets> =>
    call('hold_seats', [begun ? 1 : 0, t.userId, t.concertId, t.showId, t.date, JSON.stringify(seatNos), price, t.heldUntil, t.now, t.max,
      check ? JSON.stringify(check.rows) : null, check ? JSON.stringify(check.free) : null])

  /** hold_seats' answer for a chosen-seat hold. */
  function answer (row: Row | undefined, t: HoldTerms, seatNos: number[], price: number): HoldOutcome {
    switch (row?.outcome) {
      case 'HELD': return { held: reservationOf(t, Number(row.reservation_id), seatNos, price) }
      case 'HOLD_LIMIT_REACHED': return { refused: 'HOLD_LIMIT_REACHED' }
      case 'SEAT_UNAVAILABLE': return { refused: 'SEAT_UNAVAILABLE', seatNos: JSON.parse(String(row.seat_nos ?? '[]')) as number[] }
      default: throw new Error(`hold_seats answered ${String(row?.outcome)}`)
    }
  }

  return {
    async holdChosen (o: ChosenSeats) {
      const rule = o.gapRule
      if (!rule) {
        const [rows] = await holdSeats(mysql.call, false, o, o.seatNos, o.price, null)
        return answer(rows?.[0], o, o.seatNos, o.price)
      }
      return mysql.session(async (s) => {
        const [head, seats] = await s.call('hold_begin', [o.userId, o.showId, o.seatNos.length, o.max, o.now, JSON.stringify(rule.rowSeatNos), null])
        if (head?.[0]?.outcome !== 'OK') return { refused: 'HOLD_LIMIT_REACHED' } // rolled back already
        // The rows' seats are locked until this transaction ends: the rule holds until commit.
        const free = freeSeatsOf(seats, o.now)
        const taken = o.seatNos.filter(n => !free.has(n))
        const gaps = taken.length > 0 ? [] : rule.gapsLeft(n => free.has(n))
        if (taken.length > 0 || gaps.length > 0) {
          await s.rollback()
          return taken.length > 0 ? { refused: 'SEAT_UNAVAILABLE', seatNos: taken } : { refused: 'SINGLE_SEAT_GAP', seatNos: gaps }
        }
        const [rows] = await holdSeats(s.call, true, o, o.seatNos, o.price, null)
        return answer(rows?.[0], o, o.seatNos, o.price)
      })
    },
    async holdBest (o: BestSeats) {
      return mysql.session(async (s) => {
        const [head] = await s.call('hold_begin', [o.userId, o.showId, o.quantity, o.max, o.now, null, o.section ?? null])
        if (head?.[0]?.outcome !== 'OK') return { refused: 'HOLD_LIMIT_REACHED' }
        const list = head[0].free_seats
        const free = new Set(typeof list === 'string' && list !== '' ? list.split(',').map(Number) : [])
        const block = o.pick(n => free.has(n))
        if (!block) {
          await s.rollback()
          return { refused: 'NO_BLOCK' }
        }
        // Chosen-seat holds do not take the show's lock: the block's rows must still be as read (hold_seats checks).
        const check = block.rowSeatNos.length > 0 ? { rows: block.rowSeatNos, free: block.rowSeatNos.filter(n => free.has(n)) } : null
        const [rows] = await holdSeats(s.call, true, o, block.seatNos, block.price, check)
        const row = rows?.[0]
        if (row?.outcome === 'HELD') return { held: reservationOf(o, Number(row.reservation_id), block.seatNos, block.price) }
        if (row?.outcome === 'SEAT_UNAVAILABLE' || row?.outcome === 'CHANGED') return { refused: 'LOST_RACE' }
        throw new Error(`hold_seats answered ${String(row?.outcome)}`)
      })
    }
  }
}

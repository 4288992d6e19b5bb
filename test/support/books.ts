// The books, read straight from MySQL: money charged, used and refunded against balances, and every sold seat sold once.

import type { Connection } from 'mysql2/promise'

export interface Books {
  charged: number
  used: number
  refunded: number
  balances: number
  /** SOLD seats not in exactly one CONFIRMED order with one payment that stands. */
  soldWithoutOneSale: number
  /** Payments whose order is not CONFIRMED (or, refunded, not REFUNDED). */
  paymentsNotConfirmed: number
  /** USE rows that do not match one payment (count and sum). */
  useRows: number
  payments: number
  paymentSum: number
  sold: number
  /** Seats HELD with a hold that has not lapsed yet. */
  liveHolds: number
}

export async function readBooks (conn: Connection, now = Date.now()): Promise<Books> {
  const one = async <T>(query: string, params: unknown[] = []): Promise<T> => ((await conn.query(query, params))[0] as T[])[0]
  const sums = await one<{ charged: number | null, used: number | null, refunded: number | null, useRows: number }>(
    `SELECT SUM(CASE WHEN type = 'CHARGE' THEN amount ELSE 0 END) AS charged,
            SUM(CASE WHEN type = 'USE' THEN amount ELSE 0 END) AS used,
            SUM(CASE WHEN type = 'REFUND' THEN amount ELSE 0 END) AS refunded,
            SUM(CASE WHEN type = 'USE' THEN 1 ELSE 0 END) AS useRows
       FROM point_history`)
  const balances = await one<{ total: number | null }>('SELECT SUM(balance) AS total FROM users')
  // A seat is in an order through reservation_seats (one order may hold several seats).
  const sold = await one<{ n: number, bad: number | null }>(
    `SELECT COUNT(*) AS n, SUM(CASE WHEN
              (SELECT COUNT(*) FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id
                WHERE rs.show_id = s.show_id AND rs.seat_no = s.seat_no AND r.status = 'CONFIRMED') = 1
          AND (SELECT COUNT(*) FROM reservations r WHERE r.id = s.reservation_id AND r.status = 'CONFIRMED') = 1
          AND (SELECT COUNT(*) FROM payments p WHERE p.reservation_id = s.reservation_id AND p.refunded_at IS NULL) = 1
        THEN 0 ELSE 1 END) AS bad
       FROM seats s WHERE s.status = 'SOLD'`)
  // A payment stands for a CONFIRMED order; a refunded one for a REFUNDED order.
  const payments = await one<{ n: number, total: number | null, bad: number | null }>(
    `SELECT COUNT(*) AS n, SUM(p.amount) AS total,
            SUM(CASE WHEN r.status = (CASE WHEN p.refunded_at IS NULL THEN 'CONFIRMED' ELSE 'REFUNDED' END) THEN 0 ELSE 1 END) AS bad
       FROM payments p LEFT JOIN reservations r ON r.id = p.reservation_id`)
  const held = await one<{ n: number }>("SELECT COUNT(*) AS n FROM seats WHERE status = 'HELD' AND held_until > ?", [now])
  return {
    charged: Number(sums.charged ?? 0),
    used: Number(sums.used ?? 0),
    refunded: Number(sums.refunded ?? 0),
    useRows: Number(sums.useRows ?? 0),
    balances: Number(balances.total ?? 0),
    soldWithoutOneSale: Number(sold.bad ?? 0),
    sold: Number(sold.n),
    paymentsNotConfirmed: Number(payments.bad ?? 0),
    payments: Number(payments.n),
    paymentSum: Number(payments.total ?? 0),
    liveHolds: Number(held.n)
  }
}

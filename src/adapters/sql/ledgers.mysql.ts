// PaymentLedger and PointLedger on MySQL/MariaDB: each write is one stored procedure call (migration 0008).

import { KeyLostError, type Fence } from '../../modules/idempotency/fence.js'
import type { PaymentLedger, SettledOrder } from '../../modules/payments/payment-ledger.js'
import type { PointLedger } from '../../modules/points/point-ledger.js'
import type { MysqlCalls } from './database.js'

type Row = Record<string, unknown>

/** The fence as the procedures take it: scope, key, owner, lease (all NULL: not fenced). */
const fenceArgs = (f: Fence | null): unknown[] => f ? [f.scope, f.key, f.owner, f.leaseUntil] : [null, null, null, null]

const seatNosOf = (row: Row): number[] => JSON.parse(String(row.seat_nos ?? '[]')) as number[]

/** Users this process knows have a row (rows are never deleted), so a charge skips the INSERT IGNORE. */
const KNOWN_USERS_MAX = 200_000

/**
 * The procedures pay_reservation, refund_reservation and charge_points are the whole of each write: they
 * answer with one row whose `outcome` says what happened (LOST: the fence's owner lost the key, nothing done).
 */
export function createMysqlLedgers (mysql: MysqlCalls): { payments: PaymentLedger, points: PointLedger } {
  const known = new Set<string>()
  async function first (name: string, args: unknown[]): Promise<Row> {
    const [rows] = await mysql.call(name, args)
    const row = rows?.[0]
    if (!row) throw new Error(`${name} gave no answer`)
    if (row.outcome === 'LOST') throw new KeyLostError()
    return row
  }
  const order = (row: Row, reservationId: number, userId: string): SettledOrder =>
    ({ reservationId, userId, concertId: Number(row.concert_id), showId: Number(row.show_id), seatNos: seatNosOf(row) })

  const payments: PaymentLedger = {
    async pay ({ userId, reservationId, now }, fence) {
      const row = await first('pay_reservation', [...fenceArgs(fence), userId, reservationId, now])
      switch (row.outcome) {
        case 'PAID': return {
          paid: { paymentId: Number(row.payment_id), reservationId, amount: Number(row.price), balance: Number(row.balance), status: 'CONFIRMED', paidAt: now },
          order: order(row, reservationId, userId)
        }
        case 'RESERVATION_NOT_FOUND': return { refused: 'RESERVATION_NOT_FOUND' }
        case 'ALREADY_PAID': return { refused: 'ALREADY_PAID' }
        case 'HOLD_EXPIRED': return { refused: 'HOLD_EXPIRED', seatNos: seatNosOf(row) }
        case 'INSUFFICIENT_POINTS': return { refused: 'INSUFFICIENT_POINTS', price: Number(row.price), balance: Number(row.balance) }
        default: throw new Error(`pay_reservation answered ${String(row.outcome)}`)
      }
    },
    async refund ({ userId, reservationId, now, cutoffMs }, fence) {
      const row = await first('refund_reservation', [...fenceArgs(fence), userId, cutoffMs === null ? 1 : 0, reservationId, now, cutoffMs ?? 0])
      switch (row.outcome) {
        case 'REFUNDED': return {
          refunded: { reservationId, amount: Number(row.price), balance: Number(row.balance), status: 'REFUNDED', refundedAt: now },
          order: order(row, reservationId, String(row.user_id))
        }
        case 'RESERVATION_NOT_FOUND': return { refused: 'RESERVATION_NOT_FOUND' }
        case 'ALREADY_REFUNDED': return { refused: 'ALREADY_REFUNDED' }
        case 'RESERVATION_NOT_CONFIRMED': return { refused: 'RESERVATION_NOT_CONFIRMED' }
        case 'REFUND_CLOSED': return { refused: 'REFUND_CLOSED', closesAt: Number(row.closes_at) }
        default: throw new Error(`refund_reservation answered ${String(row.outcome)}`)
      }
    }
  }

  const points: PointLedger = {
    async charge ({ userId, amount, maxBalance, now }, fence) {
      const row = await first('charge_points', [...fenceArgs(fence), known.has(userId) ? 0 : 1, userId, amount, maxBalance, now])
      if (known.size >= KNOWN_USERS_MAX) known.clear()
      known.add(userId)
      if (row.outcome === 'CHARGED') return { charged: { userId, balance: Number(row.balance) } }
      if (row.outcome === 'CHARGE_LIMIT_EXCEEDED') return { refused: 'CHARGE_LIMIT_EXCEEDED' }
      throw new Error(`charge_points answered ${String(row.outcome)}`)
    }
  }

  return { payments, points }
}

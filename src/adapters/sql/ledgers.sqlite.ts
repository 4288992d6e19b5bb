// PaymentLedger and PointLedger on SQLite: each write is one synchronous transaction of prepared statements.

import { KeyLostError, recordedSuccess, type Fence } from '../../modules/idempotency/fence.js'
import type { PaymentLedger, PayOutcome, RefundOutcome, SettledOrder } from '../../modules/payments/payment-ledger.js'
import type { ChargeOutcome, PointLedger } from '../../modules/points/point-ledger.js'
import type { SyncSqlite } from './database.js'

/** A refusal found after something was written: thrown to roll the transaction back, then answered. */
class Refused<T> {
  readonly outcome: T
  constructor (outcome: T) { this.outcome = outcome }
}

interface StoredOrder { userId: string, status: string, heldUntil: number, price: number, concertId: number, showId: number, date: string, seatNo: number }

/**
 * Both ledgers over one connection. Every write runs with nothing else in between (SQLite serialises them, and
 * these never await), so a read inside one is still true at its commit. With a fence, the owner's lease is
 * renewed first (KeyLostError if the owner lost the key) and the result recorded last, in the same transaction.
 */
export function createSqliteLedgers (sqlite: SyncSqlite): { payments: PaymentLedger, points: PointLedger } {
  const renew = sqlite.prepare(`UPDATE idempotency_keys SET lease_until = @leaseUntil
    WHERE scope = @scope AND idem_key = @key AND owner = @owner AND state = 'PENDING'`)
  const complete = sqlite.prepare(`UPDATE idempotency_keys SET state = 'DONE', outcome = @outcome
    WHERE scope = @scope AND idem_key = @key AND owner = @owner AND state = 'PENDING'`)
  const ensureUser = sqlite.prepare('INSERT OR IGNORE INTO users (id, balance, created_at, updated_at) VALUES (@userId, 0, @now, @now)')
  const balanceOf = sqlite.prepare('SELECT balance FROM users WHERE id = ?').pluck()
  const credit = sqlite.prepare('UPDATE users SET balance = balance + @amount, updated_at = @now WHERE id = @userId AND balance <= @maxBalance - @amount')
  const debit = sqlite.prepare('UPDATE users SET balance = balance - @amount, updated_at = @now WHERE id = @userId AND balance >= @amount')
  const addEntry = sqlite.prepare(`INSERT INTO point_history (user_id, type, amount, balance_after, reservation_id, created_at)
    VALUES (@userId, @type, @amount, @balance, @reservationId, @now)`)
  const addEvent = sqlite.prepare('INSERT INTO outbox (type, show_id, occurred_at, data, published_at) VALUES (@type, @showId, @now, @data, NULL)')
  const findOrder = sqlite.prepare(`SELECT user_id AS userId, status, held_until AS heldUntil, price, concert_id AS concertId, show_id AS showId,
    show_date AS date, seat_no AS seatNo FROM reservations WHERE id = ?`)
  const seatsOf = sqlite.prepare('SELECT seat_no FROM reservation_seats WHERE reservation_id = ? ORDER BY seat_no').pluck()
  const statusOf = sqlite.prepare('SELECT status FROM reservations WHERE id = ?').pluck()
  const startsAt = sqlite.prepare('SELECT starts_at FROM shows WHERE id = ?').pluck()
  // One seat per statement, by primary key: SQLite would otherwise pick the status index and scan every held seat.
  const sellSeat = sqlite.prepare(`UPDATE seats SET status = 'SOLD', held_until = NULL, user_id = @userId
    WHERE show_id = @showId AND seat_no = @seatNo AND status = 'HELD' AND reservation_id = @id AND held_until > @now`)
  const freeSoldSeat = sqlite.prepare(`UPDATE seats SET status = 'AVAILABLE', held_until = NULL, user_id = NULL, reservation_id = NULL
    WHERE show_id = @showId AND seat_no = @seatNo AND status = 'SOLD' AND reservation_id = @id`)
  const eachSeat = (r: { showId: number, seatNos: number[] }, update: (seatNo: number) => number): number => r.seatNos.reduce((n, seatNo) => n + update(seatNo), 0)
  const confirm = sqlite.prepare("UPDATE reservations SET status = 'CONFIRMED', paid_at = @now WHERE id = @id AND status = 'HELD'")
  const markRefunded = sqlite.prepare("UPDATE reservations SET status = 'REFUNDED', refunded_at = @now WHERE id = @id AND status = 'CONFIRMED'")
  const insertPayment = sqlite.prepare('INSERT INTO payments (reservation_id, user_id, amount, created_at) VALUES (@id, @userId, @amount, @now)')
  const refundPayment = sqlite.prepare('UPDATE payments SET refunded_at = @now WHERE reservation_id = @id AND refunded_at IS NULL')

  /**
   * Runs one write: the fence's renewal first, then `body`, whose result (`resultOf`; undefined for a refusal,
   * which has written nothing) is recorded last. A Refused returned after something was written rolls back.
   * Nothing is recorded for a refusal: runIdempotent records the error it becomes.
   */
  async function write<T> (fence: Fence | null, body: () => T | Refused<T>, resultOf: (value: T) => unknown): Promise<T> {
    try {
      return await sqlite.transaction(() => {
        if (fence && renew.run(fence).changes !== 1) throw new KeyLostError()
        const value = body()
        if (value instanceof Refused) throw value
        const result = resultOf(value)
        if (fence && result !== undefined && complete.run({ ...fence, outcome: recordedSuccess(result) }).changes !== 1) {
          throw new Error('the idempotency record changed inside its own transaction')
        }
        return value
      })
    } catch (err) {
      if (err instanceof Refused) return err.outcome as T
      throw err
    }
  }

  function order (id: number): (StoredOrder & { seatNos: number[] }) | null {
    const r = findOrder.get(id) as StoredOrder | undefined
    if (!r) return null
    const seatNos = seatsOf.all(id) as number[]
    // Rows written before orders had several seats have exactly their seat_no (migration 0004 copied it).
    return { ...r, seatNos: seatNos.length > 0 ? seatNos : [r.seatNo] }
  }
  const settled = (id: number, r: StoredOrder & { seatNos: number[] }): SettledOrder =>
    ({ reservationId: id, userId: r.userId, concertId: r.concertId, showId: r.showId, seatNos: r.seatNos })
  const dataOf = (id: number, r: StoredOrder & { seatNos: number[] }, balance: number): string => JSON.stringify({
    reservationId: String(id), userId: r.userId, concertId: String(r.concertId), date: r.date, seatNos: r.seatNos, amount: r.price, balance
  })

  const payments: PaymentLedger = {
    pay: ({ userId, reservationId: id, now }, fence) => write<PayOutcome>(fence, () => {
      const r = order(id)
      if (!r || r.userId !== userId) return { refused: 'RESERVATION_NOT_FOUND' }
      if (r.status === 'CONFIRMED') return { refused: 'ALREADY_PAID' }
      if (r.status !== 'HELD' || r.heldUntil <= now) return { refused: 'HOLD_EXPIRED', seatNos: r.seatNos }
      if (debit.run({ userId, amount: r.price, now }).changes !== 1) {
        return { refused: 'INSUFFICIENT_POINTS', price: r.price, balance: Number(balanceOf.get(userId) ?? 0) }
      }
      // The seats of one hold lapse together: all of them are sold, or none is.
      if (eachSeat(r, seatNo => sellSeat.run({ userId, showId: r.showId, seatNo, id, now }).changes) < r.seatNos.length) return new Refused<PayOutcome>({ refused: 'HOLD_EXPIRED', seatNos: r.seatNos })
      if (confirm.run({ id, now }).changes !== 1) return new Refused<PayOutcome>({ refused: 'ALREADY_PAID' })
      const balance = Number(balanceOf.get(userId))
      addEntry.run({ userId, type: 'USE', amount: r.price, balance, reservationId: id, now })
      const paymentId = Number(insertPayment.run({ id, userId, amount: r.price, now }).lastInsertRowid)
      addEvent.run({ type: 'payment.confirmed', showId: r.showId, now, data: dataOf(id, r, balance) })
      return { paid: { paymentId, reservationId: id, amount: r.price, balance, status: 'CONFIRMED', paidAt: now }, order: settled(id, r) }
    }, outcome => 'paid' in outcome ? outcome.paid : undefined),

    refund: ({ userId, reservationId: id, now, cutoffMs }, fence) => write<RefundOutcome>(fence, () => {
      const r = order(id)
      if (!r || (r.userId !== userId && cutoffMs !== null)) return { refused: 'RESERVATION_NOT_FOUND' }
      if (r.status === 'REFUNDED') return { refused: 'ALREADY_REFUNDED' }
      if (r.status !== 'CONFIRMED') return { refused: 'RESERVATION_NOT_CONFIRMED' }
      if (cutoffMs !== null) {
        const closesAt = Number(startsAt.get(r.showId)) - cutoffMs
        if (now >= closesAt) return { refused: 'REFUND_CLOSED', closesAt }
      }
      // A refund never fails for the balance limit: the points were the owner's before they paid.
      credit.run({ userId: r.userId, amount: r.price, maxBalance: Number.MAX_SAFE_INTEGER, now })
      if (eachSeat(r, seatNo => freeSoldSeat.run({ showId: r.showId, seatNo, id }).changes) < r.seatNos.length || markRefunded.run({ id, now }).changes !== 1) {
        throw new Error(`reservation ${id} is CONFIRMED but its seats are not all sold to it (${String(statusOf.get(id))})`)
      }
      if (refundPayment.run({ id, now }).changes !== 1) throw new Error(`reservation ${id} is CONFIRMED but has no unrefunded payment`)
      const balance = Number(balanceOf.get(r.userId))
      addEntry.run({ userId: r.userId, type: 'REFUND', amount: r.price, balance, reservationId: id, now })
      addEvent.run({ type: 'reservation.refunded', showId: r.showId, now, data: dataOf(id, r, balance) })
      return { refunded: { reservationId: id, amount: r.price, balance, status: 'REFUNDED', refundedAt: now }, order: settled(id, r) }
    }, outcome => 'refunded' in outcome ? outcome.refunded : undefined)
  }

  const points: PointLedger = {
    charge: ({ userId, amount, maxBalance, now }, fence) => write<ChargeOutcome>(fence, () => {
      ensureUser.run({ userId, now })
      if (credit.run({ userId, amount, maxBalance, now }).changes !== 1) return { refused: 'CHARGE_LIMIT_EXCEEDED' }
      const balance = Number(balanceOf.get(userId))
      addEntry.run({ userId, type: 'CHARGE', amount, balance, reservationId: null, now })
      addEvent.run({ type: 'points.charged', showId: null, now, data: JSON.stringify({ userId, amount, balance }) })
      return { charged: { userId, balance } }
    }, outcome => 'charged' in outcome ? outcome.charged : undefined)
  }

  return { payments, points }
}

// Contract on MariaDB (issue 9 item 1): a key's money moves once when its first request stalls on a row lock past its lease and is retried.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Connection } from 'mysql2/promise'
import { createConnection } from 'mysql2/promise'
import { sql } from 'kysely'
import { DEFAULT_LOCK_WAIT_SECONDS } from '../../src/adapters/sql/database.js'
import { runIdempotent, type IdempotencyDeps } from '../../src/modules/idempotency/run-idempotent.js'
import { payReservation } from '../../src/modules/payments/pay-reservation.js'
import { chargePoints } from '../../src/modules/points/charge-points.js'
import { holdSeat } from '../../src/modules/reservations/hold-seat.js'
import { createMemorySeatEvents } from '../../src/adapters/memory/seat-events.memory.js'
import { systemClock } from '../../src/shared/clock.js'
import { SQL_BACKENDS } from '../support/backends.js'
import { SECOND, createRecordingGate, givenBalance, givenConcert, newUserId, openSqlWorld, type SqlWorld } from '../support/factories.js'

const LEASE_MS = SECOND
const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** What a request under the key ended with: its value, or the error's code (or message when it has none). */
const settle = <T>(p: Promise<T>): Promise<{ ok: true, value: T } | { ok: false, code: string }> =>
  p.then(value => ({ ok: true as const, value }), (err: { code?: unknown, message?: string }) => ({ ok: false as const, code: typeof err.code === 'string' ? err.code : String(err.message) }))

// Only MariaDB/MySQL has row locks another session can hold; SQLite serialises every transaction.
describe.skipIf(!SQL_BACKENDS.includes('mysql'))('a key whose first request is stalled on a row lock (MariaDB)', () => {
  let w: SqlWorld
  let outside: Connection
  let deps: IdempotencyDeps
  const events = createMemorySeatEvents()
  beforeAll(async () => {
    w = await openSqlWorld('mysql', 'idem_stall')
    outside = await createConnection({ uri: w.url })
    deps = { idempotency: w.writes.idempotency, clock: systemClock, leaseMs: LEASE_MS, waitMs: 300 }
  })
  afterAll(async () => {
    await outside?.end()
    await w?.close()
  })

  /** Holds `sql`'s row locks in an outside transaction for `ms`, then commits. */
  async function lockFor (ms: number, query: string, params: unknown[]): Promise<() => Promise<void>> {
    await outside.query('BEGIN')
    await outside.query(query, params)
    const released = sleep(ms).then(() => outside.query('COMMIT'))
    return async () => { await released }
  }

  const charge = (userId: string, key: string) => runIdempotent(deps, { scope: `charge:${userId}`, key, request: { amount: 100 } }, fenced =>
    chargePoints({ ledger: w.writes.ledgers.points, fenced, clock: systemClock, maxCharge: 1_000_000, maxBalance: 10_000_000 }, { userId, amount: 100 }))

  it('our sessions give up on a row lock after the short lock wait (ER_LOCK_WAIT_TIMEOUT), not after MariaDB\'s 50 s', async () => {
    const userId = newUserId('wait')
    await givenBalance(w, userId, 1000)
    const { rows } = await sql<{ wait: number }>`SELECT @@session.innodb_lock_wait_timeout AS wait`.execute(w.database.db)
    expect(Number(rows[0].wait)).toBe(DEFAULT_LOCK_WAIT_SECONDS)
    const released = await lockFor(DEFAULT_LOCK_WAIT_SECONDS * SECOND + 1500, 'SELECT * FROM users WHERE id = ? FOR UPDATE', [userId])
    // Outside w.transact (which retries a lock wait once): the bare statement, as the pool runs it.
    const blocked = await w.stores.points.debit(userId, 100, Date.now()).catch((err: unknown) => err)
    await released()
    expect(blocked).toMatchObject({ errno: 1205 })
    expect(await w.stores.points.balance(userId)).toBe(1000)
  })

  it('a charge stalled on the user\'s row lock and retried after its lease moves the money once', async () => {
    const userId = newUserId('stall')
    await givenBalance(w, userId, 0)
    const released = await lockFor(3 * LEASE_MS, 'SELECT * FROM users WHERE id = ? FOR UPDATE', [userId])
    const first = settle(charge(userId, 'k1'))
    await sleep(1.5 * LEASE_MS)
    const retry = settle(charge(userId, 'k1'))
    await released()
    const answers = [await first, await retry]
    const last = await settle(charge(userId, 'k1'))
    const rows = await w.database.db.selectFrom('point_history').selectAll().where('user_id', '=', userId).execute()
    expect(rows.map(r => [r.type, Number(r.amount)])).toEqual([['CHARGE', 100]])
    expect(await w.stores.points.balance(userId)).toBe(100)
    expect(last).toEqual({ ok: true, value: { userId, balance: 100 } })
    for (const a of answers) if (a.ok) expect(a.value).toEqual({ userId, balance: 100 })
  }, 20_000)

  it('a payment stalled on its seat\'s row lock inside the transaction, retried after its lease, pays once and nobody is told ALREADY_PAID', async () => {
    const userId = newUserId('stall')
    await givenBalance(w, userId, 500_000)
    const { concert, show } = await givenConcert(w.concerts, { seats: 2, price: 100_000 }, Date.now())
    const reservation = await holdSeat({
      concerts: w.concerts, holds: w.writes.holds, gate: createRecordingGate(), events, clock: systemClock, holdTtlMs: 60 * SECOND, maxHoldsPerUser: 4
    }, { userId, concertId: concert.id, date: show.date, seatNo: 1 })
    const pay = () => runIdempotent(deps, { scope: `pay:${userId}`, key: 'p1', request: { reservationId: reservation.id } }, fenced =>
      payReservation({ ledger: w.writes.ledgers.payments, fenced, clock: systemClock, events }, { userId, reservationId: reservation.id }))
    const released = await lockFor(3 * LEASE_MS, 'SELECT * FROM seats WHERE show_id = ? AND seat_no = 1 FOR UPDATE', [show.id])
    const first = settle(pay())
    await sleep(1.5 * LEASE_MS)
    const retry = settle(pay())
    await released()
    const answers = [await first, await retry]
    const last = await settle(pay())
    expect(last).toMatchObject({ ok: true, value: { reservationId: reservation.id, status: 'CONFIRMED', balance: 400_000 } })
    for (const a of [...answers, last]) {
      if (a.ok) expect(a.value).toEqual(last.ok ? last.value : null)
      else expect(a.code).not.toBe('ALREADY_PAID')
    }
    const payments = await w.database.db.selectFrom('payments').selectAll().where('user_id', '=', userId).execute()
    expect(payments).toHaveLength(1)
    expect(await w.stores.points.balance(userId)).toBe(400_000)
  }, 20_000)
})

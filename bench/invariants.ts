// After each mode's run: the invariants that must hold whatever the load, checked in the database itself
// (better-sqlite3 or mysql2) and through the admin API. Any break makes the bench exit non-zero.

import SqliteDatabase from 'better-sqlite3'
import { createConnection } from 'mysql2/promise'
import type { HttpClient } from './lib/http.js'
import { EVENTS_STREAM, streamIds } from './scenarios/outbox.js'

export interface Check { name: string, ok: boolean, detail: string }

type Query = (sql: string) => Promise<Array<Record<string, unknown>>>

/** One connection; `fn` gets a query function and a way to read everything else from one snapshot. */
async function withDatabase<T> (databaseUrl: string, fn: (q: Query, snapshot: (begin: boolean) => Promise<void>) => Promise<T>): Promise<T> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new SqliteDatabase(databaseUrl.slice('sqlite:'.length), { readonly: true })
    try {
      // A read transaction in WAL mode sees one snapshot until it ends.
      return await fn(async sql => db.prepare(sql).all() as Array<Record<string, unknown>>, async (begin) => { db.exec(begin ? 'BEGIN' : 'COMMIT') })
    } finally { db.close() }
  }
  const conn = await createConnection({ uri: databaseUrl, supportBigNumbers: true, bigNumberStrings: true })
  try {
    return await fn(
      async (sql) => { const [rows] = await conn.query(sql); return rows as Array<Record<string, unknown>> },
      async (begin) => { await conn.query(begin ? 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ' : 'COMMIT'); if (begin) await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT') }
    )
  } finally { await conn.end() }
}

/**
 * Waits until the tables stop changing: a load run stops with requests still in flight (the client drops
 * them, the server finishes them), and checks taken meanwhile would compare counts from different moments.
 */
async function settle (q: Query, maxMs = 15_000): Promise<void> {
  const fingerprint = async (): Promise<string> => JSON.stringify(await q(
    `SELECT (SELECT COUNT(*) FROM payments) AS p, (SELECT COUNT(*) FROM point_history) AS h, (SELECT COUNT(*) FROM reservations) AS r, (SELECT COUNT(*) FROM reservations WHERE status = 'REFUNDED') AS f, (SELECT COALESCE(SUM(balance), 0) FROM users) AS b`))
  const deadline = Date.now() + maxMs
  let last = await fingerprint()
  for (;;) {
    await new Promise(resolve => setTimeout(resolve, 400))
    const now = await fingerprint()
    if (now === last || Date.now() > deadline) return
    last = now
  }
}

const n = (v: unknown): bigint => BigInt(String(v ?? 0).split('.')[0])
const one = async (q: Query, sql: string): Promise<bigint> => n(Object.values((await q(sql))[0] ?? { v: 0 })[0])

export interface InvariantInput {
  databaseUrl: string
  client: HttpClient
  adminBearer: string
  /** Concerts whose sales the API must report exactly as the tables say. */
  concertIds: string[]
  /** Payments answered 200 to the bench, and pay requests it sent (some replies are dropped when a load run stops). */
  pays: { acknowledged: number, sent: number }
  /** Refunds answered 200, and refund requests sent. */
  refunds: { acknowledged: number, sent: number }
  /** Production modes: the Redis the outbox relay delivers to (every event must reach its stream). */
  redisUrl?: string
  /** Each rush's largest sampled ACTIVE count and its cap. */
  admission: Array<{ label: string, maxSampled: number, cap: number, samples: number, admitted: number }>
}

/**
 * An order is a reservation of 1..N seats (`reservation_seats`); a seat's current owner is its `seats` row
 * (status, user_id, reservation_id). Live orders: CONFIRMED, and HELD until held_until.
 */
export async function checkInvariants (input: InvariantInput): Promise<Check[]> {
  const checks: Check[] = []
  const add = (name: string, ok: boolean, detail: string): void => { checks.push({ name, ok, detail }) }

  await withDatabase(input.databaseUrl, async (q, snapshot) => {
    await settle(q)
    // The relay delivers within a tick or two of a commit: wait for it before comparing outbox and stream.
    let undelivered = 0n
    if (input.redisUrl) {
      for (const deadline = Date.now() + 15_000; ;) {
        undelivered = await one(q, 'SELECT COUNT(*) AS v FROM outbox WHERE published_at IS NULL')
        if (undelivered === 0n || Date.now() > deadline) break
        await new Promise(resolve => setTimeout(resolve, 200))
      }
    }
    // The ids delivered so far, read before the stream: events written after this (a hold lapsing while the
    // check runs) may not have reached the stream yet, and do not count against it.
    const delivered = input.redisUrl ? (await q('SELECT id FROM outbox WHERE published_at IS NOT NULL')).map(r => String(r.id)) : []
    const inStream = input.redisUrl ? await streamIds(input.redisUrl) : null
    await snapshot(true)
    // One instant for every "live hold" below (the service compares held_until with its clock the same way).
    const now = Date.now()
    const live = `(r.status = 'CONFIRMED' OR (r.status = 'HELD' AND r.held_until > ${now}))`
    const orders = await one(q, 'SELECT COUNT(*) AS v FROM reservations')
    const seatsOrdered = await one(q, 'SELECT COUNT(*) AS v FROM reservation_seats')
    const doubleSold = await one(q, `SELECT COUNT(*) AS v FROM (SELECT rs.show_id, rs.seat_no FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id WHERE r.status = 'CONFIRMED' GROUP BY rs.show_id, rs.seat_no HAVING COUNT(*) > 1) d`)
    const doubleLive = await one(q, `SELECT COUNT(*) AS v FROM (SELECT rs.show_id, rs.seat_no FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id WHERE ${live} GROUP BY rs.show_id, rs.seat_no HAVING COUNT(*) > 1) d`)
    const confirmed = await one(q, `SELECT COUNT(*) AS v FROM reservations WHERE status = 'CONFIRMED'`)
    add('no seat sold twice, none in two live orders', doubleSold === 0n && doubleLive === 0n,
      `${doubleSold} seats in more than one CONFIRMED order (of ${confirmed} confirmed orders); ${doubleLive} seats in more than one live order (CONFIRMED, or HELD until later than now)`)

    // Each order's own rows agree: its seat count, its first seat, its show, and its total (seat prices never change).
    const badShape = await one(q, `SELECT COUNT(*) AS v FROM reservations r LEFT JOIN (SELECT rs.reservation_id, COUNT(*) AS n, MIN(rs.seat_no) AS first, SUM(s.price) AS total, SUM(CASE WHEN rs.show_id = s.show_id THEN 0 ELSE 1 END) AS elsewhere
      FROM reservation_seats rs LEFT JOIN seats s ON s.show_id = rs.show_id AND s.seat_no = rs.seat_no GROUP BY rs.reservation_id) o ON o.reservation_id = r.id
      WHERE o.n IS NULL OR o.n <> r.seat_count OR o.first <> r.seat_no OR o.total IS NULL OR o.total <> r.price OR o.elsewhere <> 0`)
    const strayShow = await one(q, 'SELECT COUNT(*) AS v FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id WHERE rs.show_id <> r.show_id')
    const sizes = await q('SELECT seat_count AS n, COUNT(*) AS c FROM reservations GROUP BY seat_count ORDER BY seat_count')
    add('every order is whole: its seats, count, first seat and total agree', badShape === 0n && strayShow === 0n,
      `${badShape} of ${orders} orders whose reservation_seats (${seatsOrdered} rows) disagree with seat_count, seat_no or price (Σ of the seats' prices); ${strayShow} seats of another show; orders by size: ${sizes.map(r => `${String(r.n)}×${String(r.c)}`).join(', ')}`)

    const negative = await one(q, 'SELECT COUNT(*) AS v FROM users WHERE balance < 0')
    const negativeAfter = await one(q, 'SELECT COUNT(*) AS v FROM point_history WHERE balance_after < 0')
    const users = await one(q, 'SELECT COUNT(*) AS v FROM users')
    add('no negative balance', negative === 0n && negativeAfter === 0n, `${negative} of ${users} users below 0; ${negativeAfter} history rows with balance_after < 0`)

    const ledger = await one(q, `SELECT COALESCE(SUM(CASE WHEN type = 'CHARGE' THEN amount WHEN type = 'USE' THEN -amount WHEN type = 'REFUND' THEN amount ELSE 0 END), 0) AS v FROM point_history`)
    const balances = await one(q, 'SELECT COALESCE(SUM(balance), 0) AS v FROM users')
    const unknownTypes = await one(q, `SELECT COUNT(*) AS v FROM point_history WHERE type NOT IN ('CHARGE', 'USE', 'REFUND')`)
    const perUser = await one(q, `SELECT COUNT(*) AS v FROM users u LEFT JOIN (SELECT user_id, SUM(CASE WHEN type = 'USE' THEN -amount ELSE amount END) AS s FROM point_history GROUP BY user_id) h ON h.user_id = u.id WHERE u.balance <> COALESCE(h.s, 0)`)
    add('money conserved', ledger === balances && perUser === 0n && unknownTypes === 0n,
      `Σ(CHARGE − USE + REFUND) = ${ledger}, Σ balance = ${balances}; ${perUser} users whose history does not sum to their balance; ${unknownTypes} rows of unknown type`)

    // A paid order keeps its payment when refunded (marked refunded_at); nothing else has one.
    const paidNotOnePayment = await one(q, `SELECT COUNT(*) AS v FROM reservations r WHERE r.status IN ('CONFIRMED', 'REFUNDED') AND (SELECT COUNT(*) FROM payments p WHERE p.reservation_id = r.id) <> 1`)
    const paymentsOfOthers = await one(q, `SELECT COUNT(*) AS v FROM payments p LEFT JOIN reservations r ON r.id = p.reservation_id
      WHERE r.id IS NULL OR r.status NOT IN ('CONFIRMED', 'REFUNDED') OR p.amount <> r.price OR p.user_id <> r.user_id
        OR (r.status = 'REFUNDED' AND p.refunded_at IS NULL) OR (r.status = 'CONFIRMED' AND p.refunded_at IS NOT NULL)`)
    const payments = await one(q, 'SELECT COUNT(*) AS v FROM payments')
    const uses = await one(q, `SELECT COUNT(*) AS v FROM point_history WHERE type = 'USE'`)
    const useSum = await one(q, `SELECT COALESCE(SUM(amount), 0) AS v FROM point_history WHERE type = 'USE'`)
    const paySum = await one(q, 'SELECT COALESCE(SUM(amount), 0) AS v FROM payments')
    add('one payment per paid order', paidNotOnePayment === 0n && paymentsOfOthers === 0n && uses === payments && useSum === paySum,
      `${paidNotOnePayment} CONFIRMED or REFUNDED orders without exactly one payment; ${paymentsOfOthers} payments not matching their order (status, amount, user, refunded mark); ${payments} payments, ${uses} USE rows (Σ ${paySum} vs ${useSum})`)

    const refunded = await one(q, `SELECT COUNT(*) AS v FROM reservations WHERE status = 'REFUNDED'`)
    const refundRows = await one(q, `SELECT COUNT(*) AS v FROM point_history WHERE type = 'REFUND'`)
    const badRefundRows = await one(q, `SELECT COUNT(*) AS v FROM point_history h LEFT JOIN reservations r ON r.id = h.reservation_id
      WHERE h.type = 'REFUND' AND (r.id IS NULL OR r.status <> 'REFUNDED' OR h.amount <> r.price OR h.user_id <> r.user_id)`)
    const refundedNotOnce = await one(q, `SELECT COUNT(*) AS v FROM reservations r WHERE r.status = 'REFUNDED' AND (SELECT COUNT(*) FROM point_history h WHERE h.type = 'REFUND' AND h.reservation_id = r.id) <> 1`)
    const refundedStillTheirs = await one(q, `SELECT COUNT(*) AS v FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id JOIN seats s ON s.show_id = rs.show_id AND s.seat_no = rs.seat_no
      WHERE r.status = 'REFUNDED' AND s.reservation_id = r.id`)
    add('every refunded order refunded exactly once, its seats given back', badRefundRows === 0n && refundedNotOnce === 0n && refundedStillTheirs === 0n,
      `${refunded} REFUNDED orders, ${refundRows} REFUND rows; ${badRefundRows} REFUND rows not matching a REFUNDED order (amount = its price, its owner); ${refundedNotOnce} REFUNDED orders without exactly one REFUND row; ${refundedStillTheirs} seats still held or sold to a refunded order`)

    // The seats rows (who owns a seat now) agree with the orders: SOLD ⇔ in a CONFIRMED order of that user, live HELD ⇔ in that user's HELD order.
    const soldNotConfirmed = await one(q, `SELECT COUNT(*) AS v FROM seats s LEFT JOIN reservations r ON r.id = s.reservation_id
      LEFT JOIN reservation_seats rs ON rs.reservation_id = s.reservation_id AND rs.show_id = s.show_id AND rs.seat_no = s.seat_no
      WHERE s.status = 'SOLD' AND (r.id IS NULL OR r.status <> 'CONFIRMED' OR r.user_id <> s.user_id OR rs.seat_no IS NULL)`)
    const confirmedNotSold = await one(q, `SELECT COUNT(*) AS v FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id JOIN seats s ON s.show_id = rs.show_id AND s.seat_no = rs.seat_no
      WHERE r.status = 'CONFIRMED' AND (s.status <> 'SOLD' OR s.user_id <> r.user_id OR s.reservation_id <> r.id)`)
    const heldNotTheirs = await one(q, `SELECT COUNT(*) AS v FROM seats s LEFT JOIN reservations r ON r.id = s.reservation_id
      LEFT JOIN reservation_seats rs ON rs.reservation_id = s.reservation_id AND rs.show_id = s.show_id AND rs.seat_no = s.seat_no
      WHERE s.status = 'HELD' AND s.held_until > ${now} AND (r.id IS NULL OR r.status <> 'HELD' OR r.user_id <> s.user_id OR rs.seat_no IS NULL)`)
    const sold = await one(q, `SELECT COUNT(*) AS v FROM seats WHERE status = 'SOLD'`)
    add('every SOLD seat is in one CONFIRMED order of its owner, and each of those seats is SOLD', soldNotConfirmed === 0n && confirmedNotSold === 0n && heldNotTheirs === 0n,
      `${soldNotConfirmed} of ${sold} SOLD seats not in a CONFIRMED order of their owner; ${confirmedNotSold} seats of CONFIRMED orders not SOLD to that order and user; ${heldNotTheirs} live HELD seats not in a HELD order of their holder`)

    const { acknowledged, sent } = input.pays
    add('no payment lost, none made up', BigInt(acknowledged) <= payments && payments <= BigInt(sent),
      `${acknowledged} payments answered 200 ≤ ${payments} payment rows ≤ ${sent} pay requests sent`)
    const rf = input.refunds
    add('no refund lost, none made up', BigInt(rf.acknowledged) <= refundRows && refundRows <= BigInt(rf.sent),
      `${rf.acknowledged} refunds answered 200 ≤ ${refundRows} REFUND rows ≤ ${rf.sent} refund requests sent`)

    // Every change wrote its event in its own transaction: one per payment, refund, charge and hold.
    const events = async (type: string): Promise<bigint> => one(q, `SELECT COUNT(*) AS v FROM outbox WHERE type = '${type}'`)
    const pairs: Array<[string, bigint, bigint, string]> = [
      ['payment.confirmed', await events('payment.confirmed'), payments, 'payments'],
      ['reservation.refunded', await events('reservation.refunded'), refunded, 'refunded orders'],
      ['points.charged', await events('points.charged'), await one(q, `SELECT COUNT(*) AS v FROM point_history WHERE type = 'CHARGE'`), 'CHARGE rows'],
      ['reservation.held', await events('reservation.held'), orders, 'orders']
    ]
    add('every change has its event in the outbox, once', pairs.every(([, e, c]) => e === c), pairs.map(([t, e, c, what]) => `${e} ${t} for ${c} ${what}`).join('; '))
    if (inStream) {
      const missing = delivered.filter(id => !inStream.has(id)).length
      add('every outbox event reached the stream', undelivered === 0n && missing === 0,
        `${undelivered} outbox events still undelivered after waiting; ${delivered.length} delivered, ${missing} of them not in the stream ${EVENTS_STREAM} (${inStream.size} distinct ids there)`)
    }

    // The admin API must agree with the tables it reads: seats sold, revenue net of refunds, refunds.
    for (const id of input.concertIds) {
      const r = await input.client.request<{ totals: { sold: number, revenue: number, refunds: number } }>('GET', `/admin/concerts/${id}/sales`, { headers: { authorization: input.adminBearer } })
      const c = Number(id)
      const dbSold = await one(q, `SELECT COUNT(*) AS v FROM seats s JOIN shows sh ON sh.id = s.show_id WHERE sh.concert_id = ${c} AND s.status = 'SOLD'`)
      const dbRevenue = await one(q, `SELECT COALESCE(SUM(p.amount), 0) AS v FROM payments p JOIN reservations r ON r.id = p.reservation_id WHERE r.concert_id = ${c} AND p.refunded_at IS NULL`)
      const dbRefunds = await one(q, `SELECT COUNT(*) AS v FROM payments p JOIN reservations r ON r.id = p.reservation_id WHERE r.concert_id = ${c} AND p.refunded_at IS NOT NULL`)
      const ok = r.status === 200 && BigInt(r.body.totals.sold) === dbSold && BigInt(r.body.totals.revenue) === dbRevenue && BigInt(r.body.totals.refunds) === dbRefunds
      add(`API sales of concert ${id} match the tables`, ok,
        r.status === 200
          ? `API sold ${r.body.totals.sold}, revenue ${r.body.totals.revenue}, refunds ${r.body.totals.refunds}; tables sold ${dbSold}, revenue net of refunds ${dbRevenue}, refunds ${dbRefunds}`
          : `GET sales → HTTP ${r.status}`)
    }
    await snapshot(false)
  })

  for (const a of input.admission) {
    add(`no admitted user beyond capacity (${a.label})`, a.maxSampled <= a.cap && (a.admitted === 0 || a.maxSampled > 0),
      `largest sampled ACTIVE count ${a.maxSampled} ≤ QUEUE_MAX_ACTIVE ${a.cap} over ${a.samples} samples` + (a.admitted > 0 && a.maxSampled === 0 ? ' — but the sampler never saw anyone active: it is broken' : ''))
  }
  return checks
}

// After each mode's run: the invariants that must hold whatever the load, checked in the database itself
// (better-sqlite3 or mysql2) and through the admin API. Any break makes the bench exit non-zero.

import SqliteDatabase from 'better-sqlite3'
import { createConnection } from 'mysql2/promise'
import type { HttpClient } from './lib/http.js'

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
    'SELECT (SELECT COUNT(*) FROM payments) AS p, (SELECT COUNT(*) FROM point_history) AS h, (SELECT COUNT(*) FROM reservations) AS r, (SELECT COALESCE(SUM(balance), 0) FROM users) AS b'))
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
  /** The rush's largest sampled ACTIVE count and its cap. */
  admission: { maxSampled: number, cap: number, samples: number, admitted: number }
}

export async function checkInvariants (input: InvariantInput): Promise<Check[]> {
  const checks: Check[] = []
  const add = (name: string, ok: boolean, detail: string): void => { checks.push({ name, ok, detail }) }

  await withDatabase(input.databaseUrl, async (q, snapshot) => {
    await settle(q)
    await snapshot(true)
    const doubleSold = await one(q, `SELECT COUNT(*) AS v FROM (SELECT show_id, seat_no FROM reservations WHERE status = 'CONFIRMED' GROUP BY show_id, seat_no HAVING COUNT(*) > 1) d`)
    const confirmed = await one(q, `SELECT COUNT(*) AS v FROM reservations WHERE status = 'CONFIRMED'`)
    add('no seat sold twice', doubleSold === 0n, `${doubleSold} seats with more than one CONFIRMED reservation (of ${confirmed} confirmed)`)

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

    const confirmedNotOnePayment = await one(q, `SELECT COUNT(*) AS v FROM reservations r WHERE r.status = 'CONFIRMED' AND (SELECT COUNT(*) FROM payments p WHERE p.reservation_id = r.id) <> 1`)
    const paymentsOfOthers = await one(q, `SELECT COUNT(*) AS v FROM payments p LEFT JOIN reservations r ON r.id = p.reservation_id WHERE r.id IS NULL OR r.status <> 'CONFIRMED' OR p.amount <> r.price OR p.user_id <> r.user_id`)
    const payments = await one(q, 'SELECT COUNT(*) AS v FROM payments')
    const uses = await one(q, `SELECT COUNT(*) AS v FROM point_history WHERE type = 'USE'`)
    const useSum = await one(q, `SELECT COALESCE(SUM(amount), 0) AS v FROM point_history WHERE type = 'USE'`)
    const paySum = await one(q, 'SELECT COALESCE(SUM(amount), 0) AS v FROM payments')
    add('every paid reservation has exactly one payment', confirmedNotOnePayment === 0n && paymentsOfOthers === 0n && uses === payments && useSum === paySum,
      `${confirmedNotOnePayment} CONFIRMED without exactly one payment; ${paymentsOfOthers} payments not matching a CONFIRMED reservation; ${payments} payments, ${uses} USE rows (Σ ${paySum} vs ${useSum})`)

    const soldNotOne = await one(q, `SELECT COUNT(*) AS v FROM seats s WHERE s.status = 'SOLD' AND (SELECT COUNT(*) FROM reservations r WHERE r.show_id = s.show_id AND r.seat_no = s.seat_no AND r.status = 'CONFIRMED') <> 1`)
    const confirmedNotSold = await one(q, `SELECT COUNT(*) AS v FROM reservations r JOIN seats s ON s.show_id = r.show_id AND s.seat_no = r.seat_no WHERE r.status = 'CONFIRMED' AND (s.status <> 'SOLD' OR s.user_id <> r.user_id)`)
    const sold = await one(q, `SELECT COUNT(*) AS v FROM seats WHERE status = 'SOLD'`)
    add('every SOLD seat has exactly one CONFIRMED reservation', soldNotOne === 0n && confirmedNotSold === 0n,
      `${soldNotOne} of ${sold} SOLD seats without exactly one CONFIRMED reservation; ${confirmedNotSold} CONFIRMED reservations whose seat is not SOLD to their user`)

    const { acknowledged, sent } = input.pays
    add('no payment lost, none made up', BigInt(acknowledged) <= payments && payments <= BigInt(sent),
      `${acknowledged} payments answered 200 ≤ ${payments} payment rows ≤ ${sent} pay requests sent`)

    // The admin API must agree with the tables it reads.
    for (const id of input.concertIds) {
      const r = await input.client.request<{ totals: { sold: number, revenue: number } }>('GET', `/admin/concerts/${id}/sales`, { headers: { authorization: input.adminBearer } })
      const dbSold = await one(q, `SELECT COUNT(*) AS v FROM seats s JOIN shows sh ON sh.id = s.show_id WHERE sh.concert_id = ${Number(id)} AND s.status = 'SOLD'`)
      const dbRevenue = await one(q, `SELECT COALESCE(SUM(p.amount), 0) AS v FROM payments p JOIN reservations r ON r.id = p.reservation_id WHERE r.concert_id = ${Number(id)}`)
      const ok = r.status === 200 && BigInt(r.body.totals.sold) === dbSold && BigInt(r.body.totals.revenue) === dbRevenue
      add(`API sales of concert ${id} match the tables`, ok,
        r.status === 200 ? `API sold ${r.body.totals.sold}, revenue ${r.body.totals.revenue}; tables sold ${dbSold}, revenue ${dbRevenue}` : `GET sales → HTTP ${r.status}`)
    }
    await snapshot(false)
  })

  const a = input.admission
  add('no admitted user beyond capacity', a.maxSampled <= a.cap && (a.admitted === 0 || a.maxSampled > 0),
    `largest sampled ACTIVE count ${a.maxSampled} ≤ QUEUE_MAX_ACTIVE ${a.cap} over ${a.samples} samples` + (a.admitted > 0 && a.maxSampled === 0 ? ' — but the sampler never saw anyone active: it is broken' : ''))
  return checks
}

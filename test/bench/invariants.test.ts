// The bench's invariant checks (bench/invariants.ts) against a real embedded service's SQLite file: they hold after a
// sale of orders, payments and a refund, and each one breaks on its own kind of corruption of the tables.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkInvariants, type Check, type InvariantInput } from '../../bench/invariants.js'
import { admitUsers, createConcert } from '../../bench/lib/api.js'
import { HttpClient, expectStatus } from '../../bench/lib/http.js'
import { bearerCache, signBearer } from '../../bench/lib/jwt.js'
import { startInstance, type Instance } from '../support/instances.js'

describe('the bench\'s invariant checks', () => {
  let tmp: string
  let service: Instance
  let client: HttpClient
  let clean: string
  let base: Omit<InvariantInput, 'databaseUrl'>
  let ids: { paid: string, refunded: string, payer: string }

  beforeAll(async () => {
    tmp = mkdtempSync(join(os.tmpdir(), 'bench-invariants-'))
    const secret = randomBytes(32).toString('hex')
    const file = join(tmp, 'concert.db')
    service = await startInstance('bench invariants', { DATABASE_URL: `sqlite:${file}`, JWT_SECRET: secret, AUTH_DEV_LOGIN: 'true', SEED_DEMO: 'false' })
    client = new HttpClient([service.port], 8)
    const bearer = bearerCache(secret)
    const admin = `Bearer ${signBearer(secret, 'bench-admin', 'admin')}`
    const concert = await createConcert(client, admin, { title: 'invariants', shows: 1, seats: 20, price: 1000, firstDay: 30 })
    const date = concert.dates[0]
    const users = ['ann', 'bob', 'cat']
    const tokens = await admitUsers(client, concert.id, users, bearer)
    const as = (i: number): Record<string, string> => ({ authorization: bearer(users[i]), 'queue-token': tokens[i] })
    const hold = async (i: number, body: Record<string, unknown>): Promise<{ id: string, price: number }> =>
      expectStatus(await client.request<{ id: string, price: number }>('POST', '/reservations', { headers: as(i), body: { date, ...body } }), 201, 'hold')
    const buy = async (i: number, body: Record<string, unknown>): Promise<string> => {
      const h = await hold(i, body)
      expectStatus(await client.request('POST', `/users/${users[i]}/points/charge`, { headers: { authorization: bearer(users[i]), 'idempotency-key': randomBytes(8).toString('hex') }, body: { amount: h.price } }), 200, 'charge')
      expectStatus(await client.request('POST', `/reservations/${h.id}/pay`, { headers: { authorization: bearer(users[i]), 'idempotency-key': randomBytes(8).toString('hex') } }), 200, 'pay')
      return h.id
    }
    const paid = await buy(0, { seatNos: [1, 2] })
    const refunded = await buy(1, { seatNo: 3 })
    expectStatus(await client.request('POST', `/reservations/${refunded}/refund`, { headers: { authorization: bearer(users[1]) } }), 200, 'refund')
    await hold(2, { quantity: 2 }) // a live hold, left as it is
    ids = { paid, refunded, payer: users[0] }
    base = { client, adminBearer: admin, concertIds: [concert.id], pays: { acknowledged: 2, sent: 2 }, refunds: { acknowledged: 1, sent: 1 }, admission: [] }
    clean = `sqlite:${file}`
  }, 90_000)

  afterAll(async () => {
    client?.close()
    await service?.stop()
    rmSync(tmp, { recursive: true, force: true })
  })

  const broken = (checks: Check[]): string[] => checks.filter(c => !c.ok).map(c => c.name)

  it('all hold after a sale of a 2-seat order, a refunded order and a live best-available hold', async () => {
    const checks = await checkInvariants({ ...base, databaseUrl: clean })
    expect(broken(checks)).toEqual([])
    expect(checks.map(c => c.name)).toContain(`API sales of concert ${base.concertIds[0]} match the tables`)
    expect(checks.find(c => c.name.startsWith('every order is whole'))?.detail).toContain('orders by size: 1×1, 2×2')
  })

  // Each corruption, applied to a copy of the service's file, and the check it must break.
  const corruptions: Array<[string, string, (db: SqliteDatabase.Database) => void]> = [
    ['a second confirmed order of a sold seat', 'no seat sold twice, none in two live orders', (db) => {
      const r = db.prepare('SELECT * FROM reservations WHERE id = ?').get(Number(ids.paid)) as Record<string, unknown>
      const id = Number(db.prepare('INSERT INTO reservations (user_id, concert_id, show_id, show_date, seat_no, price, status, held_until, created_at, paid_at, seat_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(r.user_id, r.concert_id, r.show_id, r.show_date, r.seat_no, r.price, 'CONFIRMED', r.held_until, r.created_at, r.paid_at, r.seat_count).lastInsertRowid)
      db.prepare('INSERT INTO reservation_seats (reservation_id, seat_no, show_id) SELECT ?, seat_no, show_id FROM reservation_seats WHERE reservation_id = ?').run(id, Number(ids.paid))
    }],
    ['points out of thin air', 'money conserved', (db) => { db.prepare('UPDATE users SET balance = balance + 1 WHERE id = ?').run(ids.payer) }],
    ['an order priced unlike its seats', 'every order is whole: its seats, count, first seat and total agree', (db) => { db.prepare('UPDATE reservations SET price = price + 1 WHERE id = ?').run(Number(ids.paid)) }],
    ['a refunded seat still sold to its order', 'every refunded order refunded exactly once, its seats given back', (db) => {
      db.prepare(`UPDATE seats SET status = 'SOLD', user_id = (SELECT user_id FROM reservations WHERE id = ?), reservation_id = ? WHERE seat_no = 3`).run(Number(ids.refunded), Number(ids.refunded))
    }],
    ['a payment whose event was lost', 'every change has its event in the outbox, once', (db) => { db.prepare(`DELETE FROM outbox WHERE type = 'payment.confirmed'`).run() }]
  ]

  it.each(corruptions)('%s breaks "%s"', async (_label, check, corrupt) => {
    const file = join(tmp, `corrupt-${randomBytes(3).toString('hex')}.db`)
    // A consistent copy of the live file (its WAL included), corrupted on the copy only.
    const live = new SqliteDatabase(clean.slice('sqlite:'.length), { readonly: true })
    await live.backup(file)
    live.close()
    const db = new SqliteDatabase(file)
    corrupt(db)
    db.close()
    const checks = await checkInvariants({ ...base, concertIds: [], databaseUrl: `sqlite:${file}` })
    expect(broken(checks)).toContain(check)
  })

  it('a check that cannot see anyone admitted says so', async () => {
    const checks = await checkInvariants({ ...base, databaseUrl: clean, concertIds: [], admission: [{ label: 'rush', maxSampled: 0, cap: 100, samples: 40, admitted: 12 }] })
    expect(broken(checks)).toEqual(['no admitted user beyond capacity (rush)'])
  })
})


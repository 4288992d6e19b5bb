// Contract: PaymentStore on every SQL backend — one payment per reservation, marked once when refunded.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SQL_BACKENDS } from '../support/backends.js'
import { T0, newUserId, openSqlWorld, type SqlWorld } from '../support/factories.js'

describe.each(SQL_BACKENDS)('PaymentStore on %s', (backend) => {
  let w: SqlWorld
  let nextReservation = 1
  beforeAll(async () => { w = await openSqlWorld(backend, 'payments') })
  afterAll(async () => { await w?.close() })

  const reservationId = () => nextReservation++

  it('insert records the payment and gives it a new id', async () => {
    const userId = newUserId()
    const a = await w.stores.payments.insert({ reservationId: reservationId(), userId, amount: 150_000, createdAt: T0 })
    const b = await w.stores.payments.insert({ reservationId: reservationId(), userId, amount: 90_000, createdAt: T0 + 1 })
    expect(a).toMatchObject({ id: expect.any(Number), userId, amount: 150_000, createdAt: T0 })
    expect(b.id).not.toBe(a.id)
    const rows = await w.database.db.selectFrom('payments').selectAll().where('id', 'in', [a.id, b.id]).orderBy('id').execute()
    expect(rows.map(r => [Number(r.reservation_id), r.user_id, Number(r.amount), Number(r.created_at)])).toEqual([
      [a.reservationId, userId, 150_000, T0], [b.reservationId, userId, 90_000, T0 + 1]
    ])
  })

  it('a second payment for the same reservation fails', async () => {
    const id = reservationId()
    await w.stores.payments.insert({ reservationId: id, userId: newUserId(), amount: 1000, createdAt: T0 })
    await expect(w.stores.payments.insert({ reservationId: id, userId: newUserId(), amount: 1000, createdAt: T0 })).rejects.toThrow()
    const rows = await w.database.db.selectFrom('payments').select('id').where('reservation_id', '=', id).execute()
    expect(rows).toHaveLength(1)
  })

  it('inside a transaction the failed second payment undoes the rest of that transaction', async () => {
    const id = reservationId()
    const userId = newUserId()
    await w.stores.points.ensureUser(userId, T0)
    await w.stores.payments.insert({ reservationId: id, userId, amount: 1000, createdAt: T0 })
    await expect(w.transact(async (tx) => {
      await tx.points.credit(userId, 500, 1_000_000, T0)
      await tx.payments.insert({ reservationId: id, userId, amount: 1000, createdAt: T0 })
    })).rejects.toThrow()
    expect(await w.stores.points.balance(userId)).toBe(0)
  })

  it('markRefunded marks the reservation\'s payment once, and none that does not exist', async () => {
    const id = reservationId()
    const userId = newUserId()
    const p = await w.stores.payments.insert({ reservationId: id, userId, amount: 4000, createdAt: T0 })
    expect(p.refundedAt).toBeNull()
    expect(await w.stores.payments.markRefunded(id, T0 + 5)).toBe(true)
    expect(await w.stores.payments.markRefunded(id, T0 + 6)).toBe(false)
    const rows = await w.database.db.selectFrom('payments').select(['refunded_at']).where('reservation_id', '=', id).execute()
    expect(rows.map(r => Number(r.refunded_at))).toEqual([T0 + 5])
    expect(await w.stores.payments.markRefunded(reservationId(), T0)).toBe(false)
  })
})

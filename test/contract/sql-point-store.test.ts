// Contract: PointStore (and the transaction port around it) on every SQL backend.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqlStores } from '../../src/adapters/sql/stores.js'
import type { PointStore } from '../../src/modules/points/point-store.js'
import { SQL_BACKENDS } from '../support/backends.js'
import { T0, newUserId, openSqlWorld, type SqlWorld } from '../support/factories.js'

describe.each(SQL_BACKENDS)('PointStore on %s', (backend) => {
  let w: SqlWorld
  let points: PointStore
  beforeAll(async () => {
    w = await openSqlWorld(backend, 'points')
    points = w.stores.points
  })
  afterAll(async () => { await w?.close() })

  async function givenUser (balance = 0): Promise<string> {
    const userId = newUserId()
    await points.ensureUser(userId, T0)
    if (balance > 0) expect(await points.credit(userId, balance, Number.MAX_SAFE_INTEGER, T0)).toBe(true)
    return userId
  }

  it('a user without a row has a balance of 0, and credit or debit on them changes nothing', async () => {
    const userId = newUserId()
    expect(await points.balance(userId)).toBe(0)
    expect(await points.credit(userId, 100, 1000, T0)).toBe(false)
    expect(await points.debit(userId, 0, T0)).toBe(false)
    expect(await points.balance(userId)).toBe(0)
  })

  it('ensureUser creates the row with balance 0 once and never resets it', async () => {
    const userId = await givenUser()
    expect(await points.balance(userId)).toBe(0)
    expect(await points.credit(userId, 700, 1000, T0)).toBe(true)
    await points.ensureUser(userId, T0 + 1)
    await createSqlStores(w.database.db).points.ensureUser(userId, T0 + 2) // a fresh store knows nothing cached
    expect(await points.balance(userId)).toBe(700)
  })

  it('credit respects maxBalance exactly at the boundary', async () => {
    const userId = await givenUser(400)
    expect(await points.credit(userId, 601, 1000, T0)).toBe(false)
    expect(await points.balance(userId)).toBe(400)
    expect(await points.credit(userId, 600, 1000, T0)).toBe(true)
    expect(await points.balance(userId)).toBe(1000)
    expect(await points.credit(userId, 1, 1000, T0)).toBe(false)
    expect(await points.balance(userId)).toBe(1000)
  })

  it('debit takes the amount only while the balance covers it, and never goes negative', async () => {
    const userId = await givenUser(1000)
    expect(await points.debit(userId, 1001, T0)).toBe(false)
    expect(await points.balance(userId)).toBe(1000)
    expect(await points.debit(userId, 400, T0)).toBe(true)
    expect(await points.debit(userId, 600, T0)).toBe(true)
    expect(await points.balance(userId)).toBe(0)
    expect(await points.debit(userId, 1, T0)).toBe(false)
    expect(await points.balance(userId)).toBe(0)
  })

  it('addEntry and history round-trip every field, newest first, for that user only', async () => {
    const userId = await givenUser()
    const other = await givenUser()
    const a = await points.addEntry({ userId, type: 'CHARGE', amount: 1000, balanceAfter: 1000, reservationId: null, createdAt: T0 })
    const b = await points.addEntry({ userId, type: 'USE', amount: 300, balanceAfter: 700, reservationId: 42, createdAt: T0 + 1 })
    await points.addEntry({ userId: other, type: 'CHARGE', amount: 5, balanceAfter: 5, reservationId: null, createdAt: T0 })
    const c = await points.addEntry({ userId, type: 'REFUND', amount: 300, balanceAfter: 1000, reservationId: 42, createdAt: T0 + 2 })
    expect(a.id).toBeLessThan(b.id)
    expect(b.id).toBeLessThan(c.id)
    expect(await points.history(userId, 10)).toEqual([
      { id: c.id, userId, type: 'REFUND', amount: 300, balanceAfter: 1000, reservationId: 42, createdAt: T0 + 2 },
      { id: b.id, userId, type: 'USE', amount: 300, balanceAfter: 700, reservationId: 42, createdAt: T0 + 1 },
      { id: a.id, userId, type: 'CHARGE', amount: 1000, balanceAfter: 1000, reservationId: null, createdAt: T0 }
    ])
  })

  it('history honours limit and beforeId', async () => {
    const userId = await givenUser()
    const ids: number[] = []
    for (let i = 1; i <= 5; i++) ids.push((await points.addEntry({ userId, type: 'CHARGE', amount: i, balanceAfter: i, reservationId: null, createdAt: T0 })).id)
    expect((await points.history(userId, 2)).map(e => e.amount)).toEqual([5, 4])
    expect((await points.history(userId, 2, ids[3])).map(e => e.amount)).toEqual([3, 2])
    expect((await points.history(userId, 10, ids[1])).map(e => e.amount)).toEqual([1])
    expect(await points.history(userId, 10, ids[0])).toEqual([])
  })

  it('a transaction that throws undoes every change made through its stores', async () => {
    const userId = await givenUser(1000)
    await expect(w.transact(async (tx) => {
      expect(await tx.points.debit(userId, 400, T0)).toBe(true)
      await tx.points.addEntry({ userId, type: 'USE', amount: 400, balanceAfter: 600, reservationId: null, createdAt: T0 })
      expect(await tx.points.balance(userId)).toBe(600)
      throw new Error('abort')
    })).rejects.toThrow('abort')
    expect(await points.balance(userId)).toBe(1000)
    expect(await points.history(userId, 10)).toEqual([])
  })
})

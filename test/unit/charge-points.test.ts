// Unit: charging points, the balance and its history over SQLite in memory with a manual clock.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { chargePoints, getBalance, getPointHistory, type ChargePointsDeps } from '../../src/modules/points/charge-points.js'
import { createManualClock } from '../../src/shared/clock.js'
import { MINUTE, T0, openSqlWorld, type SqlWorld } from '../support/factories.js'

describe('chargePoints, getBalance and getPointHistory', () => {
  let w: SqlWorld
  let clock: ReturnType<typeof createManualClock>
  let deps: ChargePointsDeps
  beforeEach(async () => {
    w = await openSqlWorld()
    clock = createManualClock(T0)
    deps = { transact: w.transact, users: w.stores.points, clock, maxCharge: 1_000_000, maxBalance: 3_000_000 }
  })
  afterEach(async () => { await w.close() })

  const charge = (userId: string, amount: number) => chargePoints(deps, { userId, amount })
  const balance = async (userId: string) => (await getBalance({ points: w.stores.points }, userId)).balance
  const history = (userId: string, limit = 100, beforeId?: number) => getPointHistory({ points: w.stores.points }, { userId, limit, beforeId })

  it('a user who never charged has a balance of 0 and no history', async () => {
    expect(await getBalance({ points: w.stores.points }, 'alice')).toEqual({ userId: 'alice', balance: 0 })
    expect(await history('alice')).toEqual({ items: [], nextCursor: null })
  })

  it('charging adds to the balance and writes a CHARGE entry with the balance after it', async () => {
    expect(await charge('alice', 1000)).toEqual({ userId: 'alice', balance: 1000 })
    clock.advance(MINUTE)
    expect(await charge('alice', 250)).toEqual({ userId: 'alice', balance: 1250 })
    expect(await balance('alice')).toBe(1250)
    const { items } = await history('alice')
    expect(items).toEqual([
      { id: expect.any(Number), userId: 'alice', type: 'CHARGE', amount: 250, balanceAfter: 1250, reservationId: null, createdAt: T0 + MINUTE },
      { id: expect.any(Number), userId: 'alice', type: 'CHARGE', amount: 1000, balanceAfter: 1000, reservationId: null, createdAt: T0 }
    ])
    expect(await balance('bob')).toBe(0)
  })

  it('every charge writes a points.charged event in its transaction, and a refused one writes none', async () => {
    await charge('alice', 1000)
    await expect(charge('alice', 2_999_001)).rejects.toMatchObject({ code: 'CHARGE_LIMIT_EXCEEDED' })
    const events = await w.stores.outbox.listAfter(null, 10)
    expect(events).toEqual([expect.objectContaining({ type: 'points.charged', showId: null, occurredAt: T0, data: { userId: 'alice', amount: 1000, balance: 1000 } })])
  })

  it('one charge may be exactly maxCharge, and a larger one is CHARGE_LIMIT_EXCEEDED changing nothing', async () => {
    await charge('alice', 1_000_000)
    await expect(charge('alice', 1_000_001)).rejects.toMatchObject({ status: 422, code: 'CHARGE_LIMIT_EXCEEDED', extensions: { maxCharge: 1_000_000 } })
    expect(await balance('alice')).toBe(1_000_000)
    expect((await history('alice')).items).toHaveLength(1)
  })

  it('a charge that would take the balance past maxBalance is CHARGE_LIMIT_EXCEEDED and changes nothing; reaching it exactly is fine', async () => {
    await charge('alice', 1_000_000)
    await charge('alice', 1_000_000)
    await charge('alice', 999_999)
    await expect(charge('alice', 2)).rejects.toMatchObject({ status: 422, code: 'CHARGE_LIMIT_EXCEEDED', extensions: { maxBalance: 3_000_000 } })
    expect(await balance('alice')).toBe(2_999_999)
    expect((await history('alice')).items).toHaveLength(3)
    expect(await charge('alice', 1)).toEqual({ userId: 'alice', balance: 3_000_000 })
    await expect(charge('alice', 1)).rejects.toMatchObject({ code: 'CHARGE_LIMIT_EXCEEDED' })
    expect(await balance('alice')).toBe(3_000_000)
  })

  it('history pages newest first and nextCursor leads to the next page until the end', async () => {
    for (let i = 1; i <= 5; i++) await charge('alice', i)
    await charge('bob', 99)

    const p1 = await history('alice', 2)
    expect(p1.items.map(e => e.amount)).toEqual([5, 4])
    expect(p1.nextCursor).toBe(p1.items[1].id)
    const p2 = await history('alice', 2, p1.nextCursor!)
    expect(p2.items.map(e => e.amount)).toEqual([3, 2])
    const p3 = await history('alice', 2, p2.nextCursor!)
    expect(p3).toEqual({ items: [expect.objectContaining({ amount: 1, balanceAfter: 1 })], nextCursor: null })
  })

  it('a last page that is exactly full has no nextCursor', async () => {
    for (let i = 1; i <= 4; i++) await charge('alice', i)
    const p1 = await history('alice', 2)
    const p2 = await history('alice', 2, p1.nextCursor!)
    expect(p2.items.map(e => e.amount)).toEqual([2, 1])
    expect(p2.nextCursor).toBeNull()
  })
})

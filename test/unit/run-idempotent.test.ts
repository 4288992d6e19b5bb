// Unit: runIdempotent around chargePoints and payReservation, over SQLite in memory with a manual clock.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashRequest, runIdempotent, type IdempotencyDeps } from '../../src/modules/idempotency/run-idempotent.js'
import { payReservation } from '../../src/modules/payments/pay-reservation.js'
import { chargePoints } from '../../src/modules/points/charge-points.js'
import { ServiceUnavailableError } from '../../src/shared/errors.js'
import type { Transact } from '../../src/shared/transaction.js'
import { SECOND, givenBalance, openBookingWorld, type BookingWorld } from '../support/factories.js'

const STALE = 30 * SECOND

describe('runIdempotent', () => {
  let w: BookingWorld
  let deps: IdempotencyDeps
  let runs: number
  beforeEach(async () => {
    w = await openBookingWorld({ price: 100_000 })
    deps = { idempotency: w.stores.idempotency, transact: w.transact, clock: w.clock, staleAfterMs: STALE, waitMs: 5 * SECOND }
    runs = 0
  })
  afterEach(async () => { await w.close() })

  const chargeWith = (transact: Transact, userId: string, amount: number) => {
    runs++
    return chargePoints({ transact, users: w.stores.points, clock: w.clock, maxCharge: 1_000_000, maxBalance: 10_000_000 }, { userId, amount })
  }
  /** A charge as the route runs it: scope per user, the body as the request. */
  const charge = (userId: string, amount: number, key?: string) => key === undefined
    ? chargeWith(w.transact, userId, amount)
    : runIdempotent(deps, { scope: `charge:${userId}`, key, request: { amount } }, transact => chargeWith(transact, userId, amount))
  const pay = (userId: string, reservationId: number, key: string) =>
    runIdempotent(deps, { scope: `pay:${userId}`, key, request: { reservationId } }, transact =>
      payReservation({ transact, users: w.stores.points, clock: w.clock, events: w.events }, { userId, reservationId }))
  const balance = (userId: string) => w.stores.points.balance(userId)
  const entries = async (userId: string) => (await w.stores.points.history(userId, 100)).length

  it('a retry with the same key replays the first result and moves money once', async () => {
    expect(await charge('alice', 1000, 'k1')).toEqual({ userId: 'alice', balance: 1000 })
    await charge('alice', 500)
    expect(await charge('alice', 1000, 'k1')).toEqual({ userId: 'alice', balance: 1000 })
    expect(await balance('alice')).toBe(1500)
    expect(await entries('alice')).toBe(2)
    expect(runs).toBe(2)
    expect(await w.stores.idempotency.find('charge:alice', 'k1')).toMatchObject({ state: 'DONE', outcome: { ok: true, value: { userId: 'alice', balance: 1000 } } })
  })

  it('a 4xx outcome is replayed as the same error, even once the request would now succeed', async () => {
    const r = await w.hold('alice', 1)
    await expect(pay('alice', r.id, 'p1')).rejects.toMatchObject({ status: 422, code: 'INSUFFICIENT_POINTS' })
    await givenBalance(w, 'alice', 100_000)
    await expect(pay('alice', r.id, 'p1')).rejects.toMatchObject({ status: 422, code: 'INSUFFICIENT_POINTS', extensions: { price: 100_000, balance: 0 } })
    expect(await balance('alice')).toBe(100_000)
    expect((await w.stores.reservations.findById(r.id))?.status).toBe('HELD')
    await expect(pay('alice', r.id, 'p2')).resolves.toMatchObject({ status: 'CONFIRMED', balance: 0 })
  })

  it('a replayed payment returns the recorded result and pays once', async () => {
    await givenBalance(w, 'alice', 250_000)
    const r = await w.hold('alice', 1)
    const first = await pay('alice', r.id, 'p1')
    w.clock.advance(SECOND)
    expect(await pay('alice', r.id, 'p1')).toEqual(first)
    expect(await balance('alice')).toBe(150_000)
    expect(await w.database.db.selectFrom('payments').selectAll().execute()).toHaveLength(1)
  })

  it('the same key with a different request is IDEMPOTENCY_KEY_REUSED and does not run', async () => {
    await charge('alice', 1000, 'k1')
    await expect(charge('alice', 2000, 'k1')).rejects.toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' })
    expect(await balance('alice')).toBe(1000)
    expect(runs).toBe(1)
  })

  it('the same key in another scope is a different request', async () => {
    await charge('alice', 1000, 'k1')
    await charge('bob', 1000, 'k1')
    expect(await balance('alice')).toBe(1000)
    expect(await balance('bob')).toBe(1000)
  })

  it('a 5xx-type failure releases the key so a retry runs', async () => {
    const request = { scope: 'charge:alice', key: 'k1', request: { amount: 1000 } }
    await expect(runIdempotent(deps, request, async () => { throw new Error('connection lost') })).rejects.toThrow('connection lost')
    expect(await w.stores.idempotency.find('charge:alice', 'k1')).toBeNull()
    await expect(runIdempotent(deps, request, async () => { throw new ServiceUnavailableError('database down') })).rejects.toMatchObject({ status: 503 })
    expect(await w.stores.idempotency.find('charge:alice', 'k1')).toBeNull()
    expect(await charge('alice', 1000, 'k1')).toEqual({ userId: 'alice', balance: 1000 })
    expect(await balance('alice')).toBe(1000)
  })

  it('a failure after the money moved replays the committed result instead of moving it again', async () => {
    const request = { scope: 'charge:alice', key: 'k1', request: { amount: 1000 } }
    await expect(runIdempotent(deps, request, async (transact) => {
      await chargeWith(transact, 'alice', 1000)
      throw new Error('socket closed before the reply')
    })).rejects.toThrow('socket closed')
    expect(await charge('alice', 1000, 'k1')).toEqual({ userId: 'alice', balance: 1000 })
    expect(await balance('alice')).toBe(1000)
    expect(runs).toBe(1)
  })

  it('ten concurrent duplicates move money once and all get the same result', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => charge('alice', 1000, 'same')))
    expect(results).toEqual(Array(10).fill({ userId: 'alice', balance: 1000 }))
    expect(await balance('alice')).toBe(1000)
    expect(await entries('alice')).toBe(1)
    expect(runs).toBe(1)
  })

  it('a stale PENDING record left by a crashed request is taken over and run', async () => {
    expect(await w.stores.idempotency.claim('charge:alice', 'k1', hashRequest({ amount: 1000 }), w.clock.now())).toBe(true)
    w.clock.advance(STALE + 1)
    expect(await charge('alice', 1000, 'k1')).toEqual({ userId: 'alice', balance: 1000 })
    expect(await w.stores.idempotency.find('charge:alice', 'k1')).toMatchObject({ state: 'DONE', createdAt: w.clock.now() })
    expect(runs).toBe(1)
  })

  it('a PENDING record that is not stale yet makes a duplicate wait and give up with 503, without running', async () => {
    await w.stores.idempotency.claim('charge:alice', 'k1', hashRequest({ amount: 1000 }), w.clock.now())
    w.clock.advance(STALE)
    deps.waitMs = 100
    await expect(charge('alice', 1000, 'k1')).rejects.toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' })
    expect(runs).toBe(0)
    expect(await balance('alice')).toBe(0)
    expect(await w.stores.idempotency.find('charge:alice', 'k1')).toMatchObject({ state: 'PENDING' })
  })
})

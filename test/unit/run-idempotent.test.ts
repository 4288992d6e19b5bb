// Unit: runIdempotent around chargePoints and payReservation, over SQLite in memory with a manual clock.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_LEASE_MS, DEFAULT_WAIT_MS, hashRequest, runIdempotent, type IdempotencyDeps } from '../../src/modules/idempotency/run-idempotent.js'
import { payReservation } from '../../src/modules/payments/pay-reservation.js'
import { chargePoints } from '../../src/modules/points/charge-points.js'
import { ServiceUnavailableError } from '../../src/shared/errors.js'
import { unfenced, type Fenced } from '../../src/modules/idempotency/fence.js'
import { SECOND, givenBalance, openBookingWorld, type BookingWorld } from '../support/factories.js'

/** Manual-clock time: the renewal timer (a third of it, in real time) never fires in a test unless one waits for it. */
const LEASE = 30 * SECOND

describe('runIdempotent', () => {
  let w: BookingWorld
  let deps: IdempotencyDeps
  let runs: number
  beforeEach(async () => {
    w = await openBookingWorld({ price: 100_000 })
    deps = { idempotency: w.writes.idempotency, clock: w.clock, leaseMs: LEASE, waitMs: 5 * SECOND }
    runs = 0
  })
  afterEach(async () => { await w.close() })

  const chargeWith = (fenced: Fenced, userId: string, amount: number) => {
    runs++
    return chargePoints({ ledger: w.writes.ledgers.points, fenced, clock: w.clock, maxCharge: 1_000_000, maxBalance: 10_000_000 }, { userId, amount })
  }
  /** A charge as the route runs it: scope per user, the body as the request. */
  const charge = (userId: string, amount: number, key?: string) => key === undefined
    ? chargeWith(unfenced, userId, amount)
    : runIdempotent(deps, { scope: `charge:${userId}`, key, request: { amount } }, fenced => chargeWith(fenced, userId, amount))
  const pay = (userId: string, reservationId: number, key: string) =>
    runIdempotent(deps, { scope: `pay:${userId}`, key, request: { reservationId } }, fenced =>
      payReservation({ ledger: w.writes.ledgers.payments, fenced, clock: w.clock, events: w.events }, { userId, reservationId }))
  const balance = (userId: string) => w.stores.points.balance(userId)
  const entries = async (userId: string) => (await w.stores.points.history(userId, 100)).length

  it('a retry with the same key replays the first result and moves money once', async () => {
    expect(await charge('alice', 1000, 'k1')).toEqual({ userId: 'alice', balance: 1000 })
    await charge('alice', 500)
    expect(await charge('alice', 1000, 'k1')).toEqual({ userId: 'alice', balance: 1000 })
    expect(await balance('alice')).toBe(1500)
    expect(await entries('alice')).toBe(2)
    expect(runs).toBe(2)
    expect(await w.writes.idempotency.find('charge:alice', 'k1')).toMatchObject({ state: 'DONE', outcome: { ok: true, value: { userId: 'alice', balance: 1000 } } })
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
    expect(await w.writes.idempotency.find('charge:alice', 'k1')).toBeNull()
    await expect(runIdempotent(deps, request, async () => { throw new ServiceUnavailableError('database down') })).rejects.toMatchObject({ status: 503 })
    expect(await w.writes.idempotency.find('charge:alice', 'k1')).toBeNull()
    expect(await charge('alice', 1000, 'k1')).toEqual({ userId: 'alice', balance: 1000 })
    expect(await balance('alice')).toBe(1000)
  })

  it('a failure after the money moved replays the committed result instead of moving it again', async () => {
    const request = { scope: 'charge:alice', key: 'k1', request: { amount: 1000 } }
    await expect(runIdempotent(deps, request, async (fenced) => {
      await chargeWith(fenced, 'alice', 1000)
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

  /** Claims a key as a request that then died would have: PENDING, its lease running from now. */
  const claimAsDeadRequest = (key: string, amount: number) => w.writes.idempotency.claim({
    scope: 'charge:alice', key, requestHash: hashRequest({ amount }), owner: 'dead-owner', createdAt: w.clock.now(), leaseUntil: w.clock.now() + LEASE
  })

  it('a key whose request died (its lease lapsed) is taken over by the next retry, which runs it', async () => {
    expect(await claimAsDeadRequest('k1', 1000)).toBe(true)
    w.clock.advance(LEASE)
    expect(await charge('alice', 1000, 'k1')).toEqual({ userId: 'alice', balance: 1000 })
    expect(await w.writes.idempotency.find('charge:alice', 'k1')).toMatchObject({ state: 'DONE', outcome: { ok: true } })
    expect((await w.writes.idempotency.find('charge:alice', 'k1'))?.owner).not.toBe('dead-owner')
    expect(runs).toBe(1)
  })

  it('a PENDING key whose lease still runs makes a duplicate wait, then answer 409 IDEMPOTENCY_IN_PROGRESS without running', async () => {
    await claimAsDeadRequest('k1', 1000)
    w.clock.advance(LEASE - 1)
    deps.waitMs = 100
    await expect(charge('alice', 1000, 'k1')).rejects.toMatchObject({ status: 409, code: 'IDEMPOTENCY_IN_PROGRESS', retryAfterSeconds: 1 })
    expect(runs).toBe(0)
    expect(await balance('alice')).toBe(0)
    expect(await w.writes.idempotency.find('charge:alice', 'k1')).toMatchObject({ state: 'PENDING', owner: 'dead-owner' })
  })

  it('by default a duplicate waits at most 2 s and a dead request\'s key is free again after 5 s', () => {
    expect(DEFAULT_WAIT_MS).toBeLessThanOrEqual(2000)
    expect(DEFAULT_LEASE_MS).toBeLessThanOrEqual(5000)
  })

  it('the owner renews its lease while it runs, so a slow but live request is not taken over', async () => {
    deps.leaseMs = 90 // renewed every 30 ms of real time
    const first = stalledRun(fenced => chargeWith(fenced, 'alice', 1000))
    const firstDone = runIdempotent(deps, { scope: 'charge:alice', key: 'k1', request: { amount: 1000 } }, first.run)
    await first.started
    const claimed = (await w.writes.idempotency.find('charge:alice', 'k1'))!
    w.clock.advance(60)
    await waitFor(async () => (await w.writes.idempotency.find('charge:alice', 'k1'))!.leaseUntil > claimed.leaseUntil)
    w.clock.advance(60) // past the first lease, within the renewed one
    deps.waitMs = 50
    await expect(charge('alice', 1000, 'k1')).rejects.toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS' })
    first.resume()
    expect(await firstDone).toEqual({ userId: 'alice', balance: 1000 })
    expect(await balance('alice')).toBe(1000)
  })

  it('a request that lost its key while stalled moves no money and says the retry is still in progress', async () => {
    const first = stalledRun(fenced => chargeWith(fenced, 'alice', 1000))
    const firstDone = runIdempotent(deps, { scope: 'charge:alice', key: 'k1', request: { amount: 1000 } }, first.run)
    await first.started
    w.clock.advance(LEASE)
    const second = stalledRun(fenced => chargeWith(fenced, 'alice', 1000))
    const secondDone = runIdempotent(deps, { scope: 'charge:alice', key: 'k1', request: { amount: 1000 } }, second.run)
    await second.started
    deps.waitMs = 50
    first.resume()
    await expect(firstDone).rejects.toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS' })
    expect(await balance('alice')).toBe(0)
    second.resume()
    expect(await secondDone).toEqual({ userId: 'alice', balance: 1000 })
    expect(await entries('alice')).toBe(1)
  })

  it('when the release fails too (the database went away), the key is usable again once its lease lapses', async () => {
    const failing = { ...w.writes.idempotency, release: async () => { throw new Error('connection lost') } }
    const request = { scope: 'charge:alice', key: 'k1', request: { amount: 1000 } }
    await expect(runIdempotent({ ...deps, idempotency: failing }, request, async () => { throw new Error('connection lost') })).rejects.toThrow('connection lost')
    expect(await w.writes.idempotency.find('charge:alice', 'k1')).toMatchObject({ state: 'PENDING' })
    w.clock.advance(LEASE)
    expect(await charge('alice', 1000, 'k1')).toEqual({ userId: 'alice', balance: 1000 })
  })

  /** Polls `check` (real time) until it holds. */
  async function waitFor (check: () => Promise<boolean>): Promise<void> {
    while (!await check()) await new Promise(resolve => setTimeout(resolve, 5))
  }

  /** A run that stops before its transaction until `resume` is called (a stalled process, a slow lock). */
  function stalledRun<T> (body: (fenced: Fenced) => Promise<T>): { run: (fenced: Fenced) => Promise<T>, started: Promise<void>, resume: () => void } {
    let resume!: () => void
    let started!: () => void
    const gate = new Promise<void>(resolve => { resume = resolve })
    const startedP = new Promise<void>(resolve => { started = resolve })
    return { run: async (fenced) => { started(); await gate; return body(fenced) }, started: startedP, resume }
  }

  it('a first charge stalled past its lease is fenced off: the retry that took the key over charges once and the stalled one replays its answer', async () => {
    const first = stalledRun(fenced => chargeWith(fenced, 'alice', 1000))
    const firstDone = runIdempotent(deps, { scope: 'charge:alice', key: 'k1', request: { amount: 1000 } }, first.run)
    await first.started
    w.clock.advance(LEASE + 1)
    expect(await charge('alice', 1000, 'k1')).toEqual({ userId: 'alice', balance: 1000 })
    first.resume()
    expect(await firstDone).toEqual({ userId: 'alice', balance: 1000 })
    expect(await balance('alice')).toBe(1000)
    expect(await entries('alice')).toBe(1)
  })

  it('a first payment stalled past its lease never answers ALREADY_PAID for the payment made under its own key', async () => {
    await givenBalance(w, 'alice', 250_000)
    const r = await w.hold('alice', 1)
    const first = stalledRun(fenced => payReservation({ ledger: w.writes.ledgers.payments, fenced, clock: w.clock, events: w.events }, { userId: 'alice', reservationId: r.id }))
    const firstDone = runIdempotent(deps, { scope: 'pay:alice', key: 'p1', request: { reservationId: r.id } }, first.run)
    await first.started
    w.clock.advance(LEASE + 1)
    const retry = await pay('alice', r.id, 'p1')
    first.resume()
    expect(await firstDone).toEqual(retry)
    expect(await balance('alice')).toBe(150_000)
    expect(await w.database.db.selectFrom('payments').selectAll().execute()).toHaveLength(1)
  })

  it('a retry while the first request still runs waits, then gets 409 IDEMPOTENCY_IN_PROGRESS with a retry-after, and does not run', async () => {
    const first = stalledRun(fenced => chargeWith(fenced, 'alice', 1000))
    const firstDone = runIdempotent(deps, { scope: 'charge:alice', key: 'k1', request: { amount: 1000 } }, first.run)
    await first.started
    deps.waitMs = 100
    const refused = await charge('alice', 1000, 'k1').catch((err: unknown) => err)
    expect(refused).toMatchObject({ status: 409, code: 'IDEMPOTENCY_IN_PROGRESS', retryAfterSeconds: expect.any(Number) })
    expect(runs).toBe(0)
    first.resume()
    expect(await firstDone).toEqual({ userId: 'alice', balance: 1000 })
    expect(await charge('alice', 1000, 'k1')).toEqual({ userId: 'alice', balance: 1000 })
    expect(runs).toBe(1)
  })
})

// Unit: the waiting room's use cases over the memory queue store, SQLite concerts and a manual clock.

import { createHash, createHmac } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryQueueStore } from '../../src/adapters/memory/queue.memory.js'
import { createCachedSeatSupply } from '../../src/adapters/memory/seat-supply.memory.js'
import { createSqlDrawRecords } from '../../src/adapters/sql/draws.sql.js'
import { payReservation } from '../../src/modules/payments/pay-reservation.js'
import { readDraw } from '../../src/modules/queue/draw.js'
import { estimateWait, refreshAfterMs, soldOutLikely, type QueuePolicy } from '../../src/modules/queue/queue.js'
import { createQueueLocal } from '../../src/modules/queue/queue-local.js'
import type { QueueStore } from '../../src/modules/queue/queue-store.js'
import { decodeQueueToken, encodeQueueToken } from '../../src/modules/queue/queue-token.js'
import {
  admitWaiting, currentTicket, endTurnAfterPurchase, isTokenActive, joinQueue, leaveQueue, requireActive, verifyQueueToken, type QueueTicket, type WaitingRoomDeps
} from '../../src/modules/queue/waiting-room.js'
import { createManualClock } from '../../src/shared/clock.js'
import { HOUR, MINUTE, SECOND, T0, concertInput, givenBalance, givenConcert, openBookingWorld, openSqlWorld, type SqlWorld } from '../support/factories.js'

const SECRET = 'unit-test-secret-that-is-at-least-32-bytes'
const POLICY: QueuePolicy = {
  maxActive: 2, activeTtlMs: 10 * MINUTE, heartbeatTimeoutMs: MINUTE, idleTimeoutMs: 2 * MINUTE, admission: 'capacity', admitPerTick: 50, tickMs: 5 * SECOND
}

type Clock = ReturnType<typeof createManualClock>

/** Waiting-room deps over `w` with no caching of figures or seat counts (the manual clock does not move by itself). */
function roomDeps (w: Pick<SqlWorld, 'concerts' | 'database'>, clock: Clock, policy: Partial<QueuePolicy> = {}, queue?: QueueStore): WaitingRoomDeps {
  return {
    queue: queue ?? createMemoryQueueStore({ ...POLICY, ...policy }),
    concerts: w.concerts,
    seats: createCachedSeatSupply(w.concerts, { ttlMs: 0 }),
    draws: createSqlDrawRecords(w.database.db),
    local: createQueueLocal(SECRET, { figuresTtlMs: 0 }),
    clock
  }
}

/** Counts the store calls a use case makes. */
function counting (store: QueueStore): QueueStore & { calls: string[] } {
  const calls: string[] = []
  return new Proxy(store, {
    get (target, prop, receiver) {
      if (prop === 'calls') return calls
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => { calls.push(String(prop)); return (value as (...a: unknown[]) => unknown).apply(target, args) }
    }
  }) as QueueStore & { calls: string[] }
}

describe('waiting room', () => {
  let w: SqlWorld
  let clock: Clock
  let deps: WaitingRoomDeps
  let concertId: number
  let otherConcertId: number
  beforeEach(async () => {
    w = await openSqlWorld()
    clock = createManualClock(T0)
    deps = roomDeps(w, clock)
    concertId = (await givenConcert(w.concerts)).concert.id
    otherConcertId = (await givenConcert(w.concerts, { title: 'Other' })).concert.id
  })
  afterEach(async () => { await w.close() })

  const join = async (userId: string, id = concertId, d = deps): Promise<QueueTicket> => (await joinQueue(d, { userId, concertId: id })).ticket
  const claimsOf = (t: QueueTicket) => decodeQueueToken(SECRET, t.token)

  describe('joinQueue', () => {
    it('an unknown concert is CONCERT_NOT_FOUND', async () => {
      await expect(join('alice', 9999)).rejects.toMatchObject({ status: 404, code: 'CONCERT_NOT_FOUND' })
    })

    it('a user is ACTIVE at once while a slot is free and nobody waits', async () => {
      const { ticket, created } = await joinQueue(deps, { userId: 'alice', concertId })
      expect(created).toBe(true)
      expect(ticket).toMatchObject({
        userId: 'alice', concertId, status: 'ACTIVE', position: 0, estimatedWaitSeconds: 0, refreshAfterMs: null, soldOutLikely: false, drawKey: null, activeUntil: T0 + POLICY.activeTtlMs
      })
      expect(claimsOf(ticket)).toEqual({ concertId, userId: 'alice', tokenId: ticket.tokenId })
    })

    it('with every slot taken the next users WAIT in order, with a position, an ETA from the admissions measured and a polling pace', async () => {
      await join('alice')
      await join('bob')
      const carol = await join('carol')
      const dave = await join('dave')
      expect(carol).toMatchObject({ status: 'WAITING', position: 1, activeUntil: null, soldOutLikely: false, drawKey: null })
      expect(dave).toMatchObject({ status: 'WAITING', position: 2 })
      // Two admissions in the last minute: one place every 30 s.
      expect(carol.estimatedWaitSeconds).toBe(30)
      expect(carol.estimatedWaitRange).toEqual({ p50: 30, p90: 30 })
      expect(dave.estimatedWaitSeconds).toBe(60)
      expect(carol.refreshAfterMs).toBeGreaterThanOrEqual(1000)
      expect(carol.refreshAfterMs).toBeLessThanOrEqual(POLICY.heartbeatTimeoutMs / 2)
    })

    it('without any measured admission the range is null and the figure is the worst case', async () => {
      const d = roomDeps(w, clock, { maxActive: 0 })
      const t = await join('alice', concertId, d)
      expect(t).toMatchObject({ status: 'WAITING', position: 1, estimatedWaitRange: null, estimatedWaitSeconds: 600 })
    })

    it('joining again returns the same token and place (200, not 201)', async () => {
      await join('alice')
      await join('bob')
      const first = await join('carol')
      await join('dave')
      clock.advance(SECOND)
      const again = await joinQueue(deps, { userId: 'carol', concertId })
      expect(again.created).toBe(false)
      expect(again.ticket).toMatchObject({ token: first.token, tokenId: first.tokenId, status: 'WAITING', position: 1 })
      const active = await joinQueue(deps, { userId: 'alice', concertId })
      expect(active.created).toBe(false)
      expect(active.ticket.status).toBe('ACTIVE')
    })

    it('queues of different concerts are separate', async () => {
      await join('alice')
      await join('bob')
      expect((await join('carol', otherConcertId)).status).toBe('ACTIVE')
    })
  })

  describe('admission', () => {
    it('the first waiting user is admitted when a slot is given back', async () => {
      const alice = await join('alice')
      await join('bob')
      const carol = await join('carol')
      await leaveQueue(deps, claimsOf(alice))
      expect(await currentTicket(deps, claimsOf(carol))).toMatchObject({ status: 'ACTIVE', position: 0, refreshAfterMs: null })
    })

    it('a waiting token not polled for longer than the heartbeat timeout leaves the queue (QUEUE_TOKEN_EXPIRED)', async () => {
      await join('alice')
      await join('bob')
      const carol = claimsOf(await join('carol'))
      clock.advance(POLICY.heartbeatTimeoutMs)
      expect((await currentTicket(deps, carol)).status).toBe('WAITING')
      clock.advance(POLICY.heartbeatTimeoutMs + 1)
      await expect(currentTicket(deps, carol)).rejects.toMatchObject({ status: 410, code: 'QUEUE_TOKEN_EXPIRED' })
    })

    it('an ACTIVE fan with no request for the idle timeout lapses and the next in line is admitted by the next tick', async () => {
      const d = roomDeps(w, clock, { maxActive: 1, idleTimeoutMs: 30 * SECOND })
      const alice = await join('alice', concertId, d)
      const bob = await join('bob', concertId, d)
      clock.advance(30 * SECOND)
      expect(await admitWaiting(d)).toBe(0)
      clock.advance(1)
      expect(await admitWaiting(d)).toBe(1)
      expect((await currentTicket(d, claimsOf(bob))).status).toBe('ACTIVE')
      await expect(requireActive(d, alice.token, 'alice')).rejects.toMatchObject({ code: 'QUEUE_TOKEN_EXPIRED' })
    })

    it('requests with the token, even answered from the cache, keep an ACTIVE fan from idling out', async () => {
      const store = counting(createMemoryQueueStore({ ...POLICY, maxActive: 1, idleTimeoutMs: 30 * SECOND, heartbeatTimeoutMs: HOUR }))
      const d = roomDeps(w, clock, {}, store)
      const alice = await join('alice', concertId, d)
      const bob = await join('bob', concertId, d)
      for (let i = 0; i < 10; i++) {
        clock.advance(20 * SECOND)
        await requireActive(d, alice.token, 'alice')
        clock.advance(500)
        await requireActive(d, alice.token, 'alice') // within the recheck window: no store call
        await admitWaiting(d) // writes the activity seen, then admits
      }
      expect((await currentTicket(d, claimsOf(bob))).status).toBe('WAITING')
      expect(store.calls.filter(c => c === 'touch').length).toBeLessThan(25)
    })

    it('a live seat map that checks its token keeps it busy', async () => {
      const d = roomDeps(w, clock, { maxActive: 1, idleTimeoutMs: 10 * SECOND })
      const alice = await join('alice', concertId, d)
      await join('bob', concertId, d)
      for (let i = 0; i < 6; i++) {
        if (i % 2 === 0) expect(await isTokenActive(d, concertId, alice.tokenId)).toBe(true) // every 5 s, as the stream does
        clock.advance(2500)
        await admitWaiting(d)
      }
      await expect(requireActive(d, alice.token, 'alice')).resolves.toMatchObject({ status: 'ACTIVE' })
    })

    it('under the rate model a new token waits for the tick even with free slots, then the tick admits a batch', async () => {
      const d = roomDeps(w, clock, { admission: 'rate', maxActive: 10, admitPerTick: 2, tickMs: 5 * SECOND })
      const tickets = [await join('a', concertId, d), await join('b', concertId, d), await join('c', concertId, d)]
      expect(tickets.map(t => t.status)).toEqual(['WAITING', 'WAITING', 'WAITING'])
      expect(await admitWaiting(d)).toBe(2)
      expect(await admitWaiting(d)).toBe(0)
      clock.advance(5 * SECOND)
      expect(await admitWaiting(d)).toBe(1)
    })

    it('a purchase ends the buyer\'s turn and admits the next in line at once', async () => {
      const alice = await join('alice')
      await join('bob')
      const carol = await join('carol')
      await requireActive(deps, alice.token, 'alice') // cached ACTIVE answer
      await endTurnAfterPurchase(deps, { concertId, userId: 'alice' })
      await expect(requireActive(deps, alice.token, 'alice')).rejects.toMatchObject({ code: 'QUEUE_TOKEN_EXPIRED' })
      expect((await currentTicket(deps, claimsOf(carol))).status).toBe('ACTIVE')
    })
  })

  describe('requireActive', () => {
    it('an ACTIVE token of the bearer for the concert passes', async () => {
      const ticket = await join('alice')
      await expect(requireActive(deps, ticket.token, 'alice', concertId)).resolves.toMatchObject({ status: 'ACTIVE', tokenId: ticket.tokenId })
      await expect(requireActive(deps, ticket.token, 'alice')).resolves.toMatchObject({ concertId })
    })

    it('a token seen before is not verified again: the same claims come back from the cache', async () => {
      const ticket = await join('alice')
      expect(verifyQueueToken(deps, ticket.token)).toBe(verifyQueueToken(deps, ticket.token))
    })

    it('asks the store once per second at most for a busy ACTIVE token, and never past activeUntil', async () => {
      const store = counting(createMemoryQueueStore({ ...POLICY, idleTimeoutMs: HOUR }))
      const d = roomDeps(w, clock, {}, store)
      const ticket = await join('alice', concertId, d)
      const touches = (): number => store.calls.filter(c => c === 'touch').length
      for (let i = 0; i < 5; i++) await requireActive(d, ticket.token, 'alice')
      expect(touches()).toBe(0) // the join's answer was ACTIVE
      clock.advance(SECOND)
      await requireActive(d, ticket.token, 'alice')
      expect(touches()).toBe(1)
      clock.set(T0 + POLICY.activeTtlMs - 1)
      await requireActive(d, ticket.token, 'alice')
      clock.advance(1)
      await expect(requireActive(d, ticket.token, 'alice')).rejects.toMatchObject({ status: 410, code: 'QUEUE_TOKEN_EXPIRED' })
    })

    it('no token is QUEUE_TOKEN_REQUIRED', async () => {
      await expect(requireActive(deps, undefined, 'alice')).rejects.toMatchObject({ status: 401, code: 'QUEUE_TOKEN_REQUIRED' })
      await expect(requireActive(deps, '', 'alice')).rejects.toMatchObject({ code: 'QUEUE_TOKEN_REQUIRED' })
    })

    it('a forged or altered token is QUEUE_TOKEN_INVALID, even while the real one is cached', async () => {
      const ticket = await join('alice')
      await requireActive(deps, ticket.token, 'alice')
      const forged = encodeQueueToken('another-secret-that-is-also-32-bytes-long', { concertId, userId: 'alice', tokenId: ticket.tokenId })
      const [, signature] = ticket.token.split('.')
      const otherPayload = Buffer.from(JSON.stringify({ c: otherConcertId, u: 'alice', t: ticket.tokenId })).toString('base64url')
      for (const token of [forged, `${otherPayload}.${signature}`, `${ticket.token}x`, `${ticket.token}.extra`, 'not-a-token', '.', 'a'.repeat(600)]) {
        await expect(requireActive(deps, token, 'alice'), token).rejects.toMatchObject({ status: 401, code: 'QUEUE_TOKEN_INVALID' })
      }
    })

    it("another user's token is QUEUE_TOKEN_INVALID", async () => {
      const ticket = await join('alice')
      await requireActive(deps, ticket.token, 'alice')
      await expect(requireActive(deps, ticket.token, 'mallory')).rejects.toMatchObject({ status: 401, code: 'QUEUE_TOKEN_INVALID' })
      expect(() => verifyQueueToken(deps, ticket.token, 'mallory')).toThrow(expect.objectContaining({ code: 'QUEUE_TOKEN_INVALID' }))
    })

    it('a WAITING token is QUEUE_NOT_ADMITTED', async () => {
      await join('alice')
      await join('bob')
      const ticket = await join('carol')
      await expect(requireActive(deps, ticket.token, 'carol')).rejects.toMatchObject({ status: 403, code: 'QUEUE_NOT_ADMITTED' })
    })

    it('a token for another concert is QUEUE_TOKEN_CONCERT_MISMATCH, even while cached', async () => {
      const ticket = await join('alice')
      await requireActive(deps, ticket.token, 'alice', concertId)
      await expect(requireActive(deps, ticket.token, 'alice', otherConcertId)).rejects.toMatchObject({ status: 403, code: 'QUEUE_TOKEN_CONCERT_MISMATCH' })
    })

    it('a token that left through another instance is refused once the cached answer is a second old', async () => {
      const store = createMemoryQueueStore(POLICY)
      const here = roomDeps(w, clock, {}, store)
      const there = roomDeps(w, clock, {}, store) // same store, its own in-process cache
      const ticket = await join('alice', concertId, here)
      await requireActive(here, ticket.token, 'alice')
      await leaveQueue(there, claimsOf(ticket))
      await expect(requireActive(there, ticket.token, 'alice')).rejects.toMatchObject({ code: 'QUEUE_TOKEN_EXPIRED' })
      clock.advance(SECOND)
      await expect(requireActive(here, ticket.token, 'alice')).rejects.toMatchObject({ code: 'QUEUE_TOKEN_EXPIRED' })
    })

    it('a token that left through this instance is refused at once', async () => {
      const ticket = await join('alice')
      await requireActive(deps, ticket.token, 'alice')
      await leaveQueue(deps, claimsOf(ticket))
      await expect(requireActive(deps, ticket.token, 'alice')).rejects.toMatchObject({ code: 'QUEUE_TOKEN_EXPIRED' })
    })
  })

  describe('pre-queue and draw', () => {
    const OPENS = T0 + HOUR

    async function concertOpeningAt (opensAt: number | null): Promise<number> {
      return (await w.concerts.createConcert({ ...concertInput({ title: 'Drawn' }), salesOpenAt: opensAt }, T0)).concert.id
    }

    it('pre-queues joins before the opening: no position, no heartbeat needed, not admitted, the ETA is the opening', async () => {
      const id = await concertOpeningAt(OPENS)
      const t = await join('alice', id)
      expect(t).toMatchObject({ status: 'PREQUEUE', position: null, estimatedWaitSeconds: 3600, estimatedWaitRange: null, drawKey: null, activeUntil: null })
      expect(t.refreshAfterMs).toBeGreaterThanOrEqual(HOUR)
      expect(t.refreshAfterMs).toBeLessThan(HOUR + POLICY.heartbeatTimeoutMs / 2)
      await expect(requireActive(deps, t.token, 'alice')).rejects.toMatchObject({ status: 403, code: 'QUEUE_NOT_ADMITTED' })
      clock.advance(POLICY.heartbeatTimeoutMs * 5)
      expect(await admitWaiting(deps)).toBe(0)
      expect((await currentTicket(deps, claimsOf(t))).status).toBe('PREQUEUE')
    })

    it('never shows the seed before the draw: not in the draw route, a ticket or an error', async () => {
      const id = await concertOpeningAt(OPENS)
      const seed = (await w.concerts.findDrawSeed(id))!
      const seen: unknown[] = []
      seen.push(await readDraw(deps, id))
      const t = await join('alice', id)
      seen.push(t, await currentTicket(deps, claimsOf(t)))
      const failure = (e: Error): unknown => ({ ...e, message: e.message, stack: e.stack })
      seen.push(await requireActive(deps, t.token, 'alice').catch(failure))
      seen.push(await requireActive(deps, t.token, 'alice', otherConcertId).catch(failure))
      clock.set(OPENS - 1)
      seen.push(await readDraw(deps, id), await admitWaiting(deps))
      const text = JSON.stringify(seen)
      expect(text).not.toContain(seed)
      expect(text).not.toContain(Buffer.from(seed, 'hex').toString('base64'))
      expect(await readDraw(deps, id)).toEqual({ drawCommitment: createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex'), seed: null, drawnAt: null, entries: null })
    })

    it('at the opening places every pre-queued token in ascending draw key order, ahead of later arrivals, verifiable from the public data', async () => {
      const id = await concertOpeningAt(OPENS)
      const d = roomDeps(w, clock, { maxActive: 0 })
      const early = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(u => join(u, id, d)))
      const before = await readDraw(d, id)
      clock.set(OPENS)
      const late = await join('late', id, d) // the first join after the opening runs the draw first
      expect(late).toMatchObject({ status: 'WAITING', position: 6, drawKey: null })

      const draw = await readDraw(d, id)
      expect(draw.drawCommitment).toBe(before.drawCommitment)
      expect(draw.drawnAt).toBe(OPENS)
      // What any fan can check from the public route alone:
      const seed = Buffer.from(draw.seed!, 'hex')
      expect(seed).toHaveLength(32)
      expect(createHash('sha256').update(seed).digest('hex')).toBe(draw.drawCommitment)
      expect(draw.entries).toEqual([...draw.entries!].sort())
      const keyOf = (tokenId: string): string => createHmac('sha256', seed).update(tokenId, 'utf8').digest('hex')
      expect([...draw.entries!].sort()).toEqual(early.map(t => keyOf(t.tokenId)).sort())
      // Each fan's own key and place agree with the published order.
      const now = await Promise.all(early.map(t => currentTicket(d, claimsOf(t))))
      for (const t of now) {
        expect(t.drawKey).toBe(keyOf(t.tokenId))
        expect(t.position).toBe(draw.entries!.indexOf(t.drawKey!) + 1)
        expect(t.status).toBe('WAITING')
      }
    })

    it('the admission tick runs the draw and admits the drawn first', async () => {
      const id = await concertOpeningAt(OPENS)
      const early = await Promise.all(['a', 'b', 'c'].map(u => join(u, id)))
      clock.set(OPENS + 10)
      expect(await admitWaiting(deps)).toBe(2)
      const draw = await readDraw(deps, id)
      const statuses = await Promise.all(early.map(async t => (await currentTicket(deps, claimsOf(t)))))
      const firstTwo = statuses.filter(t => t.status === 'ACTIVE').map(t => t.drawKey).sort()
      expect(firstTwo).toEqual(draw.entries!.slice(0, 2))
    })

    it('an empty pre-queue is an empty draw, published at the opening', async () => {
      const id = await concertOpeningAt(OPENS)
      clock.set(OPENS + 5)
      expect(await readDraw(deps, id)).toMatchObject({ drawnAt: OPENS + 5, entries: [] })
      expect((await join('first', id)).status).toBe('ACTIVE')
    })

    it('a concert without salesOpenAt has no draw (NOT_FOUND); an unknown concert is CONCERT_NOT_FOUND', async () => {
      const id = await concertOpeningAt(null)
      await expect(readDraw(deps, id)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' })
      await expect(readDraw(deps, 9999)).rejects.toMatchObject({ status: 404, code: 'CONCERT_NOT_FOUND' })
    })
  })

  describe('rules', () => {
    it('estimateWait: 0 once admitted; p50 from the median minute, p90 from the slowest tenth', () => {
      expect(estimateWait(0, [], POLICY)).toEqual({ seconds: 0, range: { p50: 0, p90: 0 } })
      const steady = new Array<number>(54).fill(0).concat(new Array<number>(6).fill(10)) // one minute at 1/s
      expect(estimateWait(30, steady, POLICY)).toEqual({ seconds: 30, range: { p50: 30, p90: 30 } })
      // Ten minutes: nine at 1/s and one at 0.1/s.
      const uneven = new Array<number>(6).fill(1).concat(new Array<number>(54).fill(10))
      const est = estimateWait(60, uneven, POLICY)
      expect(est.range!.p50).toBe(60)
      expect(est.range!.p90).toBeGreaterThan(est.range!.p50)
    })

    it('estimateWait without measurements: every slot turns over at its TTL (capacity) or once per tick (rate)', () => {
      expect(estimateWait(3, [], POLICY)).toEqual({ seconds: 1200, range: null })
      expect(estimateWait(120, [], { ...POLICY, maxActive: 100, admission: 'rate', admitPerTick: 50, tickMs: 5000 })).toEqual({ seconds: 15, range: null })
    })

    it('refreshAfterMs: short near the front, long far back, never more than half the heartbeat', () => {
      const at = (position: number, admissions: number[] = []): number | null =>
        refreshAfterMs({ status: 'WAITING', position, tokenId: 't' }, T0, { opensAt: null }, admissions, POLICY)
      expect(at(1)).toBe(1000)
      expect(at(40)).toBe(10_000)
      expect(at(100_000)).toBe(30_000)
      const fast = new Array<number>(60).fill(1000) // 100 admissions per second
      expect(at(1000, fast)).toBe(5000)
      expect(refreshAfterMs({ status: 'ACTIVE', position: 0, tokenId: 't' }, T0, { opensAt: null }, [], POLICY)).toBeNull()
    })

    it('refreshAfterMs in the first seconds of a sale paces by the admissions of those seconds, not as if a minute had passed', () => {
      // 100 admitted in the 2 s since the sale opened (the meter's current bucket): 50 per second.
      const now = Math.floor(T0 / 10_000) * 10_000 + 2000
      const opening = new Array<number>(59).fill(0).concat([100])
      const at = (position: number): number | null => refreshAfterMs({ status: 'WAITING', position, tokenId: 't' }, now, { opensAt: null }, opening, POLICY)
      // 500 ms / 50 per s = 10 ms a place: the 100th in line polls after 1 s (a minute's pace would have said 25 s).
      expect(at(100)).toBe(1000)
      expect(at(1000)).toBe(10_000)
    })

    it('refreshAfterMs keeps the poll rate of 100,000 waiting fans bounded, whatever the pace of admission', () => {
      for (const perSecond of [0, 1, 100, 10_000]) {
        const admissions = new Array<number>(60).fill(perSecond * 10)
        let rate = 0
        for (let p = 1; p <= 100_000; p++) rate += 1000 / refreshAfterMs({ status: 'WAITING', position: p, tokenId: 't' }, T0, { opensAt: null }, admissions, POLICY)!
        expect(rate, `${perSecond}/s`).toBeLessThan(200 * (1 + Math.log(30)) + 2 * 100_000 / 60)
      }
    })

    it('soldOutLikely: fewer seats than users ahead times the measured share who buy (1 until a payment is measured)', () => {
      const admissions = [10, ...new Array<number>(59).fill(0)]
      expect(soldOutLikely(5, 4, { admissions, payments: new Array<number>(60).fill(0) })).toBe(true)
      expect(soldOutLikely(5, 5, { admissions, payments: new Array<number>(60).fill(0) })).toBe(false)
      const payments = [5, ...new Array<number>(59).fill(0)] // half of the admitted buy
      expect(soldOutLikely(10, 4, { admissions, payments })).toBe(true)
      expect(soldOutLikely(10, 5, { admissions, payments })).toBe(false)
    })
  })
})

describe('waiting room of a sold-out concert', () => {
  it('closes when the last seat is sold (waiting SOLD_OUT, new joins 409, active kept) and reopens when a seat comes back', async () => {
    const world = await openBookingWorld({ seats: 1, holdTtlMs: 5 * MINUTE })
    try {
      const { clock, concert, show } = world
      const d = roomDeps(world, clock, { maxActive: 1 })
      const alice = (await joinQueue(d, { userId: 'alice', concertId: concert.id })).ticket
      const bob = (await joinQueue(d, { userId: 'bob', concertId: concert.id })).ticket
      const reservation = await world.hold('alice', 1)
      // Held, not sold: the room stays open, and bob is told a sale is likely gone.
      await admitWaiting(d)
      expect(await currentTicket(d, decodeQueueToken(SECRET, bob.token))).toMatchObject({ status: 'WAITING', position: 1, soldOutLikely: true })

      await givenBalance(world, 'alice', 1_000_000)
      await payReservation({ ledger: world.writes.ledgers.payments, clock, events: world.events }, { userId: 'alice', reservationId: reservation.id })
      await admitWaiting(d)
      expect(await currentTicket(d, decodeQueueToken(SECRET, bob.token))).toMatchObject({ status: 'SOLD_OUT', position: 1, soldOutLikely: true })
      expect((await currentTicket(d, decodeQueueToken(SECRET, alice.token))).status).toBe('ACTIVE')
      await expect(joinQueue(d, { userId: 'carol', concertId: concert.id })).rejects.toMatchObject({ status: 409, code: 'SOLD_OUT' })
      await endTurnAfterPurchase(d, { concertId: concert.id, userId: 'alice' })
      expect((await currentTicket(d, decodeQueueToken(SECRET, bob.token))).status).toBe('SOLD_OUT') // nobody admitted while sold out

      // The seat comes back (as a refund would return it).
      await world.database.db.updateTable('seats').set({ status: 'AVAILABLE', user_id: null, reservation_id: null, held_until: null })
        .where('show_id', '=', show.id).where('seat_no', '=', 1).execute()
      expect(await admitWaiting(d)).toBe(1)
      expect((await currentTicket(d, decodeQueueToken(SECRET, bob.token))).status).toBe('ACTIVE')
      expect((await joinQueue(d, { userId: 'carol', concertId: concert.id })).ticket.status).toBe('WAITING')
    } finally {
      await world.close()
    }
  })
})

// Contract: the one-transaction writes (HoldStore, PaymentLedger, PointLedger) on every SQL backend — SQLite's synchronous transactions and MySQL's stored procedures.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Show } from '../../src/modules/concerts/concert.js'
import { KeyLostError, type Fence } from '../../src/modules/idempotency/fence.js'
import { hashRequest } from '../../src/modules/idempotency/run-idempotent.js'
import type { BestSeats, ChosenSeats, HoldOutcome, HoldTerms } from '../../src/modules/reservations/hold-store.js'
import type { Reservation } from '../../src/modules/reservations/reservation.js'
import { singleSeatGaps } from '../../src/modules/reservations/seat-blocks.js'
import { SQL_BACKENDS } from '../support/backends.js'
import { T0, givenBalance, givenConcert, newUserId, openSqlWorld, type SqlWorld } from '../support/factories.js'

const TTL = 300_000
const LIVE = T0 + TTL

describe.each(SQL_BACKENDS)('one-transaction writes on %s', (backend) => {
  let w: SqlWorld
  beforeAll(async () => { w = await openSqlWorld(backend, 'writes') })
  afterAll(async () => { await w?.close() })

  const givenShow = async (seats = 8, price = 10_000): Promise<Show> => (await givenConcert(w.concerts, { seats, price })).show
  const terms = (show: Show, userId: string, now = T0, max = 4): HoldTerms => ({ userId, concertId: show.concertId, showId: show.id, date: show.date, heldUntil: now + TTL, now, max })
  const chosen = (show: Show, userId: string, seatNos: number[], o: Partial<ChosenSeats> = {}): ChosenSeats => ({ ...terms(show, userId, o.now), seatNos, price: 10_000 * seatNos.length, ...o })
  const holdOf = (outcome: HoldOutcome): Reservation => {
    if (!('held' in outcome)) throw new Error(`not held: ${JSON.stringify(outcome)}`)
    return outcome.held
  }
  const hold = async (show: Show, userId: string, seatNos: number[], o: Partial<ChosenSeats> = {}): Promise<Reservation> => holdOf(await w.writes.holds.holdChosen(chosen(show, userId, seatNos, o)))

  async function seatRows (show: Show) {
    const rows = await w.database.db.selectFrom('seats').select(['seat_no', 'status', 'held_until', 'user_id', 'reservation_id']).where('show_id', '=', show.id).orderBy('seat_no').execute()
    return rows.map(r => ({ seatNo: Number(r.seat_no), status: r.status, heldUntil: r.held_until === null ? null : Number(r.held_until), userId: r.user_id, reservationId: r.reservation_id === null ? null : Number(r.reservation_id) }))
  }
  const statuses = async (show: Show): Promise<string[]> => (await seatRows(show)).map(s => s.status)
  const reservationsOf = (show: Show) => w.database.db.selectFrom('reservations').select(['id', 'user_id', 'status']).where('show_id', '=', show.id).execute()
  const eventsOf = async (type: string, showId: number | null) => (await w.stores.outbox.listAfter(null, 10_000)).filter(e => e.type === type && e.showId === showId)
  const balance = (userId: string) => w.stores.points.balance(userId)

  /** A PENDING key claimed by `owner`, as runIdempotent would have claimed it. */
  async function claimedFence (scope: string, owner = 'owner-1'): Promise<Fence> {
    const key = newUserId('key')
    expect(await w.writes.idempotency.claim({ scope, key, requestHash: hashRequest({ scope }), owner, createdAt: T0, leaseUntil: T0 + 5000 })).toBe(true)
    return { scope, key, owner, leaseUntil: T0 + 9000 }
  }

  describe('HoldStore.holdChosen', () => {
    it('holds every seat as one reservation: seats HELD by it, its seats recorded, one reservation.held event with numbers as numbers', async () => {
      const show = await givenShow()
      const userId = newUserId()
      const r = await hold(show, userId, [2, 3, 4])
      expect(r).toMatchObject({ userId, showId: show.id, concertId: show.concertId, date: show.date, seatNo: 2, seatNos: [2, 3, 4], price: 30_000, status: 'HELD', heldUntil: LIVE, createdAt: T0 })
      expect((await seatRows(show)).filter(s => s.status === 'HELD')).toEqual([2, 3, 4].map(seatNo => ({ seatNo, status: 'HELD', heldUntil: LIVE, userId, reservationId: r.id })))
      expect(await w.stores.reservations.findById(r.id)).toMatchObject({ seatNos: [2, 3, 4], price: 30_000, status: 'HELD' })
      expect((await eventsOf('reservation.held', show.id)).map(e => e.data)).toEqual([
        { reservationId: String(r.id), userId, concertId: String(show.concertId), date: show.date, seatNos: [2, 3, 4], amount: 30_000 }
      ])
    })

    it('refuses the whole order when a seat is taken or missing, naming those seats, and writes nothing', async () => {
      const show = await givenShow(5)
      await hold(show, newUserId(), [3])
      const userId = newUserId()
      expect(await w.writes.holds.holdChosen(chosen(show, userId, [2, 3, 4]))).toEqual({ refused: 'SEAT_UNAVAILABLE', seatNos: [3] })
      expect(await w.writes.holds.holdChosen(chosen(show, userId, [4, 99]))).toEqual({ refused: 'SEAT_UNAVAILABLE', seatNos: [99] })
      expect(await statuses(show)).toEqual(['AVAILABLE', 'AVAILABLE', 'HELD', 'AVAILABLE', 'AVAILABLE'])
      expect((await reservationsOf(show)).map(r => r.user_id)).not.toContain(userId)
      expect(await eventsOf('reservation.held', show.id)).toHaveLength(1)
    })

    it('takes over a lapsed hold exactly at its heldUntil, not a millisecond before', async () => {
      const show = await givenShow(2)
      const first = await hold(show, newUserId(), [1])
      expect(await w.writes.holds.holdChosen(chosen(show, newUserId(), [1], { now: first.heldUntil - 1 }))).toMatchObject({ refused: 'SEAT_UNAVAILABLE' })
      const second = await hold(show, newUserId(), [1], { now: first.heldUntil, heldUntil: first.heldUntil + TTL })
      expect((await seatRows(show))[0]).toMatchObject({ status: 'HELD', reservationId: second.id })
    })

    it('counts the user\'s live held seats of the show toward max (not lapsed ones, not another show\'s), creating a missing user row', async () => {
      const show = await givenShow(10)
      const other = await givenShow(10)
      const userId = newUserId()
      await hold(other, userId, [1, 2, 3, 4])
      const lapsing = await hold(show, userId, [1], { now: T0 - TTL + 10 })
      await hold(show, userId, [2, 3])
      expect(await w.writes.holds.holdChosen(chosen(show, userId, [4, 5, 6]))).toEqual({ refused: 'HOLD_LIMIT_REACHED' })
      await hold(show, userId, [4, 5], { now: lapsing.heldUntil })
      expect(await w.writes.holds.holdChosen(chosen(show, userId, [6], { now: lapsing.heldUntil }))).toEqual({ refused: 'HOLD_LIMIT_REACHED' })
      expect(await balance(userId)).toBe(0)
      expect(await w.database.db.selectFrom('users').select('id').where('id', '=', userId).execute()).toHaveLength(1)
    })

    it('counts only live HELD seats toward max: not lapsed, paid, cancelled, another show\'s or another user\'s', async () => {
      const show = await givenShow(10)
      const other = await givenShow(4)
      const userId = newUserId()
      await hold(show, userId, [1])
      await hold(show, userId, [2, 3], { heldUntil: T0 + 100 })
      const paid = await hold(show, userId, [4])
      await w.stores.reservations.setStatusFromHeld(paid.id, 'CONFIRMED', T0)
      const cancelled = await hold(show, userId, [5])
      await w.stores.reservations.setStatusFromHeld(cancelled.id, 'CANCELLED', T0)
      await hold(other, userId, [1])
      await hold(show, newUserId(), [6])
      // Live at T0: seats 1, 2 and 3 (4 and 5 still read HELD on the seats, but their orders are not); 2 and 3 lapse at T0 + 100.
      const probe = (seatNos: number[], now: number, max: number, on = show) => w.writes.holds.holdChosen({ ...chosen(on, userId, seatNos, { now }), max })
      expect(await probe([7], T0, 3)).toEqual({ refused: 'HOLD_LIMIT_REACHED' })
      expect(await probe([7, 8], T0 + 99, 4)).toEqual({ refused: 'HOLD_LIMIT_REACHED' })
      expect(await probe([2], T0, 1, other)).toEqual({ refused: 'HOLD_LIMIT_REACHED' })
      expect(await probe([7, 8], T0 + 100, 3)).toMatchObject({ held: { seatNos: [7, 8] } })
      expect(await probe([9], T0 + 100, 3)).toEqual({ refused: 'HOLD_LIMIT_REACHED' })
    })

    it('decides the gap rule on the rows as committed: a lone seat left beside the selection is refused, naming it', async () => {
      const show = await givenShow(6)
      const rows = [{ seatNos: [1, 2, 3, 4, 5, 6] }]
      const rule = (seatNos: number[]) => ({ rowSeatNos: [1, 2, 3, 4, 5, 6], gapsLeft: (isFree: (n: number) => boolean) => singleSeatGaps(rows, isFree, new Set(seatNos)) })
      await hold(show, newUserId(), [4])
      expect(await w.writes.holds.holdChosen(chosen(show, newUserId(), [2], { gapRule: rule([2]) }))).toEqual({ refused: 'SINGLE_SEAT_GAP', seatNos: [1, 3] })
      expect(await w.writes.holds.holdChosen(chosen(show, newUserId(), [3, 4], { gapRule: rule([3, 4]) }))).toEqual({ refused: 'SEAT_UNAVAILABLE', seatNos: [4] })
      const r = await hold(show, newUserId(), [5, 6], { gapRule: rule([5, 6]) })
      expect(r.seatNos).toEqual([5, 6])
      expect(await statuses(show)).toEqual(['AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'HELD', 'HELD', 'HELD'])
    })

    it('50 concurrent holds of the same seat: exactly one gets it, the others write nothing', async () => {
      const show = await givenShow(1)
      const outcomes = await Promise.all(Array.from({ length: 50 }, () => w.writes.holds.holdChosen(chosen(show, newUserId(), [1]))))
      const winners = outcomes.filter(o => 'held' in o).map(holdOf)
      expect(winners).toHaveLength(1)
      expect(outcomes.filter(o => !('held' in o))).toEqual(Array(49).fill({ refused: 'SEAT_UNAVAILABLE', seatNos: [1] }))
      expect((await reservationsOf(show)).map(r => Number(r.id))).toEqual([winners[0].id])
      expect(await eventsOf('reservation.held', show.id)).toHaveLength(1)
    })

    it('60 concurrent orders of overlapping seats: every winner has all its seats, no seat is in two orders, losers hold nothing', async () => {
      const show = await givenShow(12)
      const wanted = Array.from({ length: 60 }, (_, i) => {
        const size = 1 + (i % 4)
        const start = 1 + ((i * 7) % (13 - size))
        return Array.from({ length: size }, (_, k) => start + k)
      })
      const outcomes = await Promise.all(wanted.map(seatNos => w.writes.holds.holdChosen(chosen(show, newUserId(), seatNos))))
      const winners = outcomes.filter(o => 'held' in o).map(holdOf)
      expect(winners.length).toBeGreaterThan(0)
      const holderOf = new Map((await seatRows(show)).filter(s => s.status === 'HELD').map(s => [s.seatNo, s.reservationId]))
      const claimed = winners.flatMap(r => r.seatNos)
      expect(new Set(claimed).size).toBe(claimed.length)
      for (const r of winners) for (const n of r.seatNos) expect(holderOf.get(n)).toBe(r.id)
      expect(holderOf.size).toBe(claimed.length)
      expect((await reservationsOf(show)).map(r => Number(r.id)).sort((a, b) => a - b)).toEqual(winners.map(r => r.id).sort((a, b) => a - b))
    })

    it('20 concurrent orders of one user (1–2 seats each) under a limit of 4, the first ones creating their row, leave exactly 4 seats held', async () => {
      const show = await givenShow(40)
      const userId = newUserId()
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => w.writes.holds.holdChosen(chosen(show, userId, i % 2 === 0 ? [2 * i + 1] : [2 * i + 1, 2 * i + 2]))))
      const held = outcomes.filter(o => 'held' in o).map(holdOf).reduce((n, r) => n + r.seatNos.length, 0)
      // One at a time the ten 1-seat orders always fill the limit exactly; overlapping checks would pass it.
      expect(held).toBe(4)
      expect(outcomes.filter(o => !('held' in o)).every(o => 'refused' in o && o.refused === 'HOLD_LIMIT_REACHED')).toBe(true)
      expect((await statuses(show)).filter(s => s === 'HELD')).toHaveLength(4)
      expect(await w.database.db.selectFrom('users').select('id').where('id', '=', userId).execute()).toHaveLength(1)
    })
  })

  describe('HoldStore.holdBest', () => {
    /** The best-available terms of a show: its layout names each seat's section, as the use case passes it. */
    const best = async (show: Show, userId: string, o: Omit<BestSeats, keyof HoldTerms | 'sectionOf'>): Promise<BestSeats> => {
      const layout = await w.concerts.findLayout(show.id)
      return { ...terms(show, userId), ...o, sectionOf: n => layout?.seat(n)?.section }
    }
    it('picks from the seats free now and holds the block; none left is NO_BLOCK; the limit counts the quantity', async () => {
      const show = await givenShow(6)
      await hold(show, newUserId(), [1, 3])
      let seen: number[] = []
      const firstFree = (n: number) => (isFree: (seatNo: number) => boolean) => {
        seen = [1, 2, 3, 4, 5, 6].filter(isFree)
        const seatNos = seen.slice(0, n)
        return seatNos.length === n ? { seatNos, price: 10_000 * n, rowSeatNos: [] } : null
      }
      const userId = newUserId()
      const r = holdOf(await w.writes.holds.holdBest(await best(show, userId, { quantity: 2, pick: firstFree(2) })))
      expect(seen).toEqual([2, 4, 5, 6])
      expect(r).toMatchObject({ seatNos: [2, 4], price: 20_000, status: 'HELD' })
      expect(await w.writes.holds.holdBest(await best(show, userId, { quantity: 3, pick: firstFree(3) }))).toEqual({ refused: 'HOLD_LIMIT_REACHED' })
      expect(await w.writes.holds.holdBest(await best(show, newUserId(), { quantity: 3, pick: firstFree(3) }))).toEqual({ refused: 'NO_BLOCK' })
      expect(await statuses(show)).toEqual(['HELD', 'HELD', 'HELD', 'HELD', 'AVAILABLE', 'AVAILABLE'])
    })

    it('offers the pick only the free seats of the section asked for', async () => {
      const { show } = await givenConcert(w.concerts, { ranges: [{ from: 1, to: 3, grade: 'R', price: 10_000, section: 'A', row: '1' }, { from: 4, to: 6, grade: 'R', price: 10_000, section: 'B', row: '1' }] })
      await hold(show, newUserId(), [5])
      let seen: number[] = []
      const look = (isFree: (n: number) => boolean) => { seen = [1, 2, 3, 4, 5, 6].filter(isFree); return null }
      expect(await w.writes.holds.holdBest(await best(show, newUserId(), { quantity: 1, section: 'B', pick: look }))).toEqual({ refused: 'NO_BLOCK' })
      expect(seen).toEqual([4, 6])
      await w.writes.holds.holdBest(await best(show, newUserId(), { quantity: 1, pick: look }))
      expect(seen).toEqual([1, 2, 3, 4, 6])
    })

    it('a block that is not free when claimed is LOST_RACE and writes nothing', async () => {
      const show = await givenShow(3)
      await hold(show, newUserId(), [2])
      const outcome = await w.writes.holds.holdBest(await best(show, newUserId(), { quantity: 2, pick: () => ({ seatNos: [1, 2], price: 20_000, rowSeatNos: [] }) }))
      expect(outcome).toEqual({ refused: 'LOST_RACE' })
      expect(await statuses(show)).toEqual(['AVAILABLE', 'HELD', 'AVAILABLE'])
      expect(await reservationsOf(show)).toHaveLength(1)
    })

    it('20 concurrent picks of one show each get their own block', async () => {
      const show = await givenShow(40)
      const pickFirst = (isFree: (n: number) => boolean) => {
        for (let n = 1; n < 40; n += 2) if (isFree(n) && isFree(n + 1)) return { seatNos: [n, n + 1], price: 20_000, rowSeatNos: [] }
        return null
      }
      const orders = await Promise.all(Array.from({ length: 20 }, () => best(show, newUserId(), { quantity: 2, pick: pickFirst })))
      const outcomes = await Promise.all(orders.map(o => w.writes.holds.holdBest(o)))
      // The show's picks go one at a time: none loses its block to another pick.
      expect(outcomes.every(o => 'held' in o)).toBe(true)
      expect((await statuses(show)).every(s => s === 'HELD')).toBe(true)
    })
  })

  describe('PaymentLedger', () => {
    async function heldOrder (seatNos: number[], funds: number) {
      const show = await givenShow(8)
      const userId = newUserId()
      await givenBalance(w, userId, funds)
      return { show, userId, r: await hold(show, userId, seatNos) }
    }
    const pay = (userId: string, reservationId: number, now = T0 + 1000, fence: Fence | null = null) => w.writes.ledgers.payments.pay({ userId, reservationId, now }, fence)

    it('pays a live hold: the total off the balance, one USE row, one payment, every seat SOLD, CONFIRMED, one event with numbers', async () => {
      const { show, userId, r } = await heldOrder([3, 4], 50_000)
      const outcome = await pay(userId, r.id)
      expect(outcome).toEqual({
        paid: { paymentId: expect.any(Number), reservationId: r.id, amount: 20_000, balance: 30_000, status: 'CONFIRMED', paidAt: T0 + 1000 },
        order: { reservationId: r.id, userId, concertId: show.concertId, showId: show.id, seatNos: [3, 4] }
      })
      expect(await balance(userId)).toBe(30_000)
      expect((await w.stores.points.history(userId, 10)).map(e => [e.type, e.amount, e.balanceAfter, e.reservationId])).toEqual([['USE', 20_000, 30_000, r.id]])
      expect((await seatRows(show)).filter(s => s.status === 'SOLD').map(s => [s.seatNo, s.userId])).toEqual([[3, userId], [4, userId]])
      expect(await w.stores.reservations.findById(r.id)).toMatchObject({ status: 'CONFIRMED', paidAt: T0 + 1000 })
      expect((await eventsOf('payment.confirmed', show.id)).map(e => e.data)).toEqual([
        { reservationId: String(r.id), userId, concertId: String(show.concertId), date: show.date, seatNos: [3, 4], amount: 20_000, balance: 30_000 }
      ])
    })

    it('refuses, changing nothing: another user\'s or a missing reservation, an uncovered total, a lapsed hold, a paid one', async () => {
      const { show, userId, r } = await heldOrder([1, 2], 15_000)
      expect(await pay(newUserId(), r.id)).toEqual({ refused: 'RESERVATION_NOT_FOUND' })
      expect(await pay(userId, 987_654)).toEqual({ refused: 'RESERVATION_NOT_FOUND' })
      expect(await pay(userId, r.id)).toEqual({ refused: 'INSUFFICIENT_POINTS', price: 20_000, balance: 15_000 })
      expect(await pay(userId, r.id, r.heldUntil)).toEqual({ refused: 'HOLD_EXPIRED', seatNos: [1, 2] })
      expect(await balance(userId)).toBe(15_000)
      expect(await statuses(show)).toEqual(['HELD', 'HELD', 'AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'AVAILABLE'])
      await givenBalance(w, userId, 5_000)
      expect(await pay(userId, r.id, r.heldUntil - 1)).toMatchObject({ paid: { balance: 0 } })
      expect(await pay(userId, r.id)).toEqual({ refused: 'ALREADY_PAID' })
      expect(await w.database.db.selectFrom('payments').select('id').where('reservation_id', '=', r.id).execute()).toHaveLength(1)
    })

    it('a user without a row is refused INSUFFICIENT_POINTS with a balance of 0', async () => {
      const show = await givenShow(2)
      const userId = newUserId()
      const r = await hold(show, userId, [1])
      await w.database.db.deleteFrom('users').where('id', '=', userId).execute()
      expect(await pay(userId, r.id)).toEqual({ refused: 'INSUFFICIENT_POINTS', price: 10_000, balance: 0 })
    })

    it('fenced: records its result as the key\'s outcome in the same transaction; a fence the owner lost moves nothing', async () => {
      const { userId, r } = await heldOrder([5], 10_000)
      const lost = await claimedFence(`pay:${userId}`)
      await expect(pay(userId, r.id, T0 + 1000, { ...lost, owner: 'someone-else' })).rejects.toBeInstanceOf(KeyLostError)
      expect(await balance(userId)).toBe(10_000)
      const fence = await claimedFence(`pay:${userId}`)
      const outcome = await pay(userId, r.id, T0 + 1000, fence)
      if (!('paid' in outcome)) throw new Error('not paid')
      expect(await w.writes.idempotency.find(fence.scope, fence.key)).toMatchObject({ state: 'DONE', outcome: { ok: true, value: outcome.paid }, leaseUntil: fence.leaseUntil })
    })

    it('20 concurrent payments of one hold: exactly one pays', async () => {
      const { userId, r } = await heldOrder([6], 1_000_000)
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => pay(userId, r.id)))
      expect(outcomes.filter(o => 'paid' in o)).toHaveLength(1)
      expect(outcomes.filter(o => !('paid' in o))).toEqual(Array(19).fill({ refused: 'ALREADY_PAID' }))
      expect(await balance(userId)).toBe(990_000)
    })

    it('refunds a paid order to its owner once; refuses unpaid, refunded, others\' (unless an admin) and late ones', async () => {
      const { show, userId, r } = await heldOrder([7, 8], 20_000)
      const refund = (asker: string, cutoffMs: number | null, now = T0 + 2000, fence: Fence | null = null) => w.writes.ledgers.payments.refund({ userId: asker, reservationId: r.id, now, cutoffMs }, fence)
      expect(await refund(userId, 0)).toEqual({ refused: 'RESERVATION_NOT_CONFIRMED' })
      await pay(userId, r.id)
      expect(await refund(newUserId(), 0)).toEqual({ refused: 'RESERVATION_NOT_FOUND' })
      const closesAt = Date.parse(`${show.date}T10:00:00.000Z`) - 3_600_000
      expect(await refund(userId, 3_600_000, closesAt)).toEqual({ refused: 'REFUND_CLOSED', closesAt })
      const fence = await claimedFence(`refund:${userId}`)
      const outcome = await refund(newUserId('admin'), null, closesAt + 5, fence)
      expect(outcome).toEqual({
        refunded: { reservationId: r.id, amount: 20_000, balance: 20_000, status: 'REFUNDED', refundedAt: closesAt + 5 },
        order: { reservationId: r.id, userId, concertId: show.concertId, showId: show.id, seatNos: [7, 8] }
      })
      expect(await w.writes.idempotency.find(fence.scope, fence.key)).toMatchObject({ state: 'DONE', outcome: { ok: true, value: (outcome as { refunded: unknown }).refunded } })
      expect(await refund(userId, 0)).toEqual({ refused: 'ALREADY_REFUNDED' })
      expect(await balance(userId)).toBe(20_000)
      expect((await seatRows(show)).slice(6)).toEqual([7, 8].map(seatNo => ({ seatNo, status: 'AVAILABLE', heldUntil: null, userId: null, reservationId: null })))
      expect(await w.database.db.selectFrom('payments').select('refunded_at').where('reservation_id', '=', r.id).execute()).toEqual([{ refunded_at: closesAt + 5 }])
      expect((await eventsOf('reservation.refunded', show.id)).map(e => e.data)).toEqual([
        { reservationId: String(r.id), userId, concertId: String(show.concertId), date: show.date, seatNos: [7, 8], amount: 20_000, balance: 20_000 }
      ])
    })
  })

  describe('PointLedger', () => {
    const charge = (userId: string, amount: number, maxBalance = 1_000_000, fence: Fence | null = null) => w.writes.ledgers.points.charge({ userId, amount, maxBalance, now: T0 }, fence)

    it('charges a new user (creating their row) with a CHARGE row and an event; past maxBalance it refuses and changes nothing', async () => {
      const userId = newUserId()
      expect(await charge(userId, 600_000)).toEqual({ charged: { userId, balance: 600_000 } })
      expect(await charge(userId, 400_001)).toEqual({ refused: 'CHARGE_LIMIT_EXCEEDED' })
      expect(await charge(userId, 400_000)).toEqual({ charged: { userId, balance: 1_000_000 } })
      expect((await w.stores.points.history(userId, 10)).map(e => [e.type, e.amount, e.balanceAfter])).toEqual([['CHARGE', 400_000, 1_000_000], ['CHARGE', 600_000, 600_000]])
      expect((await eventsOf('points.charged', null)).filter(e => e.data.userId === userId).map(e => e.data)).toEqual([
        { userId, amount: 600_000, balance: 600_000 }, { userId, amount: 400_000, balance: 1_000_000 }
      ])
    })

    it('fenced: records its result; a fence the owner lost charges nothing', async () => {
      const userId = newUserId()
      const fence = await claimedFence(`charge:${userId}`)
      await expect(charge(userId, 100, 1_000_000, { ...fence, owner: 'intruder' })).rejects.toBeInstanceOf(KeyLostError)
      expect(await charge(userId, 100, 1_000_000, fence)).toEqual({ charged: { userId, balance: 100 } })
      expect(await w.writes.idempotency.find(fence.scope, fence.key)).toMatchObject({ state: 'DONE', outcome: { ok: true, value: { userId, balance: 100 } } })
      await expect(charge(userId, 100, 1_000_000, fence)).rejects.toBeInstanceOf(KeyLostError) // DONE: nobody owns it PENDING any more
      expect(await balance(userId)).toBe(100)
    })

    it('30 concurrent charges near the limit never pass it, and every accepted one is in the history', async () => {
      const userId = newUserId()
      const outcomes = await Promise.all(Array.from({ length: 30 }, () => charge(userId, 100, 2_000)))
      expect(outcomes.filter(o => 'charged' in o)).toHaveLength(20)
      expect(await balance(userId)).toBe(2_000)
      expect((await w.stores.points.history(userId, 100)).map(e => e.balanceAfter).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 100 * (i + 1)))
    })
  })
})

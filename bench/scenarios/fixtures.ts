// What the endpoint scenarios prepare and share, each made once on first use: the admitted users, the booking
// concerts (one per kind of hold), the big sectioned show, the holds made and the orders paid.

import { admitUsers, chargeUser, createConcert, sectionedVenue, sectionsOf, type CreatedConcert } from '../lib/api.js'
import { expectStatus, forEachLimited } from '../lib/http.js'
import type { LoadRequest } from '../load/run-load.js'
import type { ScenarioContext } from './scenario.js'

export const HOLDS_PER_USER_PER_SHOW = 4 // MAX_HOLDS_PER_USER's default
export const PRICE = 1000
/** The big show's shape: this many sections of this many rows (seats per row follow from its size): 15,000 = 30 × 20 × 25. */
export const BIG_SECTIONS = 30
export const BIG_ROWS_PER_SECTION = 20

/**
 * The kinds of hold, each on a concert of its own so they never take each other's seats: one seat (`seatNo`),
 * four picked seats (`seatNos`), four best-available seats (`quantity`).
 */
export type HoldKind = 'one' | 'four' | 'best'
/**
 * Which pay run pays a hold: 1-seat orders, 4-seat ones (picked and best available alike), or the 1-seat orders
 * paid while the outbox relay is held off (the outbox's cost per payment).
 */
export type PayLane = 'one' | 'four' | 'relay'
export const laneOf = (k: HoldKind): PayLane => k === 'one' ? 'one' : 'four'

export interface Held { id: string, userId: string, price: number, seats: number, seat: string }
export interface Booking { kind: HoldKind, concert: CreatedConcert, shows: number, users: string[], tokens: string[] }
export interface BigShow { concert: CreatedConcert, seats: number, sections: string[], tokens: string[] }

export const queueHeaders = (ctx: ScenarioContext, userId: string, token: string): Record<string, string> => ({ authorization: ctx.bearer(userId), 'queue-token': token })

export class Fixtures {
  private demo: Promise<{ concert: CreatedConcert, tokens: string[] }> | null = null
  private readonly bookings = new Map<string, Promise<Booking>>()
  private bigShow: Promise<BigShow> | null = null
  /** Holds made by the hold scenarios (and topped up for the pay scenarios), by the pay run that pays them. */
  readonly held: Record<PayLane, Held[]> = { one: [], four: [], relay: [] }
  /** Each hold run's rate: its pay run is given holds for twice that over its time. */
  readonly holdRps: Record<PayLane, number> = { one: 0, four: 0, relay: 0 }
  readonly payRps: Record<PayLane, number> = { one: 0, four: 0, relay: 0 }
  /** Each pay run's service CPU ms per payment. */
  readonly payCpu: Record<PayLane, number | null> = { one: null, four: null, relay: null }
  /** Orders the pay runs paid (answered 200): what the refund run gives back. */
  readonly paid: Held[] = []
  /** Answered 200, and requests sent at all: for the invariant checks. */
  readonly pays = { acknowledged: 0, sent: 0 }
  readonly refunds = { acknowledged: 0, sent: 0 }
  readonly concertIds: string[] = []

  /** The K (QUEUE_MAX_ACTIVE) users every booking scenario uses, the same ids in every concert. */
  users (ctx: ScenarioContext): string[] {
    return Array.from({ length: ctx.admittedUsers }, (_, i) => `${ctx.userPrefix}b${i}`)
  }

  /** The demo concert (50 seats a show) with the users admitted. */
  demoShow (ctx: ScenarioContext): Promise<{ concert: CreatedConcert, tokens: string[] }> {
    this.demo ??= (async () => {
      const concerts = expectStatus(await ctx.client.request<{ concerts: CreatedConcert[] }>('GET', '/concerts'), 200, 'listing concerts')
      const concert = concerts.concerts[0]
      this.concertIds.push(concert.id)
      return { concert, tokens: await admitUsers(ctx.client, concert.id, this.users(ctx), ctx.bearer) }
    })()
    return this.demo
  }

  /**
   * A concert with room for its kind's holds (every user may hold 4 seats a show: one seat at a time four times,
   * or one order of four), one row of 4·K seats a show, with the users admitted.
   */
  booking (ctx: ScenarioContext, kind: HoldKind, lane?: PayLane): Promise<Booking> {
    // The relay lane has a concert of its own: a fast 1-seat pay run may use every seat of the 1-seat concert.
    const key = lane === 'relay' ? 'relay' : kind
    let b = this.bookings.get(key)
    if (!b) {
      b = (async () => {
        const users = this.users(ctx)
        const k = users.length
        const holdsPerShow = kind === 'one' ? k * HOLDS_PER_USER_PER_SHOW : k
        const holds = kind === 'one' ? ctx.maxHolds : Math.ceil(ctx.maxHolds / HOLDS_PER_USER_PER_SHOW)
        const shows = Math.max(1, Math.ceil(holds / holdsPerShow))
        const concert = await createConcert(ctx.client, ctx.adminBearer, { title: `bench holds (${key})`, shows, seats: k * HOLDS_PER_USER_PER_SHOW, price: PRICE, firstDay: 60 })
        this.concertIds.push(concert.id)
        ctx.log(`  prepared concert ${concert.id} for ${kind === 'one' ? '1-seat' : kind === 'four' ? '4-seat picked' : '4-seat best-available'} holds: ${shows} shows × ${k * HOLDS_PER_USER_PER_SHOW} seats; admitting ${k} users …`)
        return { kind, concert, shows, users, tokens: await admitUsers(ctx.client, concert.id, users, ctx.bearer) }
      })()
      this.bookings.set(key, b)
    }
    return b
  }

  /** One show of about `bigShowSeats` seats in 30 sections of 20 rows, with the users admitted to it. */
  bigSeatMap (ctx: ScenarioContext): Promise<BigShow> {
    this.bigShow ??= (async () => {
      const layout = sectionedVenue({ sections: BIG_SECTIONS, rowsPerSection: BIG_ROWS_PER_SECTION, seatsPerRow: Math.max(1, Math.round(ctx.bigShowSeats / (BIG_SECTIONS * BIG_ROWS_PER_SECTION))), basePrice: PRICE })
      const concert = await createConcert(ctx.client, ctx.adminBearer, { title: 'bench big show', shows: 1, seats: 0, price: PRICE, layout, firstDay: 90 })
      this.concertIds.push(concert.id)
      return { concert, seats: layout.at(-1)?.to ?? 0, sections: sectionsOf(layout), tokens: await admitUsers(ctx.client, concert.id, this.users(ctx), ctx.bearer) }
    })()
    return this.bigShow
  }

  /** Keeps the holds of a run's 201 bodies for the pay run of their lane. */
  keepHolds (lane: PayLane, bodies: string[]): void {
    for (const body of bodies) {
      const h = JSON.parse(body) as { id: string, userId: string, price: number, date: string, seatNo: number, seatNos?: number[] }
      this.held[lane].push({ id: h.id, userId: h.userId, price: h.price, seats: h.seatNos?.length ?? 1, seat: `${h.date}#${h.seatNo}` })
    }
  }

  /** Keeps the orders of a pay run's 200 bodies for the refund run. */
  keepPaid (lane: PayLane, bodies: string[]): void {
    const byId = new Map(this.held[lane].map(h => [h.id, h]))
    for (const body of bodies) {
      const h = byId.get((JSON.parse(body) as { reservationId: string }).reservationId)
      if (h) this.paid.push(h)
    }
  }
}

/**
 * Hold n of a booking: user u = n mod K in round r = n div K. One seat: show r mod SHOWS, the user's
 * (r div SHOWS)-th seat of it; four picked: show r, the user's block of four; best available: show r, quantity 4.
 */
export function holdRequests (ctx: ScenarioContext, b: Booking): LoadRequest[] {
  const k = b.users.length
  const perShow = b.kind === 'one' ? HOLDS_PER_USER_PER_SHOW : 1
  return Array.from({ length: k * b.shows * perShow }, (_, n) => {
    const u = n % k
    const r = Math.floor(n / k)
    const date = b.concert.dates[r % b.shows]
    const body = b.kind === 'one'
      ? { date, seatNo: Math.floor(r / b.shows) * k + u + 1 }
      : b.kind === 'four'
        ? { date, seatNos: Array.from({ length: HOLDS_PER_USER_PER_SHOW }, (_, i) => u * HOLDS_PER_USER_PER_SHOW + i + 1) }
        : { date, quantity: HOLDS_PER_USER_PER_SHOW }
    return { method: 'POST', path: '/reservations', headers: queueHeaders(ctx, b.users[u], b.tokens[u]), body: JSON.stringify(body) }
  })
}

/** The pay run needs enough holds to last, and every holder the points to pay: both made here, unmeasured. */
export async function prepareToPay (ctx: ScenarioContext, f: Fixtures, lane: PayLane): Promise<void> {
  // Top-ups are picked holds (their seats are known, so none is asked for twice): one seat, or four. The
  // relay lane has no hold run of its own: it holds 1-seat orders on a concert of its own.
  const kind: HoldKind = lane === 'four' ? 'four' : 'one'
  const b = await f.booking(ctx, kind, lane)
  const all = holdRequests(ctx, b)
  const held = f.held[lane]
  const rate = lane === 'relay' ? f.payRps.one : f.holdRps[lane]
  const wanted = Math.min(all.length, Math.max(ctx.minPayItems, Math.ceil(2 * rate * ctx.durationSec)))
  if (held.length < wanted) {
    const taken = new Set(held.map(h => h.seat))
    const seatOf = (r: LoadRequest): string => { const x = JSON.parse(r.body ?? '{}') as { date: string, seatNo?: number, seatNos?: number[] }; return `${x.date}#${x.seatNo ?? x.seatNos?.[0]}` }
    // From the end: the hold run sent its requests from the start of each slice.
    const more = all.filter(r => !taken.has(seatOf(r))).slice(-(wanted - held.length))
    ctx.log(`  holding ${more.length} more orders for the pay run (not measured) …`)
    const made: string[] = []
    await forEachLimited(more, 32, async (req) => {
      const r = await ctx.client.request('POST', req.path, { headers: req.headers, body: JSON.parse(req.body ?? '{}') })
      if (r.status === 201) made.push(JSON.stringify(r.body))
    })
    f.keepHolds(lane, made)
  }
  const need = new Map<string, number>()
  for (const h of held) need.set(h.userId, (need.get(h.userId) ?? 0) + h.price)
  await forEachLimited([...need], 16, async ([userId, amount]) => {
    const auth = ctx.bearer(userId)
    const r = await ctx.client.request<{ balance: number }>('GET', `/users/${userId}/points`, { headers: { authorization: auth } })
    let left = amount - expectStatus(r, 200, `reading ${userId}'s points`).balance
    while (left > 0) { const n = Math.min(left, 1_000_000); await chargeUser(ctx.client, userId, auth, n); left -= n }
  })
}

/**
 * The refund run needs paid orders to last (about twice what `rps` would refund in its time): pays more of the
 * holds left over from the pay runs, unmeasured, from the end of each lane (the pay runs sent from the start).
 */
export async function prepareToRefund (ctx: ScenarioContext, f: Fixtures, rps: number): Promise<void> {
  const wanted = Math.max(200, Math.ceil(2 * rps * ctx.durationSec))
  if (f.paid.length >= wanted) return
  const paid = new Set(f.paid.map(h => h.id))
  const lanes: PayLane[] = ['one', 'four', 'relay']
  const left = lanes.map(lane => f.held[lane].filter(h => !paid.has(h.id)).reverse())
  const more: Array<{ lane: PayLane, h: Held }> = []
  for (let i = 0; more.length < wanted - f.paid.length && left.some(l => i < l.length); i++) {
    for (const [k, l] of left.entries()) if (i < l.length) more.push({ lane: lanes[k], h: l[i] })
  }
  ctx.log(`  paying ${more.length} more orders for the refund run (not measured) …`)
  await forEachLimited(more, 32, async ({ h }, n) => {
    const r = await ctx.client.request('POST', `/reservations/${h.id}/pay`, { headers: { authorization: ctx.bearer(h.userId), 'idempotency-key': `${ctx.userPrefix}yr${n}` } })
    f.pays.sent++
    if (r.status === 200) { f.pays.acknowledged++; f.paid.push(h) }
  })
}

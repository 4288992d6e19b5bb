// The before/after comparison's endpoints (issue 12's table) and their fixtures, built only from requests both the
// code before issues 8–14 and today's accept: seat ranges with grade and price alone, one seat per hold.

import { admitUsers, createConcert, joinUsers, type CreatedConcert, type SeatRange } from '../lib/api.js'
import type { LoadRequest } from '../load/run-load.js'
import { queueHeaders } from '../scenarios/fixtures.js'
import type { Scenario, ScenarioContext } from '../scenarios/scenario.js'

export const PRICE = 1000
/** The big show: 12,000 seats as 24 ranges of 500 (the old admin route takes at most 100 ranges a show). */
export const BIG_SEATS = 12_000
export const RANGE_SEATS = 500
/** MAX_HOLDS_PER_USER's default, the same in both trees: a user holds at most this many seats of one show. */
export const HOLDS_PER_USER = 4
/** Users admitted to the big map's concert: they read the maps and charge points, in turn. */
export const READERS = 100
/** Tokens polled: the last ACTIVE ones of the hold concert and as many WAITING behind them. */
export const POLL_ACTIVE = 100
export const POLL_WAITING = 400
/** The most users the hold concert needs: every seat of a show held, four per user. */
const MAX_HOLDERS = BIG_SEATS / HOLDS_PER_USER

/**
 * 12,000 seats as 24 ranges of 500, each of a grade of its own (VIP1..VIP6, R1.., S1.., A1..; dearer nearer the
 * stage): today's service makes each range a 500-seat section named after its grade, while the old admin
 * route, which refuses `section` and `row`, takes the same body.
 */
export function bigVenue (): SeatRange[] {
  const grades = [{ grade: 'VIP', factor: 4 }, { grade: 'R', factor: 3 }, { grade: 'S', factor: 2 }, { grade: 'A', factor: 1 }]
  const ranges = BIG_SEATS / RANGE_SEATS
  const perGrade = ranges / grades.length
  return Array.from({ length: ranges }, (_, k) => {
    const g = grades[Math.floor(k / perGrade)]
    return { from: k * RANGE_SEATS + 1, to: (k + 1) * RANGE_SEATS, grade: `${g.grade}${(k % perGrade) + 1}`, price: PRICE * g.factor }
  })
}

/**
 * How the hold run is laid out for `holds` distinct seats: shows of 12,000 seats enough for them, and the users
 * that hold them (four seats each per show, so at most 3,000). QUEUE_MAX_ACTIVE is set to `holders`: the
 * hold concert's users are all ACTIVE and the poll run's extra joiners wait behind them.
 */
export function holdLayout (holds: number): { holds: number, shows: number, holders: number } {
  const n = Math.max(1, Math.round(holds))
  return { holds: n, shows: Math.ceil(n / BIG_SEATS), holders: Math.max(POLL_ACTIVE, Math.min(MAX_HOLDERS, Math.ceil(n / HOLDS_PER_USER))) }
}

/** Hold n: show n div 12,000, seat (n mod 12,000) + 1, by user (n mod 12,000) mod holders — four seats a show each at most. */
export function holdRequest (ctx: ScenarioContext, concert: CreatedConcert, users: string[], tokens: string[], n: number): LoadRequest {
  const s = n % BIG_SEATS
  const u = s % users.length
  return {
    method: 'POST', path: '/reservations', headers: queueHeaders(ctx, users[u], tokens[u]),
    body: JSON.stringify({ date: concert.dates[Math.floor(n / BIG_SEATS)], seatNo: s + 1 })
  }
}

interface BigShow { concert: CreatedConcert, users: string[], tokens: string[], sections: string[] }
interface HoldConcert { concert: CreatedConcert, users: string[], tokens: string[] }

/** What the endpoints share, each made once on first use (the same requests for both trees). */
export class CompareFixtures {
  private big: Promise<BigShow> | null = null
  private holding: Promise<HoldConcert> | null = null
  readonly layout: { holds: number, shows: number, holders: number }

  constructor (layout: { holds: number, shows: number, holders: number }) { this.layout = layout }

  /** One 12,000-seat show, all AVAILABLE, with READERS users admitted to its concert. */
  bigShow (ctx: ScenarioContext): Promise<BigShow> {
    this.big ??= (async () => {
      const venue = bigVenue()
      const concert = await createConcert(ctx.client, ctx.adminBearer, { title: 'compare big show', shows: 1, seats: 0, price: PRICE, layout: venue, firstDay: 40 })
      const users = Array.from({ length: READERS }, (_, i) => `${ctx.userPrefix}m${i}`)
      return { concert, users, tokens: await admitUsers(ctx.client, concert.id, users, ctx.bearer), sections: venue.map(r => r.grade) }
    })()
    return this.big
  }

  /** The shows the hold run needs, with its holders admitted (QUEUE_MAX_ACTIVE of them: the concert is then full). */
  holdConcert (ctx: ScenarioContext): Promise<HoldConcert> {
    this.holding ??= (async () => {
      const { shows, holders } = this.layout
      const concert = await createConcert(ctx.client, ctx.adminBearer, { title: 'compare holds', shows, seats: 0, price: PRICE, layout: bigVenue(), firstDay: 60 })
      ctx.log(`  prepared concert ${concert.id} for the holds: ${shows} show(s) × ${BIG_SEATS.toLocaleString('en-US')} seats; admitting ${holders} users …`)
      const users = Array.from({ length: holders }, (_, i) => `${ctx.userPrefix}h${i}`)
      return { concert, users, tokens: await admitUsers(ctx.client, concert.id, users, ctx.bearer) }
    })()
    return this.holding
  }
}

/** A comparison row: a scenario of the bench's own shape, marked when only today's service has its route. */
export interface CompareScenario extends Scenario<CompareFixtures> { afterOnly?: boolean }

/** The ceilings measured beside them: hello for reads, one conditional UPDATE (SQLite or MySQL) for writes. */
const READ: Scenario<CompareFixtures>['matching'] = { embedded: 'hello', production: 'hello' }
const WRITE: Scenario<CompareFixtures>['matching'] = { embedded: 'sqlite-update', production: 'mysql-update' }

/** `GET /concerts/{date}/seats<query>` of the big show by each reader in turn. */
const mapRequests = (ctx: ScenarioContext, big: BigShow, query: (n: number) => string, count: number): LoadRequest[] =>
  Array.from({ length: count }, (_, n) => {
    const u = n % big.users.length
    return { method: 'GET', path: `/concerts/${big.concert.dates[0]}/seats${query(n)}`, headers: queueHeaders(ctx, big.users[u], big.tokens[u]) }
  })

/** Issue 12's table, in this order (the dates list first: before the big shows exist, as in the issue's run). */
export const COMPARE_SCENARIOS: CompareScenario[] = [
  {
    name: 'dates',
    route: 'GET /concerts/dates',
    matching: READ,
    plan: async (ctx) => {
      await createConcert(ctx.client, ctx.adminBearer, { title: 'compare dates', shows: 3, seats: 50, price: PRICE, firstDay: 20 })
      return { requests: [{ method: 'GET', path: '/concerts/dates' }], note: 'one concert of 3 shows × 50 seats (the demo\'s shape), no filter' }
    }
  },
  {
    name: 'seat map 12k',
    route: 'GET /concerts/{date}/seats',
    matching: READ,
    plan: async (ctx, f) => {
      const big = await f.bigShow(ctx)
      return { requests: mapRequests(ctx, big, () => '', big.users.length), note: `the whole map of a ${BIG_SEATS.toLocaleString('en-US')}-seat show (24 ranges of 500, all AVAILABLE), ${big.users.length} admitted users in turn` }
    }
  },
  {
    name: 'section map',
    route: 'GET /concerts/{date}/seats?section=',
    matching: READ,
    afterOnly: true,
    plan: async (ctx, f) => {
      const big = await f.bigShow(ctx)
      return {
        requests: mapRequests(ctx, big, n => `?section=${encodeURIComponent(big.sections[n % big.sections.length])}`, 2 * Math.max(big.users.length, big.sections.length)),
        note: `one ${RANGE_SEATS}-seat section of the same show, the ${big.sections.length} sections in turn (no such route before)`
      }
    }
  },
  {
    name: 'queue poll',
    route: 'GET /queue/tokens/current',
    matching: READ,
    plan: async (ctx, f) => {
      // The hold concert is full (QUEUE_MAX_ACTIVE users ACTIVE): these joiners WAIT behind them.
      const h = await f.holdConcert(ctx)
      const waiting = Array.from({ length: POLL_WAITING }, (_, i) => `${ctx.userPrefix}p${i}`)
      const waitingTokens = await joinUsers(ctx.client, h.concert.id, waiting, ctx.bearer)
      const active = h.users.slice(-POLL_ACTIVE)
      const activeTokens = h.tokens.slice(-POLL_ACTIVE)
      const users = [...active, ...waiting]
      const tokens = [...activeTokens, ...waitingTokens]
      return {
        requests: users.map((u, i) => ({ method: 'GET', path: '/queue/tokens/current', headers: queueHeaders(ctx, u, tokens[i]) })),
        note: `${users.length} tokens in turn, ${active.length} ACTIVE and ${waiting.length} WAITING (bearer + Queue-Token)`
      }
    }
  },
  {
    name: 'charge',
    route: 'POST /users/{id}/points/charge',
    matching: WRITE,
    plan: async (ctx, f) => {
      const { users } = await f.bigShow(ctx)
      const body = JSON.stringify({ amount: PRICE })
      // A fresh Idempotency-Key each time: a repeated key would be answered from the idempotency store.
      const requests: LoadRequest[] = Array.from({ length: ctx.budget(0.25) }, (_, n) => {
        const u = users[n % users.length]
        return { method: 'POST', path: `/users/${u}/points/charge`, body, headers: { authorization: ctx.bearer(u), 'idempotency-key': `${ctx.userPrefix}c${n}` } }
      })
      return { requests, once: true, codes: true, note: `${PRICE.toLocaleString('en-US')} points with a fresh Idempotency-Key, ${users.length} users in turn` }
    }
  },
  {
    name: 'hold',
    route: 'POST /reservations',
    matching: WRITE,
    plan: async (ctx, f) => {
      const h = await f.holdConcert(ctx)
      const { holds, shows } = f.layout
      return {
        requests: Array.from({ length: holds }, (_, n) => holdRequest(ctx, h.concert, h.users, h.tokens, n)),
        once: true, codes: true,
        note: `one seat (\`seatNo\`), a distinct free one per request, ${h.users.length} admitted users in turn (≤ ${HOLDS_PER_USER} seats per user and show, ${shows} show(s))`
      }
    }
  }
]

// Per-endpoint load at a fixed concurrency: every request differs where the contract needs it (a new user per
// join, a distinct seat per hold, a held reservation per payment), prepared through the API first.

import type { HttpClient } from '../lib/http.js'
import { admitUsers, chargeUser, createConcert, joinUsers } from '../lib/api.js'
import { forEachLimited } from '../lib/http.js'
import { signBearer } from '../lib/jwt.js'
import { runLoad, type LoadRequest, type LoadResult } from '../lib/load.js'

export type EndpointName = 'queue join' | 'queue poll' | 'dates' | 'seats view' | 'hold' | 'pay' | 'charge'

export interface EndpointContext {
  ports: number[]
  client: HttpClient
  secret: string
  bearer: (userId: string) => string
  adminBearer: string
  /** Unique per mode and phase, so user ids never collide with an earlier phase's. */
  userPrefix: string
  connections: number
  durationSec: number
  warmupSec: number
  pollUsers: number
  /** Users admitted to the booking concerts: QUEUE_MAX_ACTIVE, as in production. */
  admittedUsers: number
  /** Holds the big concert must have room for (its number of shows follows). */
  maxHolds: number
  /** The pay run is given at least this many holds. */
  minPayItems: number
  log: (line: string) => void
}

export interface EndpointResult extends LoadResult { endpoint: EndpointName, route: string, note: string }

function report (ctx: EndpointContext, r: EndpointResult): EndpointResult {
  const odd = Object.entries(r.outcomes).filter(([k]) => !/^2\d\d$/.test(k)).map(([k, v]) => `${k}×${v}`)
  ctx.log(`  ${r.endpoint.padEnd(11)} ${r.rps.toLocaleString('en-US').padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms` +
    `${odd.length ? `  (non-2xx: ${odd.join(', ')})` : ''}${r.exhausted ? '  [ran out of prepared items]' : ''}`)
  return r
}

const load = (ctx: EndpointContext, name: string, next: () => LoadRequest | null, onReply?: (status: number, body: string, request: LoadRequest) => void, warmupSec = ctx.warmupSec): Promise<LoadResult> =>
  runLoad({ name, ports: ctx.ports, connections: ctx.connections, durationSec: ctx.durationSec, warmupSec, next, onReply, progress: ctx.log })

/** Payments answered 200, and payments sent at all (autocannon drops the replies still in flight when it stops). */
export interface BookingOutcome { results: EndpointResult[], pays: { acknowledged: number, sent: number }, concertIds: string[] }

/**
 * Every endpoint in turn, on the production admission settings (QUEUE_MAX_ACTIVE users per concert): the
 * public dates list, the seat map, charging, holding distinct seats and paying those holds (each by the
 * QUEUE_MAX_ACTIVE users admitted to a big concert), then the waiting client's heartbeat, then joining (a new
 * user each time, so most joins are WAITING ones; last, as it leaves tens of thousands of entries behind).
 */
export async function benchEndpoints (ctx: EndpointContext): Promise<BookingOutcome> {
  const results: EndpointResult[] = []

  // Before the big concert exists: the list aggregates every seat of every upcoming show.
  results.push(report(ctx, {
    ...await load(ctx, 'dates', () => ({ method: 'GET', path: '/concerts/dates' })),
    endpoint: 'dates', route: 'GET /concerts/dates', note: 'every upcoming show of every concert (3 + 4 + 1 shows), no filter'
  }))

  const K = ctx.admittedUsers
  const HOLDS_PER_USER_PER_SHOW = 4 // MAX_HOLDS_PER_USER's default
  const SHOWS = Math.max(1, Math.ceil(ctx.maxHolds / (K * HOLDS_PER_USER_PER_SHOW)))
  const PRICE = 1000
  const users = Array.from({ length: K }, (_, i) => `${ctx.userPrefix}b${i}`)

  // The demo concert's first show (50 seats) for the seat map; a big concert for holds and payments.
  const concerts = await ctx.client.request<{ concerts: Array<{ id: string, dates: string[] }> }>('GET', '/concerts')
  const demo = concerts.body.concerts[0]
  const big = await createConcert(ctx.client, ctx.adminBearer, { title: 'bench holds', shows: SHOWS, seats: K * HOLDS_PER_USER_PER_SHOW, price: PRICE, firstDay: 60 })
  ctx.log(`  prepared concert ${big.id}: ${SHOWS} shows × ${K * HOLDS_PER_USER_PER_SHOW} seats; admitting ${K} users to it and to the demo concert …`)
  const demoTokens = await admitUsers(ctx.client, demo.id, users, ctx.bearer)
  const bigTokens = await admitUsers(ctx.client, big.id, users, ctx.bearer)

  let s = 0
  results.push(report(ctx, {
    ...await load(ctx, 'seats', () => {
      const i = s++ % K
      return { method: 'GET', path: `/concerts/${demo.dates[0]}/seats`, headers: { authorization: ctx.bearer(users[i]), 'queue-token': demoTokens[i] } }
    }),
    endpoint: 'seats view', route: 'GET /concerts/{date}/seats', note: `the demo show (50 seats), ${K} admitted users in turn`
  }))

  const balance = new Map<string, number>()
  let c = 0
  const chargeBody = JSON.stringify({ amount: 100_000 })
  results.push(report(ctx, {
    ...await load(ctx, 'charge', () => {
      const n = c++
      const u = users[n % K]
      return { method: 'POST', path: `/users/${u}/points/charge`, body: chargeBody, tag: u, headers: { authorization: ctx.bearer(u), 'idempotency-key': `${ctx.userPrefix}c${n}` } }
    }, (status, body, req) => { if (status === 200) balance.set(req.tag as string, (JSON.parse(body) as { balance: number }).balance) }),
    endpoint: 'charge', route: 'POST /users/{id}/points/charge', note: `with an Idempotency-Key, ${K} users in turn`
  }))

  // Hold n: user n mod K, round r = n div K: show r mod SHOWS, and each user's 4 seats of a show are distinct.
  const held: Array<{ id: string, userId: string, price: number }> = []
  let h = 0
  const maxHolds = K * SHOWS * HOLDS_PER_USER_PER_SHOW
  const nextHold = (): LoadRequest | null => {
    const n = h++
    if (n >= maxHolds) return null
    const u = n % K
    const r = Math.floor(n / K)
    const seatNo = Math.floor(r / SHOWS) * K + u + 1
    return {
      method: 'POST', path: '/reservations', tag: users[u],
      body: JSON.stringify({ date: big.dates[r % SHOWS], seatNo }),
      headers: { authorization: ctx.bearer(users[u]), 'queue-token': bigTokens[u] }
    }
  }
  const onHold = (status: number, body: string, req: LoadRequest): void => {
    if (status === 201) held.push({ id: (JSON.parse(body) as { id: string }).id, userId: req.tag as string, price: PRICE })
  }
  results.push(report(ctx, {
    ...await load(ctx, 'hold', nextHold, onHold),
    endpoint: 'hold', route: 'POST /reservations', note: `a distinct free seat per request, ${K} admitted users in turn (≤ 4 holds per user and show, ${SHOWS} shows)`
  }))

  // The pay run needs enough holds to last: hold more (not measured) when the hold run made too few.
  const wanted = Math.min(maxHolds, ctx.minPayItems)
  if (held.length < wanted) {
    ctx.log(`  holding ${wanted - held.length} more seats for the pay run (not measured) …`)
    const more = Array.from({ length: wanted - held.length }, () => nextHold()).filter((x): x is LoadRequest => x !== null)
    await forEachLimited(more, 32, async (req) => {
      const r = await ctx.client.request<string>(req.method, req.path, { headers: req.headers, body: JSON.parse(req.body ?? '{}') })
      onHold(r.status, JSON.stringify(r.body), req)
    })
  }

  // Every holder must be able to pay: top up whoever the charge run left short (not measured).
  const need = new Map<string, number>()
  for (const x of held) need.set(x.userId, (need.get(x.userId) ?? 0) + x.price)
  const short = [...need].filter(([u, n]) => (balance.get(u) ?? 0) < n)
  await forEachLimited(short, 32, async ([u, n]) => {
    let left = n - (balance.get(u) ?? 0)
    while (left > 0) { const amount = Math.min(left, 1_000_000); await chargeUser(ctx.client, u, ctx.bearer(u), amount); left -= amount }
  })

  // Paying lapses the payer's queue token (the contract): pay in hold order, which is users in turn.
  let paid = 0
  let sent = 0
  let q = 0
  results.push(report(ctx, {
    ...await load(ctx, 'pay', () => {
      const n = q++
      if (n >= held.length) return null
      sent++
      return { method: 'POST', path: `/reservations/${held[n].id}/pay`, headers: { authorization: ctx.bearer(held[n].userId), 'idempotency-key': `${ctx.userPrefix}y${n}` } }
    }, (status) => { if (status === 200) paid++ }, 0), // no warm-up pass: every hold can be paid once, and the mode's warm-up paid already
    endpoint: 'pay', route: 'POST /reservations/{id}/pay', note: `pays the holds above (${held.length} held), with an Idempotency-Key`
  }))

  const poll = await createConcert(ctx.client, ctx.adminBearer, { title: 'bench poll', shows: 1, seats: 50, price: 1000 })
  const pollIds = Array.from({ length: ctx.pollUsers }, (_, i) => `${ctx.userPrefix}p${i}`)
  const pollTokens = await joinUsers(ctx.client, poll.id, pollIds, ctx.bearer)
  let p = 0
  results.push(report(ctx, {
    ...await load(ctx, 'poll', () => {
      const i = p++ % pollIds.length
      return { method: 'GET', path: '/queue/tokens/current', headers: { authorization: ctx.bearer(pollIds[i]), 'queue-token': pollTokens[i] } }
    }),
    endpoint: 'queue poll', route: 'GET /queue/tokens/current', note: `${ctx.pollUsers} tokens in turn, ${K} of them ACTIVE, the rest WAITING (bearer + Queue-Token)`
  }))

  const join = await createConcert(ctx.client, ctx.adminBearer, { title: 'bench join', shows: 1, seats: 50, price: 1000 })
  const body = JSON.stringify({ concertId: join.id })
  let j = 0
  results.push(report(ctx, {
    ...await load(ctx, 'join', () => ({
      method: 'POST', path: '/queue/tokens', body, headers: { authorization: `Bearer ${signBearer(ctx.secret, `${ctx.userPrefix}j${j++}`)}` }
    })),
    endpoint: 'queue join', route: 'POST /queue/tokens', note: `a new user per request: all but the first ${K} are WAITING`
  }))

  return { results, pays: { acknowledged: paid, sent }, concertIds: [demo.id, big.id] }
}

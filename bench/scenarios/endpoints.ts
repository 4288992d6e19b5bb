// The endpoint scenarios, in the order they run, and the ones issue 12 adds once their routes exist.
// A new scenario is one more entry in SCENARIOS (prepare through the API, return the requests to send);
// fixtures that several scenarios share are built once, on first use, in `Fixtures`.

import { admitUsers, chargeUser, createConcert, joinUsers, sectionedVenue, sectionsOf, type CreatedConcert } from '../lib/api.js'
import { expectStatus, forEachLimited } from '../lib/http.js'
import { memoryOf } from '../lib/procfs.js'
import { signBearer } from '../lib/jwt.js'
import type { LoadRequest } from '../load/run-load.js'
import type { PlannedScenario, Scenario, ScenarioContext } from './scenario.js'

const HOLDS_PER_USER_PER_SHOW = 4 // MAX_HOLDS_PER_USER's default
const PRICE = 1000
/** The big show's shape: this many sections of this many rows (seats per row follow from its size): 15,000 = 30 × 20 × 25. */
const BIG_SECTIONS = 30
const BIG_ROWS_PER_SECTION = 20

interface Held { id: string, userId: string, price: number, seat: string }

/** The concerts and admitted users the booking scenarios share, made on first use. */
export class Fixtures {
  private booking: Promise<Booking> | null = null
  private bigShow: Promise<BigShow> | null = null
  /** Holds made by the hold scenario (and topped up for the pay scenario). */
  readonly held: Held[] = []
  /** The hold run's rate: the pay run is given holds for twice that over its time. */
  holdRps = 0
  /** Payments answered 200, and pay requests sent at all: for the invariant check. */
  readonly pays = { acknowledged: 0, sent: 0 }
  readonly concertIds: string[] = []

  /** 100 (QUEUE_MAX_ACTIVE) users admitted to the demo concert and to a concert with room for every hold. */
  bookingUsers (ctx: ScenarioContext): Promise<Booking> {
    this.booking ??= (async () => {
      const k = ctx.admittedUsers
      const shows = Math.max(1, Math.ceil(ctx.maxHolds / (k * HOLDS_PER_USER_PER_SHOW)))
      const users = Array.from({ length: k }, (_, i) => `${ctx.userPrefix}b${i}`)
      const concerts = expectStatus(await ctx.client.request<{ concerts: CreatedConcert[] }>('GET', '/concerts'), 200, 'listing concerts')
      const demo = concerts.concerts[0]
      const big = await createConcert(ctx.client, ctx.adminBearer, { title: 'bench holds', shows, seats: k * HOLDS_PER_USER_PER_SHOW, price: PRICE, firstDay: 60 })
      this.concertIds.push(demo.id, big.id)
      ctx.log(`  prepared concert ${big.id}: ${shows} shows × ${k * HOLDS_PER_USER_PER_SHOW} seats; admitting ${k} users to it and to the demo concert …`)
      return { demo, big, shows, users, demoTokens: await admitUsers(ctx.client, demo.id, users, ctx.bearer), bigTokens: await admitUsers(ctx.client, big.id, users, ctx.bearer) }
    })()
    return this.booking
  }

  /** One show of about `bigShowSeats` seats in 30 sections of 20 rows, with the booking users admitted to it. */
  bigSeatMap (ctx: ScenarioContext): Promise<BigShow> {
    this.bigShow ??= (async () => {
      const { users } = await this.bookingUsers(ctx)
      const layout = sectionedVenue({ sections: BIG_SECTIONS, rowsPerSection: BIG_ROWS_PER_SECTION, seatsPerRow: Math.max(1, Math.round(ctx.bigShowSeats / (BIG_SECTIONS * BIG_ROWS_PER_SECTION))), basePrice: PRICE })
      const concert = await createConcert(ctx.client, ctx.adminBearer, { title: 'bench big show', shows: 1, seats: 0, price: PRICE, layout, firstDay: 90 })
      this.concertIds.push(concert.id)
      return { concert, seats: layout.at(-1)?.to ?? 0, sections: sectionsOf(layout), tokens: await admitUsers(ctx.client, concert.id, users, ctx.bearer) }
    })()
    return this.bigShow
  }
}

interface BigShow { concert: CreatedConcert, seats: number, sections: string[], tokens: string[] }

interface Booking { demo: CreatedConcert, big: CreatedConcert, shows: number, users: string[], demoTokens: string[], bigTokens: string[] }

const queueHeaders = (ctx: ScenarioContext, userId: string, token: string): Record<string, string> => ({ authorization: ctx.bearer(userId), 'queue-token': token })

/** The ceilings a scenario is compared with (embedded, production): a primary-key read, a conditional write, the queue's store. */
const READ: Scenario<Fixtures>['matching'] = { embedded: 'sqlite-select', production: 'mysql-select' }
const WRITE: Scenario<Fixtures>['matching'] = { embedded: 'sqlite-update', production: 'mysql-update' }
const QUEUE: Scenario<Fixtures>['matching'] = { embedded: 'hello', production: 'redis-get' }

/** `GET /concerts/{date}/seats<query>` by each admitted user in turn (with their own token for that concert). */
const seatMapRequests = (ctx: ScenarioContext, date: string, users: string[], tokens: string[], query = ''): LoadRequest[] =>
  users.map((u, i) => ({ method: 'GET', path: `/concerts/${date}/seats${query}`, headers: queueHeaders(ctx, u, tokens[i]) }))

/** Section n mod S of the big show by user n mod K: every section's map, every user's token. */
const sectionMapRequests = (ctx: ScenarioContext, big: BigShow, users: string[]): LoadRequest[] =>
  Array.from({ length: Math.max(users.length, big.sections.length) * 2 }, (_, n) => {
    const u = n % users.length
    return { method: 'GET', path: `/concerts/${big.concert.dates[0]}/seats?section=${encodeURIComponent(big.sections[n % big.sections.length])}`, headers: queueHeaders(ctx, users[u], big.tokens[u]) }
  })

/** The current ETag of each `/concerts/{date}/seats<query>` of the big show; checks that sending it back gets a 304. */
async function currentTags (ctx: ScenarioContext, big: BigShow, user: string, queries: string[]): Promise<string[]> {
  const headers = queueHeaders(ctx, user, big.tokens[0])
  return Promise.all(queries.map(async (q) => {
    const path = `/concerts/${big.concert.dates[0]}/seats${q}`
    const r = await ctx.client.request('GET', path, { headers })
    expectStatus(r, 200, `reading ${path}`)
    const tag = r.headers.etag
    if (typeof tag !== 'string') throw new Error(`${path} has no ETag`)
    expectStatus(await ctx.client.request('GET', path, { headers: { ...headers, 'if-none-match': tag } }), 304, `revalidating ${path} with its ETag`)
    return tag
  }))
}

/** Hold n: user n mod K, round r = n div K: show r mod SHOWS, and each user's 4 seats of a show are distinct. */
function holdRequests (ctx: ScenarioContext, b: Booking): LoadRequest[] {
  const k = b.users.length
  return Array.from({ length: k * b.shows * HOLDS_PER_USER_PER_SHOW }, (_, n) => {
    const u = n % k
    const r = Math.floor(n / k)
    return { method: 'POST', path: '/reservations', headers: queueHeaders(ctx, b.users[u], b.bigTokens[u]), body: JSON.stringify({ date: b.big.dates[r % b.shows], seatNo: Math.floor(r / b.shows) * k + u + 1 }) }
  })
}

function keepHolds (f: Fixtures, bodies: string[]): void {
  for (const body of bodies) {
    const h = JSON.parse(body) as { id: string, userId: string, price: number, date: string, seatNo: number }
    f.held.push({ id: h.id, userId: h.userId, price: h.price, seat: `${h.date}#${h.seatNo}` })
  }
}

/** The pay run needs enough holds to last, and every holder the points to pay: both made here, unmeasured. */
async function prepareToPay (ctx: ScenarioContext, f: Fixtures, b: Booking): Promise<void> {
  const all = holdRequests(ctx, b)
  const wanted = Math.min(all.length, Math.max(ctx.minPayItems, Math.ceil(2 * f.holdRps * ctx.durationSec)))
  if (f.held.length < wanted) {
    const taken = new Set(f.held.map(h => h.seat))
    const seatOf = (r: LoadRequest): string => { const x = JSON.parse(r.body ?? '{}') as { date: string, seatNo: number }; return `${x.date}#${x.seatNo}` }
    // From the end: the hold run sent its requests from the start of each slice.
    const more = all.filter(r => !taken.has(seatOf(r))).slice(-(wanted - f.held.length))
    ctx.log(`  holding ${more.length} more seats for the pay run (not measured) …`)
    const made: string[] = []
    await forEachLimited(more, 32, async (req) => {
      const r = await ctx.client.request('POST', req.path, { headers: req.headers, body: JSON.parse(req.body ?? '{}') })
      if (r.status === 201) made.push(JSON.stringify(r.body))
    })
    keepHolds(f, made)
  }
  const need = new Map<string, number>()
  for (const h of f.held) need.set(h.userId, (need.get(h.userId) ?? 0) + h.price)
  await forEachLimited([...need], 16, async ([userId, amount]) => {
    const auth = ctx.bearer(userId)
    const r = await ctx.client.request<{ balance: number }>('GET', `/users/${userId}/points`, { headers: { authorization: auth } })
    let left = amount - expectStatus(r, 200, `reading ${userId}'s points`).balance
    while (left > 0) { const n = Math.min(left, 1_000_000); await chargeUser(ctx.client, userId, auth, n); left -= n }
  })
}

export const SCENARIOS: Array<Scenario<Fixtures>> = [
  {
    // Before the booking concerts exist: the list aggregates every seat of every upcoming show.
    name: 'dates',
    route: 'GET /concerts/dates',
    matching: READ,
    plan: async () => ({ requests: [{ method: 'GET', path: '/concerts/dates' }], note: 'every upcoming show of every concert (demo, warm-up, rush), no filter' })
  },
  {
    name: 'seats view',
    route: 'GET /concerts/{date}/seats',
    matching: READ,
    target: { ofHello: 0.5 },
    plan: async (ctx, f) => {
      const b = await f.bookingUsers(ctx)
      return {
        requests: seatMapRequests(ctx, b.demo.dates[0], b.users, b.demoTokens),
        note: `the demo show (50 seats), ${b.users.length} admitted users in turn`
      }
    }
  },
  {
    name: 'seat map 15k',
    route: 'GET /concerts/{date}/seats',
    matching: READ,
    target: { rps: 2000 },
    plan: async (ctx, f) => {
      const { users } = await f.bookingUsers(ctx)
      const big = await f.bigSeatMap(ctx)
      return {
        requests: seatMapRequests(ctx, big.concert.dates[0], users, big.tokens),
        // Enough to keep the service busy; 64 would queue a costly map so long that a short pass sees no reply.
        connections: 16,
        note: `the whole map of a ${big.seats.toLocaleString('en-US')}-seat show (${big.sections.length} sections × ${BIG_ROWS_PER_SECTION} rows, all AVAILABLE), ${users.length} admitted users in turn`
      }
    }
  },
  {
    name: 'section map',
    route: 'GET /concerts/{date}/seats?section=',
    matching: READ,
    target: { ofHello: 0.5 },
    plan: async (ctx, f) => {
      const { users } = await f.bookingUsers(ctx)
      const big = await f.bigSeatMap(ctx)
      return {
        requests: sectionMapRequests(ctx, big, users),
        note: `one section's map (${Math.round(big.seats / big.sections.length)} seats) of the big show, the ${big.sections.length} sections in turn, ${users.length} admitted users in turn`
      }
    }
  },
  {
    name: 'section map 304',
    route: 'GET /concerts/{date}/seats?section= + If-None-Match',
    matching: READ,
    target: { ofHello: 0.5 },
    plan: async (ctx, f) => {
      const { users } = await f.bookingUsers(ctx)
      const big = await f.bigSeatMap(ctx)
      // Each section's current tag, read once (the show does not change while this runs): every request is a 304.
      const tags = await currentTags(ctx, big, users[0], big.sections.map(x => `?section=${encodeURIComponent(x)}`))
      return {
        requests: sectionMapRequests(ctx, big, users).map((r, n) => ({ ...r, headers: { ...r.headers, 'if-none-match': tags[n % big.sections.length] } })),
        note: `revalidation of one section's map with its current ETag (304, no body), the ${big.sections.length} sections and ${users.length} users in turn`
      }
    }
  },
  {
    name: 'sections summary',
    route: 'GET /concerts/{date}/sections',
    matching: READ,
    target: { ofHello: 0.5 },
    plan: async (ctx, f) => {
      const { users } = await f.bookingUsers(ctx)
      const big = await f.bigSeatMap(ctx)
      return {
        requests: users.map((u, i) => ({ method: 'GET', path: `/concerts/${big.concert.dates[0]}/sections`, headers: queueHeaders(ctx, u, big.tokens[i]) })),
        note: `the big show's ${big.sections.length} sections with their counts, ${users.length} admitted users in turn`
      }
    }
  },
  {
    name: 'charge',
    route: 'POST /users/{id}/points/charge',
    matching: WRITE,
    target: { ofCeiling: 0.5 },
    plan: async (ctx, f) => {
      const { users } = await f.bookingUsers(ctx)
      const body = JSON.stringify({ amount: 100_000 })
      // A fresh Idempotency-Key each time: a repeated key would be answered from the idempotency store.
      const requests: LoadRequest[] = Array.from({ length: ctx.budget(0.4) }, (_, n) => {
        const u = users[n % users.length]
        return { method: 'POST', path: `/users/${u}/points/charge`, body, headers: { authorization: ctx.bearer(u), 'idempotency-key': `${ctx.userPrefix}c${n}` } }
      })
      return { requests, once: true, codes: true, note: `with a fresh Idempotency-Key, ${users.length} users in turn` }
    }
  },
  {
    name: 'hold',
    route: 'POST /reservations',
    matching: WRITE,
    target: { ofCeiling: 0.5 },
    plan: async (ctx, f) => {
      const b = await f.bookingUsers(ctx)
      return {
        requests: holdRequests(ctx, b), once: true, codes: true, capture: 201,
        note: `one seat, a distinct free one per request, ${b.users.length} admitted users in turn (≤ 4 holds per user and show, ${b.shows} shows)`,
        after: (r) => { keepHolds(f, r.captured); f.holdRps = r.rps }
      }
    }
  },
  {
    name: 'pay',
    route: 'POST /reservations/{id}/pay',
    matching: WRITE,
    target: { ofCeiling: 0.35 },
    plan: async (ctx, f) => {
      await prepareToPay(ctx, f, await f.bookingUsers(ctx))
      return {
        requests: f.held.map((h, n) => ({ method: 'POST', path: `/reservations/${h.id}/pay`, headers: { authorization: ctx.bearer(h.userId), 'idempotency-key': `${ctx.userPrefix}y${n}` } })),
        once: true, codes: true, capture: 200,
        // No warm-up: every hold can be paid once, and the mode's warm-up paid already.
        warmupSec: 0,
        note: `pays the holds above (${f.held.length} held, one seat each), with a fresh Idempotency-Key`,
        after: (r) => { f.pays.acknowledged += r.captured.length; f.pays.sent += r.sent }
      }
    }
  },
  {
    name: 'queue poll',
    route: 'GET /queue/tokens/current',
    matching: QUEUE,
    target: { ofHello: 0.4 },
    plan: async (ctx, f) => {
      const poll = await createConcert(ctx.client, ctx.adminBearer, { title: 'bench poll', shows: 1, seats: 50, price: PRICE })
      f.concertIds.push(poll.id)
      const ids = Array.from({ length: ctx.pollUsers }, (_, i) => `${ctx.userPrefix}p${i}`)
      const tokens = await joinUsers(ctx.client, poll.id, ids, ctx.bearer)
      return {
        requests: ids.map((u, i) => ({ method: 'GET', path: '/queue/tokens/current', headers: queueHeaders(ctx, u, tokens[i]) })),
        note: `${ids.length} tokens in turn, ${ctx.admittedUsers} of them ACTIVE, the rest WAITING (bearer + Queue-Token)`
      }
    }
  },
  {
    // Last: it leaves tens of thousands of entries in a queue.
    name: 'queue join',
    route: 'POST /queue/tokens',
    matching: QUEUE,
    target: { ofHello: 0.3 },
    plan: async (ctx, f) => {
      const join = await createConcert(ctx.client, ctx.adminBearer, { title: 'bench join', shows: 1, seats: 50, price: PRICE })
      f.concertIds.push(join.id)
      const body = JSON.stringify({ concertId: join.id })
      const requests: LoadRequest[] = Array.from({ length: ctx.budget(0.6) }, (_, n) => ({
        method: 'POST', path: '/queue/tokens', body, headers: { authorization: `Bearer ${signBearer(ctx.secret, `${ctx.userPrefix}j${n}`)}` }
      }))
      // What each waiting fan costs: the service's resident set (the embedded queue lives there) and Redis's memory.
      const rssBytes = (): number => ctx.pids.reduce((a, pid) => a + (memoryOf(pid)?.rssMiB ?? 0), 0) * 2 ** 20
      const rssBefore = rssBytes()
      const redisBefore = await ctx.redisMemoryBytes?.()
      return {
        requests, once: true, codes: true,
        note: `a new user per request (${requests.length.toLocaleString('en-US')} prepared): all but the first ${ctx.admittedUsers} are WAITING`,
        after: async (r) => {
          const fans = Math.max(1, r.sent)
          const figures: Record<string, number> = { 'service RSS growth, bytes per joined fan': Math.round((rssBytes() - rssBefore) / fans) }
          const redisAfter = await ctx.redisMemoryBytes?.()
          if (redisBefore !== undefined && redisAfter !== undefined) figures['Redis used_memory growth, bytes per joined fan'] = Math.round((redisAfter - redisBefore) / fans)
          return figures
        }
      }
    }
  }
]

/**
 * Issue 12's scenarios that wait for their routes (the later wave adds each to SCENARIOS when its route is
 * on main, and removes it here). Listed in the report as not measured; nothing is sent for them.
 */
export const PLANNED: PlannedScenario[] = [
  { name: 'hold 4 seats', route: 'POST /reservations { date, seatNos: [4] }', target: '≥ 35 % of the UPDATE ceiling', waitsFor: 'multi-seat holds (orders)' },
  { name: 'pay 4 seats', route: 'POST /reservations/{id}/pay (4-seat hold)', target: '≥ 35 % of the UPDATE ceiling', waitsFor: 'multi-seat holds (orders)' },
  { name: 'refund', route: 'POST /reservations/{id}/refund', target: 'none set (report CPU ms/req)', waitsFor: 'refunds (orders)' },
  { name: 'arena rush', route: '100,000 fans, 15,000 seats in sections, orders of 1–4 seats', target: 'sold out, ≥ 1,000 tickets/s, step p99 < 100 ms', waitsFor: 'sections, multi-seat and best-available holds, refreshAfterMs (bench:full)' }
]

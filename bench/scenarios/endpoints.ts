// The endpoint scenarios, in the order they run, and the ones issue 12 adds once their routes exist.
// A new scenario is one more entry in SCENARIOS (prepare through the API, return the requests to send);
// fixtures that several scenarios share are built once, on first use, in `Fixtures`.

import { createConcert, joinUsers } from '../lib/api.js'
import { expectStatus } from '../lib/http.js'
import { memoryOf } from '../lib/procfs.js'
import { signBearer } from '../lib/jwt.js'
import type { LoadRequest, LoadResult } from '../load/run-load.js'
import { BIG_ROWS_PER_SECTION, PRICE, holdRequests, laneOf, prepareToPay, prepareToRefund, queueHeaders, type BigShow, type Fixtures, type HoldKind, type PayLane } from './fixtures.js'
import { drainBacklog, holdRelayOff, undelivered } from './outbox.js'
import type { Plan, PlannedScenario, Scenario, ScenarioContext } from './scenario.js'

export { Fixtures } from './fixtures.js'

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

/** A hold run of one kind: each request once, its 201 bodies kept for the pay run of its lane. */
async function holdPlan (ctx: ScenarioContext, f: Fixtures, kind: HoldKind, what: string): Promise<Plan> {
  const b = await f.booking(ctx, kind)
  const lane = laneOf(kind)
  return {
    requests: holdRequests(ctx, b), once: true, codes: true, capture: 201,
    note: `${what}, ${b.users.length} admitted users in turn (≤ 4 seats per user and show, ${b.shows} shows)`,
    after: (r) => { f.keepHolds(lane, r.captured); f.holdRps[lane] = Math.max(f.holdRps[lane], r.rps) }
  }
}

/** A pay run: every hold of its lane once, a fresh Idempotency-Key each, no warm-up (the mode's warm-up paid already). */
async function payPlan (ctx: ScenarioContext, f: Fixtures, lane: PayLane): Promise<Plan> {
  await prepareToPay(ctx, f, lane)
  const held = f.held[lane]
  return {
    requests: held.map((h, n) => ({ method: 'POST', path: `/reservations/${h.id}/pay`, headers: { authorization: ctx.bearer(h.userId), 'idempotency-key': `${ctx.userPrefix}y${lane}${n}` } })),
    once: true, codes: true, capture: 200, warmupSec: 0,
    note: `pays the holds above (${held.length} held, ${lane === 'one' ? 'one seat' : 'four seats'} each), with a fresh Idempotency-Key`,
    after: (r: LoadResult) => { f.pays.acknowledged += r.captured.length; f.pays.sent += r.sent; f.payRps[lane] = r.rps; f.payCpu[lane] = r.cpu.msPerRequest; f.keepPaid(lane, r.captured) }
  }
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
      const demo = await f.demoShow(ctx)
      const users = f.users(ctx)
      return {
        requests: seatMapRequests(ctx, demo.concert.dates[0], users, demo.tokens),
        note: `the demo show (50 seats), ${users.length} admitted users in turn`
      }
    }
  },
  {
    name: 'seat map 15k',
    route: 'GET /concerts/{date}/seats',
    matching: READ,
    target: { rps: 2000 },
    plan: async (ctx, f) => {
      const users = f.users(ctx)
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
      const users = f.users(ctx)
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
      const users = f.users(ctx)
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
      const users = f.users(ctx)
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
      const users = f.users(ctx)
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
    plan: (ctx, f) => holdPlan(ctx, f, 'one', 'one seat (`seatNo`), a distinct free one per request')
  },
  {
    name: 'hold 4 seats',
    route: 'POST /reservations { seatNos: [4] }',
    matching: WRITE,
    target: { ofCeiling: 0.35 },
    plan: (ctx, f) => holdPlan(ctx, f, 'four', 'four picked seats side by side (`seatNos`), a distinct free block per request')
  },
  {
    name: 'hold best 4',
    route: 'POST /reservations { quantity: 4 }',
    matching: WRITE,
    target: { ofCeiling: 0.35 },
    plan: (ctx, f) => holdPlan(ctx, f, 'best', 'four best-available seats (`quantity: 4`), the service picks the block')
  },
  {
    name: 'pay',
    route: 'POST /reservations/{id}/pay',
    matching: WRITE,
    target: { ofCeiling: 0.35 },
    plan: (ctx, f) => payPlan(ctx, f, 'one')
  },
  {
    name: 'pay 4 seats',
    route: 'POST /reservations/{id}/pay (4-seat order)',
    matching: WRITE,
    target: { ofCeiling: 0.35 },
    plan: (ctx, f) => payPlan(ctx, f, 'four')
  },
  {
    // The outbox's cost per payment (issue 13): the same 1-seat payments with every relay idle, then its backlog drained.
    name: 'pay, relay held off',
    route: 'POST /reservations/{id}/pay (outbox relay idle)',
    matching: WRITE,
    only: 'production',
    plan: async (ctx, f) => {
      const plan = await payPlan(ctx, f, 'relay')
      await holdRelayOff(ctx.databaseUrl)
      // Any relay round already running ends (fenced) within a tick or two.
      await new Promise(resolve => setTimeout(resolve, 600))
      const pending = await undelivered(ctx.databaseUrl)
      return {
        ...plan,
        note: `${plan.note}, while the bench holds the relay's lease (${pending} events undelivered before); then the relay is let go on the backlog`,
        after: async (r) => {
          await plan.after?.(r)
          const d = await drainBacklog({ databaseUrl: ctx.databaseUrl, redisUrl: ctx.redisUrl!, cpuWindow: ctx.cpuWindow })
          const running = f.payCpu.one
          const idle = r.cpu.msPerRequest
          // One payment.confirmed per payment: the drain's CPU per event is the relay's cost per payment.
          return {
            'relay CPU ms per delivered event (= per payment)': d.cpuMsPerEvent ?? 0,
            'relay drain: events/s to the stream': d.eventsPerSec ?? 0,
            'backlog events': d.backlog,
            'relay drain: ms until none undelivered': d.ms,
            'stream entries added': d.streamGrowth,
            'CPU ms per pay, relay running (pay above)': running ?? 0,
            'CPU ms per pay, running − held off (within noise unless large)': running !== null && idle !== null ? Math.round((running - idle) * 10_000) / 10_000 : 0
          }
        }
      }
    }
  },
  {
    name: 'refund',
    route: 'POST /reservations/{id}/refund',
    matching: WRITE,
    plan: async (ctx, f) => {
      // A refund costs about what a payment does: prepare for the pay runs' rate.
      await prepareToRefund(ctx, f, Math.max(f.payRps.one, f.payRps.four, f.payRps.relay))
      return {
        requests: f.paid.map((h, n) => ({ method: 'POST', path: `/reservations/${h.id}/refund`, headers: { authorization: ctx.bearer(h.userId), 'idempotency-key': `${ctx.userPrefix}f${n}` } })),
        once: true, codes: true, capture: 200, warmupSec: 0,
        note: `the owner refunds paid orders (${f.paid.length}: 1 and 4 seats), each once, with a fresh Idempotency-Key`,
        after: (r) => { f.refunds.acknowledged += r.captured.length; f.refunds.sent += r.sent }
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
]

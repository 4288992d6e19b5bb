// The rush: N users join a concert's queue at once, are admitted QUEUE_MAX_ACTIVE at a time, race for the
// seats of several dates, and the winners charge and pay. An undici-free, node:http driver with a cap on
// requests in flight; every step's latency is the request's own (send → last byte), not time spent queued
// in the driver.

import { randomUUID } from 'node:crypto'
import { ActiveSampler, type ActiveSamples } from '../lib/active.js'
import type { HttpClient, Reply } from '../lib/http.js'
import { signBearer } from '../lib/jwt.js'
import { sleep } from '../lib/processes.js'
import { Recorder, Tally, outcomeLabel, round, type LatencySummary } from '../lib/stats.js'

export const RUSH_STEPS = ['join', 'poll', 'seats', 'dates', 'hold', 'charge', 'pay', 'leave', 'cancel'] as const
export type RushStep = typeof RUSH_STEPS[number]

/** Replies that are a normal part of a rush, not errors. */
const EXPECTED: Record<RushStep, string[]> = {
  join: ['200', '201', '409 SOLD_OUT'],
  poll: ['200'],
  seats: ['200'],
  dates: ['200'],
  hold: ['201', '409 SEAT_UNAVAILABLE'],
  charge: ['200'],
  pay: ['200'],
  leave: ['204'],
  cancel: ['200']
}

export interface RushOptions {
  users: number
  secret: string
  userPrefix: string
  concertId: string
  dates: string[]
  seatsPerDate: number
  maxActive: number
  client: HttpClient
  /** Another client (not capped by the users' limit) for the monitor: sales and active-count samples. */
  monitor: HttpClient
  adminBearer: string
  /** Extra active-count samplers (e.g. straight from Redis); the /metrics gauge is always sampled. */
  sampleActive?: () => Promise<number>
  timeoutMs: number
  /** How waiting users time their polls: as `refreshAfterMs` says, or at one fixed interval whatever it says. */
  pacing: RushPacing
  /** Poll interval by place in the queue when a paced user gets no `refreshAfterMs`: near the front, a few batches back, far back. */
  pollMs: { near: number, mid: number, far: number }
  log: (line: string) => void
}

/**
 * `paced`: wait what the reply's `refreshAfterMs` says (issue 11); `fixed`: poll every `everyMs` (±20 %), what a
 * client that ignores the advice does — the waiting room's cost before paced polling.
 */
export type RushPacing = { kind: 'paced' } | { kind: 'fixed', everyMs: number }

export const pacingLabel = (p: RushPacing): string => p.kind === 'paced' ? 'paced (refreshAfterMs)' : `fixed ${p.everyMs / 1000} s`

export interface StepFigures extends LatencySummary { outcomes: Record<string, number> }

export interface RushResult {
  pacing: RushPacing
  users: number
  seats: number
  maxActive: number
  concurrency: number
  soldOut: boolean
  timeToSellOutMs: number | null
  totalMs: number
  joinedMs: number
  admitted: number
  admissionsPerSec: number
  holds: number
  holdAttempts: number
  holdsPerSec: number
  bought: number
  /** Tickets bought per second, from the first hold to the last purchase. */
  ticketsPerSec: number
  /** Every request of the rush (all steps) per ticket bought. */
  requestsPerTicket: number | null
  /** Poll requests of every waiting user ÷ users admitted (the waiting room's cost per admission). */
  pollsPerAdmitted: number | null
  /** Poll requests per second while anyone waited (from the first join to the last poll). */
  pollsPerSec: number
  /** Share of the WAITING poll replies that carried a `refreshAfterMs` (1 once the service paces its clients). */
  advisedShare: number | null
  outcomesByUser: Record<string, number>
  steps: Record<RushStep, StepFigures>
  /** Replies that are neither successes nor an expected 409, by "step status code". */
  errors: Record<string, number>
  serverErrors: number
  activeSamples: ActiveSamples
  peakInFlight: number
  /** How long requests waited in the driver for a free slot (not part of the step latencies). */
  driverWait: LatencySummary
}

interface Ticket { token: string, status: 'WAITING' | 'ACTIVE' | 'SOLD_OUT' | 'PREQUEUE', position: number, refreshAfterMs?: number | null }
interface Seat { seatNo: number, price: number, status: string }

export async function runRush (o: RushOptions): Promise<RushResult> {
  const totalSeats = o.dates.length * o.seatsPerDate
  const latency = Object.fromEntries(RUSH_STEPS.map(s => [s, new Recorder()])) as Record<RushStep, Recorder>
  const outcomes = Object.fromEntries(RUSH_STEPS.map(s => [s, new Tally()])) as Record<RushStep, Tally>
  const errors = new Tally()
  const driverWait = new Recorder() // time a request waited for one of the driver's slots before it was sent
  const byUser = new Tally()
  let joined = 0; let admitted = 0; let holds = 0; let holdAttempts = 0; let bought = 0; let waiting = 0
  let firstHoldAt = 0; let lastHoldAt = 0; let lastBoughtAt = 0; let firstAdmitAt = 0; let lastAdmitAt = 0
  let soldOutAt: number | null = null
  let announced = false // the site's "sold out" notice: waiting users leave
  let announce: () => void = () => {}
  const announcement = new Promise<void>((resolve) => { announce = resolve })
  // A waiting user's pause ends early at the notice (a fan told to come back in 30 s still sees the banner).
  const pause = (ms: number): Promise<void> => new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    void announcement.then(() => { clearTimeout(timer); resolve() })
  })
  let finished = 0
  const started = performance.now()
  const elapsed = (): number => performance.now() - started

  async function call<T> (step: RushStep, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Reply<T>> {
    const asked = performance.now()
    const r = await o.client.request<T>(method, path, { headers, body })
    latency[step].add(r.ms)
    driverWait.add(performance.now() - asked - r.ms)
    const label = r.status === 0 ? `network ${String((r.body as { code?: string } | undefined)?.code ?? '')}` : outcomeLabel(r.status, r.body)
    outcomes[step].add(label)
    if (!EXPECTED[step].includes(label)) errors.add(`${step} ${label}`)
    return r
  }

  const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]
  const jitter = (ms: number): number => ms * (0.8 + Math.random() * 0.4)
  // The server's own advice when it gives one (refreshAfterMs), else a schedule by place in the queue.
  let advised = 0; let waitingReplies = 0; let lastPollAt = 0
  const interval = (t: Ticket): number => {
    if (t.status === 'WAITING') { waitingReplies++; if (typeof t.refreshAfterMs === 'number') advised++ }
    if (o.pacing.kind === 'fixed') return jitter(o.pacing.everyMs)
    return jitter(typeof t.refreshAfterMs === 'number'
      ? t.refreshAfterMs
      : t.position <= o.maxActive ? o.pollMs.near : t.position <= 5 * o.maxActive ? o.pollMs.mid : o.pollMs.far)
  }

  async function user (i: number): Promise<string> {
    const auth = { authorization: `Bearer ${signBearer(o.secret, `${o.userPrefix}${i}`)}` }
    let preferred = pick(o.dates)
    const j = await call<Ticket>('join', 'POST', '/queue/tokens', auth, { concertId: o.concertId })
    joined++
    if (j.status === 409) return 'lost: sold out at join'
    if (j.status !== 200 && j.status !== 201) return 'join failed'
    let ticket = j.body
    const withToken = (): Record<string, string> => ({ ...auth, 'queue-token': ticket.token })
    const leave = async (): Promise<void> => { await call('leave', 'DELETE', '/queue/tokens/current', withToken()) }

    if (ticket.status !== 'ACTIVE') {
      waiting++
      try {
        while (ticket.status !== 'ACTIVE') {
          if (announced) { await leave(); return 'left: sold out while waiting' }
          if (ticket.status === 'SOLD_OUT') return 'left: the room said sold out'
          await pause(interval(ticket))
          if (announced) { await leave(); return 'left: sold out while waiting' }
          const p = await call<Ticket>('poll', 'GET', '/queue/tokens/current', withToken())
          lastPollAt = elapsed()
          if (p.status !== 200) return `lost the queue place (${p.status})`
          ticket = p.body
        }
      } finally { waiting-- }
    }
    admitted++
    lastAdmitAt = elapsed()
    if (firstAdmitAt === 0) firstAdmitAt = lastAdmitAt

    for (let attempt = 0; attempt < 12; attempt++) {
      const s = await call<{ seats: Seat[] }>('seats', 'GET', `/concerts/${preferred}/seats`, withToken())
      if (s.status !== 200) { await leave(); return `no seat map (${s.status})` }
      const free = s.body.seats.filter(x => x.status === 'AVAILABLE')
      if (free.length === 0) {
        // This date is gone: look for another one with seats left (the public list counts live holds as taken).
        const d = await call<{ dates: Array<{ date: string, availableSeats: number }> }>('dates', 'GET', `/concerts/dates?concertId=${o.concertId}`, {})
        const open = d.status === 200 ? d.body.dates.filter(x => x.availableSeats > 0 && o.dates.includes(x.date)) : []
        if (open.length === 0) { await leave(); return 'lost: sold out' }
        preferred = pick(open).date
        continue
      }
      const seat = pick(free)
      holdAttempts++
      const h = await call<{ id: string, price: number }>('hold', 'POST', '/reservations', withToken(), { date: preferred, seatNo: seat.seatNo })
      if (h.status === 409) continue
      if (h.status !== 201) continue
      holds++
      lastHoldAt = elapsed()
      if (firstHoldAt === 0) firstHoldAt = lastHoldAt
      const c = await call('charge', 'POST', `/users/${o.userPrefix}${i}/points/charge`, { ...auth, 'idempotency-key': randomUUID() }, { amount: h.body.price })
      const paid = c.status === 200
        ? await call('pay', 'POST', `/reservations/${h.body.id}/pay`, { ...auth, 'idempotency-key': randomUUID() })
        : null
      if (paid?.status === 200) {
        bought++
        lastBoughtAt = elapsed()
        if (bought === totalSeats && soldOutAt === null) soldOutAt = elapsed()
        return 'bought a seat'
      }
      // Give the seat back at once rather than let the hold lapse minutes later.
      await call('cancel', 'DELETE', `/reservations/${h.body.id}`, auth)
      await leave()
      return 'failed to pay'
    }
    await leave()
    return 'gave up after 12 tries'
  }

  // The monitor: the queue's ACTIVE count (metrics gauge, and any extra sampler) and the concert's sales.
  const active = new ActiveSampler(o.monitor, o.concertId, o.sampleActive)
  let stop = false
  const monitor = (async () => {
    let lastProgress = 0
    let lastSales = 0
    while (!stop) {
      await active.sampleMetrics()
      if (active.hasExtra) for (let k = 0; k < 4 && !stop; k++) { await active.sampleExtra(); await sleep(25) }
      else await sleep(100)
      if (elapsed() - lastSales > 500) {
        lastSales = elapsed()
        const s = await o.monitor.request<{ totals: { sold: number, held: number } }>('GET', `/admin/concerts/${o.concertId}/sales`, { headers: { authorization: o.adminBearer } })
        if (s.status === 200 && s.body.totals.sold === totalSeats && soldOutAt === null) soldOutAt = elapsed()
      }
      if (soldOutAt !== null && !announced) { announced = true; announce() }
      if (!announced && elapsed() > o.timeoutMs) { announced = true; announce(); o.log(`  rush: time limit (${o.timeoutMs / 1000} s) reached before selling out; everybody leaves`) }
      if (elapsed() - lastProgress >= 1000) {
        lastProgress = elapsed()
        o.log(`  rush ${(elapsed() / 1000).toFixed(1).padStart(5)} s: joined ${joined}/${o.users}, waiting ${waiting}, admitted ${admitted}, ` +
          `holds ${holds}, sold ${bought}/${totalSeats}, active now ${active.last ?? '?'} (max ${active.summary().max}), ` +
          `in flight ${o.client.limiter.inFlight}, errors ${errors.total()}, done ${finished}`)
      }
    }
  })()

  let joinedAllAt = 0
  const users = Array.from({ length: o.users }, (_, i) => user(i).then(
    (why) => { byUser.add(why); finished++ },
    (err: unknown) => { byUser.add(`crashed: ${(err as Error).message}`); finished++ }
  ))
  void (async () => { while (joined < o.users && !stop) await sleep(20); joinedAllAt = elapsed() })()
  await Promise.all(users)
  stop = true
  await monitor
  const totalMs = elapsed()

  const steps = Object.fromEntries(RUSH_STEPS.map(s => [s, { ...latency[s].summary(), outcomes: outcomes[s].counts }])) as Record<RushStep, StepFigures>
  const polls = latency.poll.count
  return {
    pacing: o.pacing,
    users: o.users,
    seats: totalSeats,
    maxActive: o.maxActive,
    concurrency: o.client.limiter.max,
    soldOut: soldOutAt !== null,
    timeToSellOutMs: soldOutAt === null ? null : round(soldOutAt, 0),
    totalMs: round(totalMs, 0),
    joinedMs: round(joinedAllAt, 0),
    admitted,
    admissionsPerSec: round(admitted / (Math.max(1, lastAdmitAt) / 1000), 1),
    holds,
    holdAttempts,
    holdsPerSec: round(holds / (Math.max(1, lastHoldAt - firstHoldAt) / 1000), 1),
    bought,
    ticketsPerSec: round(bought / (Math.max(1, lastBoughtAt - firstHoldAt) / 1000), 1),
    requestsPerTicket: bought > 0 ? round(RUSH_STEPS.reduce((a, st) => a + latency[st].count, 0) / bought, 1) : null,
    pollsPerAdmitted: admitted > 0 ? round(polls / admitted, 1) : null,
    pollsPerSec: round(polls / (Math.max(1, lastPollAt) / 1000), 0),
    advisedShare: waitingReplies > 0 ? round(advised / waitingReplies, 3) : null,
    outcomesByUser: byUser.counts,
    steps,
    errors: errors.counts,
    serverErrors: Object.values(outcomes).reduce((a, t) => a + t.total(l => /^5\d\d/.test(l)), 0),
    activeSamples: active.summary(),
    peakInFlight: o.client.limiter.peak,
    driverWait: driverWait.summary()
  }
}

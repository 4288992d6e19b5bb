// The arena rush (issue 12 item 4): a sectioned show, QUEUE_MAX_ACTIVE sized from this mode's measured
// capacity, and tens of thousands of fans played by child processes (bench/arena/fan-worker.ts) who join within
// seconds, wait as refreshAfterMs tells them and buy orders of 1–4 seats until the show is sold out.

import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { ActiveSampler, type ActiveSamples } from '../lib/active.js'
import { createConcert, sectionedVenue, sectionsOf, type CreatedConcert } from '../lib/api.js'
import { expectStatus, type HttpClient } from '../lib/http.js'
import { memoryOf } from '../lib/procfs.js'
import { sleep } from '../lib/processes.js'
import { Recorder, Tally, round, type LatencySummary } from '../lib/stats.js'
import { blocksOf, type MapSeat } from '../arena/seat-pick.js'
import { ARENA_STEPS, FAN_TIMES, SHOP_STEPS, type ArenaStep, type FanTime, type FanWorkerDone, type FanWorkerInput, type FanWorkerProgress, type FanWorkerResult, type ParentMessage } from '../arena/protocol.js'
import type { EndpointResult } from './scenario.js'

export interface ArenaSpec {
  fans: number
  sections: number
  rowsPerSection: number
  seatsPerRow: number
  joinSpreadSec: number
  workers: number
  timeoutSec: number
  /** Waiting-room sockets per fan process and service instance. */
  roomConnections: number
  bestShare: number
  sectionShare: number
  noSingleSeatGaps: boolean
}

const BASE_PRICE = 50_000
/** The mean wait of an admitted fan to learn of it: half the shortest poll interval the service advises (1 s). */
const LEARN_MS = 500

/** A few whole orders, one after another on an idle service: the time an admitted fan needs, without queueing. */
export async function calibrateJourney (o: { client: HttpClient, adminBearer: string, bearer: (u: string) => string, userPrefix: string, log: (l: string) => void }): Promise<{ concertId: string, journeyMs: number, samples: number[], paid: number, payRequests: number }> {
  const layout = sectionedVenue({ sections: 2, rowsPerSection: 4, seatsPerRow: 25, basePrice: BASE_PRICE })
  const c = await createConcert(o.client, o.adminBearer, { title: 'bench arena calibration', shows: 1, seats: 0, price: 0, layout, noSingleSeatGaps: true, firstDay: 150 })
  const date = c.dates[0]
  const samples: number[] = []
  let paid = 0
  for (let i = 0; i < 8; i++) {
    const user = `${o.userPrefix}cal${i}`
    const auth = { authorization: o.bearer(user) }
    const t = expectStatus(await o.client.request<{ token: string, status: string }>('POST', '/queue/tokens', { headers: auth, body: { concertId: c.id } }), [200, 201], 'joining the calibration concert')
    if (t.status !== 'ACTIVE') throw new Error('calibration: a fan was not admitted at once (is the queue of the calibration concert empty?)')
    const q = { ...auth, 'queue-token': t.token }
    const started = performance.now()
    const s = expectStatus(await o.client.request<{ sections: Array<{ section: string }> }>('GET', `/concerts/${date}/sections`, { headers: q }), 200, 'calibration: sections')
    let body: Record<string, unknown>
    if (i % 2 === 0) {
      const m = expectStatus(await o.client.request<{ seats: MapSeat[] }>('GET', `/concerts/${date}/seats?section=${s.sections[i % 4 === 0 ? 0 : 1].section}`, { headers: q }), 200, 'calibration: section map')
      body = { date, seatNos: blocksOf(m.seats, 2, true)[0] }
    } else body = { date, quantity: 2 }
    const h = expectStatus(await o.client.request<{ id: string, price: number }>('POST', '/reservations', { headers: q, body }), 201, 'calibration: hold')
    expectStatus(await o.client.request('POST', `/users/${user}/points/charge`, { headers: { ...auth, 'idempotency-key': randomUUID() }, body: { amount: h.price } }), 200, 'calibration: charge')
    expectStatus(await o.client.request('POST', `/reservations/${h.id}/pay`, { headers: { ...auth, 'idempotency-key': randomUUID() } }), 200, 'calibration: pay')
    paid++
    samples.push(performance.now() - started)
  }
  const sorted = [...samples].sort((a, b) => a - b)
  return { concertId: c.id, journeyMs: round(sorted[Math.floor(sorted.length / 2)], 1), samples: samples.map(x => round(x, 1)), paid, payRequests: paid }
}

export interface QueueSizing { maxActive: number, ordersPerSec: number | null, journeyMs: number, slotMs: number, how: string }

/**
 * QUEUE_MAX_ACTIVE from this mode's capacity (Little's law): orders per second the service completes × the time
 * an admitted fan holds a slot (the calibrated journey plus the mean wait to learn of the admission). The
 * order rate treats the service as one server running an order's requests one after another, each at the rate
 * its endpoint run measured at saturation: 1 / Σ (requests of that kind per order ÷ their req/s).
 */
export function sizeQueue (endpoints: EndpointResult[], spec: ArenaSpec, journeyMs: number, fallback: number): QueueSizing {
  const found = (name: string): EndpointResult | undefined => endpoints.find(e => e.endpoint === name && e.rps > 0)
  const rate = (name: string): number | null => found(name)?.rps ?? null
  const picked = 1 - spec.bestShare
  const perOrder: Array<[string, number]> = [['sections summary', 1], ['section map', picked], ['hold 4 seats', picked], ['hold best 4', spec.bestShare], ['charge', 1], ['pay 4 seats', 1]]
  const slotMs = journeyMs + LEARN_MS
  const rates = perOrder.map(([name, n]) => ({ name, n, rps: rate(name) }))
  if (rates.some(r => r.rps === null)) {
    return { maxActive: fallback, ordersPerSec: null, journeyMs, slotMs, how: `QUEUE_MAX_ACTIVE = ${fallback} (the default: ${rates.filter(r => r.rps === null).map(r => r.name).join(', ')} not measured in this mode)` }
  }
  const secondsPerOrder = rates.reduce((a, r) => a + r.n / r.rps!, 0)
  const ordersPerSec = 1 / secondsPerOrder
  const maxActive = Math.min(5000, Math.max(10, Math.ceil(ordersPerSec * slotMs / 1000)))
  const terms = rates.map(r => `${r.n}/${Math.round(r.rps!)}`).join(' + ')
  // A rate from few replies (a pass not much longer than its requests' latency) is rough: say which.
  const rough = rates.filter(r => found(r.name)?.fewReplies).map(r => r.name)
  return {
    maxActive, ordersPerSec: round(ordersPerSec, 1), journeyMs, slotMs,
    how: `QUEUE_MAX_ACTIVE = ⌈orders/s × slot time⌉ = ⌈${round(ordersPerSec, 1)} × ${round(slotMs / 1000, 3)} s⌉ = ${maxActive}, ` +
      `where orders/s = 1 / (${terms}) from this mode's ${rates.map(r => r.name).join(', ')} req/s, and slot time = ${journeyMs} ms (median whole order on an idle service) + ${LEARN_MS} ms (mean wait to learn of the admission)` +
      (rough.length ? `; rough: ${rough.join(', ')} from few replies` : '')
  }
}

export interface ArenaResult {
  fans: number
  seats: number
  sections: number
  maxActive: number
  sizing: QueueSizing
  workers: number
  soldOut: boolean
  /** From the first join. */
  timeToSellOutMs: number | null
  firstTicketMs: number | null
  allJoinedMs: number
  totalMs: number
  joined: number
  admitted: number
  admissionsPerSec: number
  orders: number
  tickets: number
  /** Tickets ÷ (sold out − first ticket), and the median of the one-second windows in between. */
  ticketsPerSec: number
  ticketsPerSecMedian: number
  requests: number
  requestsPerTicket: number | null
  polls: number
  pollsPerAdmitted: number | null
  steps: Record<ArenaStep, LatencySummary & { outcomes: Record<string, number> }>
  /** The worst p99 over an admitted fan's steps (sections, seats, hold, best, charge, pay). */
  worstShopP99: { step: ArenaStep, ms: number } | null
  fanTimes: Record<FanTime, LatencySummary>
  errors: Record<string, number>
  serverErrors: number
  byFan: Record<string, number>
  orderSizes: Record<string, number>
  orderKinds: Record<string, number>
  activeSamples: ActiveSamples
  /** Waiting-room memory at the fullest sampled moment: per fan in the room (waiting or admitted). */
  memory: { fansInRoom: number, serviceRssBytesPerFan: number | null, redisBytesPerFan: number | null }
  generator: { cpuMs: number, msPerRequest: number | null, processes: number }
  payments: { acknowledged: number, sent: number }
}

export interface ArenaRunOptions {
  root: string
  tmp: string
  ports: number[]
  pids: number[]
  secret: string
  userPrefix: string
  adminBearer: string
  client: HttpClient
  monitor: HttpClient
  /** An extra ACTIVE-count sampler for the arena's concert (Redis). */
  sampleActive?: (concertId: string) => () => Promise<number>
  redisMemory?: () => Promise<number>
  spec: ArenaSpec
  sizing: QueueSizing
  activeTtlMs: number
  log: (line: string) => void
}

export async function runArena (o: ArenaRunOptions): Promise<{ result: ArenaResult, concert: CreatedConcert }> {
  const s = o.spec
  const layout = sectionedVenue({ sections: s.sections, rowsPerSection: s.rowsPerSection, seatsPerRow: s.seatsPerRow, basePrice: BASE_PRICE })
  const seats = layout.at(-1)?.to ?? 0
  const concert = await createConcert(o.client, o.adminBearer, { title: 'bench arena', shows: 1, seats: 0, price: 0, layout, noSingleSeatGaps: s.noSingleSeatGaps, firstDay: 120 })
  o.log(`  arena: concert ${concert.id}, ${seats.toLocaleString('en-US')} seats in ${sectionsOf(layout).length} sections × ${s.rowsPerSection} rows; ${s.fans.toLocaleString('en-US')} fans in ${s.workers} processes join within ${s.joinSpreadSec} s`)
  const rss = (): number => o.pids.reduce((a, pid) => a + (memoryOf(pid)?.rssMiB ?? 0), 0) * 2 ** 20
  const base = { rss: rss(), redis: await o.redisMemory?.() }

  const maxActivePerWorker = Math.ceil(o.sizing.maxActive / s.workers)
  const children: ChildProcess[] = []
  const progress: FanWorkerProgress[] = []
  const files: string[] = []
  const ready: Array<Promise<void>> = []
  const done: Array<Promise<void>> = []
  for (let w = 0; w < s.workers; w++) {
    const input: FanWorkerInput = {
      worker: w, workers: s.workers, fans: s.fans, ports: o.ports, secret: o.secret, userPrefix: o.userPrefix, concertId: concert.id, date: concert.dates[0],
      joinSpreadMs: s.joinSpreadSec * 1000, roomConnections: s.roomConnections,
      // Every admitted fan of this process has a socket of its own, as a real fan would.
      shopConnections: Math.ceil(maxActivePerWorker / o.ports.length) + 4,
      bestShare: s.bestShare, sectionShare: s.sectionShare, noSingleSeatGaps: s.noSingleSeatGaps, activeTtlMs: o.activeTtlMs,
      out: join(o.tmp, `arena-${concert.id}-${w}.json`)
    }
    // BENCH_ARENA_CPU_PROF=<dir>: profile the fan processes themselves (is the generator cheap enough?).
    const prof = process.env.BENCH_ARENA_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_ARENA_CPU_PROF}`] : []
    const child = spawn(process.execPath, [...prof, '--import', 'tsx', join(o.root, 'bench/arena/fan-worker.ts'), JSON.stringify(input)], { cwd: o.root, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
    let stderr = ''
    child.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
    children.push(child)
    ready.push(new Promise((resolve, reject) => {
      child.on('message', (m: { type: 'ready' } | FanWorkerProgress | FanWorkerDone) => {
        if (m.type === 'ready') resolve()
        else if (m.type === 'progress') progress[w] = m
        else files[w] = m.file
      })
      child.once('exit', code => reject(new Error(`fan process ${w} ended with code ${code} before it was ready: ${stderr.trim()}`)))
    }))
    done.push(new Promise((resolve, reject) => child.once('exit', code => files[w] ? resolve() : reject(new Error(`fan process ${w} ended with code ${code} and no results: ${stderr.trim()}`)))))
  }
  const broadcast = (m: ParentMessage): void => { for (const c of children) if (c.connected) c.send(m) }
  try {
    await Promise.all(ready)
    const startAt = Date.now() + 100
    broadcast({ type: 'start', startAt })
    await sleep(100)
    const started = performance.now()
    const elapsed = (): number => performance.now() - started

    const active = new ActiveSampler(o.monitor, concert.id, o.sampleActive?.(concert.id))
    let soldOutAt: number | null = null
    let fullest = { fansInRoom: 0, rss: base.rss, redis: base.redis }
    let lastSales = 0; let lastMemory = 0; let lastLog = 0; let lastMetrics = 0
    let stopped = false
    const finished = (): number => progress.reduce((a, p) => a + (p?.finished ?? 0), 0)
    const all = Promise.all(done).finally(() => { stopped = true })
    all.catch(() => {})
    while (!stopped) {
      if (elapsed() - lastMetrics >= 300) { lastMetrics = elapsed(); await active.sampleMetrics() }
      if (!await active.sampleExtra()) await sleep(50)
      await sleep(50)
      if (elapsed() - lastSales >= 250 && soldOutAt === null) {
        lastSales = elapsed()
        const r = await o.monitor.request<{ totals: { sold: number } }>('GET', `/admin/concerts/${concert.id}/sales`, { headers: { authorization: o.adminBearer } })
        if (r.status === 200 && r.body.totals.sold >= seats) { soldOutAt = elapsed(); broadcast({ type: 'soldout' }) }
      }
      if (elapsed() - lastMemory >= 500) {
        lastMemory = elapsed()
        const inRoom = progress.reduce((a, p) => a + (p ? p.waiting + p.shopping : 0), 0)
        if (inRoom > fullest.fansInRoom) fullest = { fansInRoom: inRoom, rss: rss(), redis: await o.redisMemory?.() }
      }
      if (elapsed() - lastLog >= 1000) {
        lastLog = elapsed()
        const t = (k: keyof FanWorkerProgress): number => progress.reduce((a, p) => a + (p ? Number(p[k]) : 0), 0)
        o.log(`  arena ${(elapsed() / 1000).toFixed(1).padStart(5)} s: joined ${t('joined')}/${s.fans}, waiting ${t('waiting')}, shopping ${t('shopping')}, admitted ${t('admitted')}, ` +
          `sold ${t('tickets')}/${seats} in ${t('orders')} orders, polls ${t('polls')}, active now ${active.last ?? '?'} (max ${active.summary().max}/${o.sizing.maxActive}), ` +
          `queued in the generator ${t('queued')}, errors ${t('errors')}, 5xx ${t('serverErrors')}, done ${finished()}`)
      }
      if (elapsed() > s.timeoutSec * 1000) { o.log(`  arena: time limit (${s.timeoutSec} s) reached; stopping the fans`); broadcast({ type: 'stop' }); break }
    }
    await all
    const totalMs = elapsed()
    return { result: merge(files, { o, seats, totalMs, soldOutAt, active: active.summary(), base, fullest }), concert }
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  }
}

interface MergeInput {
  o: ArenaRunOptions
  seats: number
  totalMs: number
  soldOutAt: number | null
  active: ActiveSamples
  base: { rss: number, redis: number | undefined }
  fullest: { fansInRoom: number, rss: number, redis: number | undefined }
}

/** The fan processes' figures as one: latencies merged sample by sample, counts summed, timelines added. */
function merge (files: string[], m: MergeInput): ArenaResult {
  const results = files.map(f => JSON.parse(readFileSync(f, 'utf8')) as FanWorkerResult)
  const samples = (name: string): Recorder => {
    const r = new Recorder()
    for (const f of files) {
      const b = readFileSync(`${f}.${name}.lat`)
      r.addAll(new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)))
    }
    return r
  }
  const sum = (k: 'joined' | 'admitted' | 'orders' | 'tickets' | 'serverErrors' | 'cpuMs'): number => results.reduce((a, r) => a + r[k], 0)
  const tally = (pick: (r: FanWorkerResult) => Record<string, number>): Record<string, number> => {
    const t = new Tally()
    for (const r of results) for (const [k, v] of Object.entries(pick(r))) t.add(k, v)
    return t.counts
  }
  const series = (pick: (r: FanWorkerResult) => number[]): number[] => {
    const out: number[] = []
    for (const r of results) pick(r).forEach((v, i) => { out[i] = (out[i] ?? 0) + v })
    return Array.from(out, v => v ?? 0)
  }
  const steps = Object.fromEntries(ARENA_STEPS.map(st => [st, { ...samples(st).summary(), outcomes: tally(r => r.outcomes[st]) }])) as ArenaResult['steps']
  const fanTimes = Object.fromEntries(FAN_TIMES.map(t => [t, samples(t).summary()])) as ArenaResult['fanTimes']
  const tickets = series(r => r.timeline.tickets)
  const admissions = series(r => r.timeline.admissions)
  const requests = results.reduce((a, r) => a + r.timeline.requests.reduce((x, y) => x + y, 0), 0)
  const ticketsSold = sum('tickets')
  const bucket = 250
  const first = tickets.findIndex(v => v > 0)
  const firstTicketMs = first < 0 ? null : first * bucket
  const endMs = m.soldOutAt ?? (tickets.length * bucket)
  const windowSec = firstTicketMs === null ? 0 : Math.max(0.25, (endMs - firstTicketMs) / 1000)
  // One-second windows from the first ticket to sold out: the rate the sale sustained.
  const perSecond: number[] = []
  if (first >= 0) for (let i = first; i + 4 <= Math.ceil(endMs / bucket); i += 4) perSecond.push(tickets.slice(i, i + 4).reduce((a, b) => a + b, 0))
  perSecond.sort((a, b) => a - b)
  const lastAdmit = admissions.length * bucket
  const polls = results.reduce((a, r) => a + r.polls.total, 0)
  const admitted = sum('admitted')
  const shop = SHOP_STEPS.filter(st => steps[st].count > 0)
  const worst = shop.reduce<{ step: ArenaStep, ms: number } | null>((w, st) => w === null || steps[st].p99 > w.ms ? { step: st, ms: steps[st].p99 } : w, null)
  const inRoom = m.fullest.fansInRoom
  const perFan = (a: number | undefined, b: number | undefined): number | null => a === undefined || b === undefined || inRoom === 0 ? null : Math.round((b - a) / inRoom)
  const generatorCpu = sum('cpuMs')
  return {
    fans: m.o.spec.fans,
    seats: m.seats,
    sections: m.o.spec.sections,
    maxActive: m.o.sizing.maxActive,
    sizing: m.o.sizing,
    workers: files.length,
    soldOut: m.soldOutAt !== null,
    timeToSellOutMs: m.soldOutAt === null ? null : round(m.soldOutAt, 0),
    firstTicketMs,
    allJoinedMs: round(Math.max(0, ...results.map(r => r.lastJoinAt)), 0),
    totalMs: round(m.totalMs, 0),
    joined: sum('joined'),
    admitted,
    admissionsPerSec: round(admitted / (Math.max(bucket, lastAdmit) / 1000), 1),
    orders: sum('orders'),
    tickets: ticketsSold,
    ticketsPerSec: windowSec > 0 ? round(ticketsSold / windowSec, 1) : 0,
    ticketsPerSecMedian: perSecond.length ? perSecond[Math.floor(perSecond.length / 2)] : 0,
    requests,
    requestsPerTicket: ticketsSold > 0 ? round(requests / ticketsSold, 1) : null,
    polls,
    pollsPerAdmitted: admitted > 0 ? round(polls / admitted, 2) : null,
    steps,
    worstShopP99: worst,
    fanTimes,
    errors: tally(r => r.errors),
    serverErrors: sum('serverErrors'),
    byFan: tally(r => r.byFan),
    orderSizes: tally(r => r.orderSizes),
    orderKinds: tally(r => r.orderKinds),
    activeSamples: m.active,
    memory: { fansInRoom: inRoom, serviceRssBytesPerFan: perFan(m.base.rss, m.fullest.rss), redisBytesPerFan: perFan(m.base.redis, m.fullest.redis) },
    generator: { cpuMs: round(generatorCpu, 0), msPerRequest: requests > 0 ? round(generatorCpu / requests, 4) : null, processes: files.length },
    payments: { acknowledged: steps.pay.outcomes['200'] ?? 0, sent: results.reduce((a, r) => a + r.paysSent, 0) }
  }
}

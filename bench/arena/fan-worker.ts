// One process of the arena's fans (bench/scenarios/arena.ts starts one per core): its share of the fans join
// on a schedule, wait sending a poll only when one is due (refreshAfterMs, on a timer wheel: a waiting fan is a
// few bytes and no promise), and once ACTIVE buy an order of 1–4 seats, best available or picked on a section's
// map. Reports progress over IPC; at the end writes its figures next to `out` and says "done".
// Usage (by the parent only): node --import tsx bench/arena/fan-worker.ts '<json of FanWorkerInput>'

import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { signBearer } from '../lib/jwt.js'
import { Recorder, Tally, outcomeLabel } from '../lib/stats.js'
import { renderRequest, type LoadRequest } from '../load/requests.js'
import { ARENA_STEPS, EXPECTED, FAN_TIMES, type ArenaStep, type FanTime, type FanWorkerDone, type FanWorkerInput, type FanWorkerProgress, type FanWorkerResult, type ParentMessage } from './protocol.js'
import { blocksOf, type MapSeat } from './seat-pick.js'
import { WirePool, type WireReply } from './wire.js'

const BUCKET_MS = 250
const WHEEL_MS = 20

/** A fan's state (one byte each). */
const St = { Idle: 0, Joining: 1, Waiting: 2, Polling: 3, Shopping: 4, Done: 5 } as const

interface Ticket { token: string, status: string, position: number | null, refreshAfterMs: number | null, activeUntil: string | null }
interface Section { section: string, availableSeats: number }

function main (): void {
  const o = JSON.parse(process.argv[2]) as FanWorkerInput
  const n = Math.max(0, Math.ceil((o.fans - o.worker) / o.workers))
  const globalIndex = (k: number): number => o.worker + k * o.workers
  const state = new Uint8Array(n)
  const tokens: Array<string | undefined> = new Array(n)
  const bearers: Array<string | undefined> = new Array(n)
  const polledBy = new Uint16Array(n)
  const joinedAt = new Float64Array(n)
  const dueAt = new Float64Array(n)
  const bearer = (k: number): string => (bearers[k] ??= `Bearer ${signBearer(o.secret, `${o.userPrefix}${globalIndex(k)}`)}`)
  const room = o.ports.map(p => new WirePool(p, o.roomConnections))
  const shop = o.ports.map(p => new WirePool(p, o.shopConnections))

  const latency = Object.fromEntries(ARENA_STEPS.map(s => [s, new Recorder()])) as Record<ArenaStep, Recorder>
  const times = Object.fromEntries(FAN_TIMES.map(s => [s, new Recorder()])) as Record<FanTime, Recorder>
  const outcomes = Object.fromEntries(ARENA_STEPS.map(s => [s, new Tally()])) as Record<ArenaStep, Tally>
  const errors = new Tally()
  const byFan = new Tally()
  const orderSizes = new Tally()
  const orderKinds = new Tally()
  const timeline = { tickets: [] as number[], admissions: [] as number[], joins: [] as number[], requests: [] as number[] }
  let joined = 0; let admitted = 0; let orders = 0; let tickets = 0; let finished = 0; let serverErrors = 0; let requests = 0
  let waiting = 0; let shopping = 0; let pollsByAdmitted = 0; let lastJoinAt = 0; let paysSent = 0
  let startAt = 0
  let soldOut = false
  let stopping = false

  const since = (): number => performance.now() - startAt
  const bump = (series: number[], k = 1): void => { const b = Math.max(0, Math.floor(since() / BUCKET_MS)); while (series.length <= b) series.push(0); series[b] += k }
  const rand = Math.random

  async function call (k: number, step: ArenaStep, req: LoadRequest, pool: 'room' | 'shop', urgent = false): Promise<WireReply> {
    const pools = pool === 'room' ? room : shop
    requests++
    if (step === 'pay') paysSent++
    bump(timeline.requests)
    const r = await pools[globalIndex(k) % pools.length].request(renderRequest(req), urgent)
    if (stopping) return r
    ;times[pool === 'room' ? 'roomWait' : 'shopWait'].add(r.waitedMs)
    latency[step].add(r.ms)
    let label: string
    if (r.status === 0) label = `network ${r.error ?? ''}`
    else if (r.status >= 300 && r.status !== 304) {
      let body: unknown
      try { body = JSON.parse(r.body.toString('utf8')) } catch { body = undefined }
      label = outcomeLabel(r.status, body)
    } else label = String(r.status)
    outcomes[step].add(label)
    if (r.status >= 500) serverErrors++
    if (!EXPECTED[step].includes(label)) errors.add(`${step} ${label}`)
    return r
  }
  const json = <T>(r: WireReply): T => JSON.parse(r.body.toString('utf8')) as T
  const codeOf = (r: WireReply): string | undefined => { try { return (json<{ code?: string }>(r)).code } catch { return undefined } }

  function finish (k: number, why: string): void {
    if (state[k] === St.Done) return
    if (state[k] === St.Waiting || state[k] === St.Polling) waiting--
    if (state[k] === St.Shopping) shopping--
    state[k] = St.Done
    finished++
    byFan.add(why)
  }

  // The timer wheel of due polls: a bucket per 20 ms holds the fans whose poll is due then.
  const wheel = new Map<number, number[]>()
  let wheelAt = 0
  function schedule (k: number, atMs: number): void {
    dueAt[k] = atMs
    const b = Math.max(wheelAt, Math.ceil(atMs / WHEEL_MS)) // never early: a bucket fires once its time has come
    let list = wheel.get(b)
    if (!list) { list = []; wheel.set(b, list) }
    list.push(k)
  }

  function onTicket (k: number, t: Ticket): void {
    tokens[k] = t.token
    if (t.status === 'ACTIVE') { void shopFor(k, t); return }
    if (t.status === 'SOLD_OUT') { finish(k, 'told SOLD_OUT by the room'); return }
    if (soldOut) { finish(k, 'left at the sold-out notice'); return }
    if (state[k] !== St.Waiting) { if (state[k] === St.Joining) waiting++; state[k] = St.Waiting }
    schedule(k, since() + (typeof t.refreshAfterMs === 'number' ? t.refreshAfterMs : 1000))
  }

  async function join (k: number): Promise<void> {
    state[k] = St.Joining
    const r = await call(k, 'join', { method: 'POST', path: '/queue/tokens', headers: { authorization: bearer(k) }, body: JSON.stringify({ concertId: o.concertId }) }, 'room')
    if (stopping) return
    joined++
    lastJoinAt = since()
    bump(timeline.joins)
    joinedAt[k] = since()
    if (r.status === 409) { finish(k, 'sold out at join'); return }
    if (r.status !== 200 && r.status !== 201) { finish(k, `join failed (${r.status})`); return }
    onTicket(k, json<Ticket>(r))
  }

  async function poll (k: number): Promise<void> {
    state[k] = St.Polling
    times.late.add(since() - dueAt[k])
    polledBy[k]++
    const r = await call(k, 'poll', { method: 'GET', path: '/queue/tokens/current', headers: { authorization: bearer(k), 'queue-token': tokens[k]! } }, 'room', true)
    if (stopping) return
    if (r.status === 0) { state[k] = St.Waiting; schedule(k, since() + 1000); return }
    if (r.status !== 200) { finish(k, `lost the queue place (${r.status})`); return }
    onTicket(k, json<Ticket>(r))
  }

  const withToken = (k: number): Record<string, string> => ({ authorization: bearer(k), 'queue-token': tokens[k]! })

  async function leave (k: number): Promise<void> {
    await call(k, 'leave', { method: 'DELETE', path: '/queue/tokens/current', headers: withToken(k) }, 'room', true)
  }

  async function readSections (k: number): Promise<Section[] | null> {
    const r = await call(k, 'sections', { method: 'GET', path: `/concerts/${o.date}/sections`, headers: withToken(k) }, 'shop')
    return r.status === 200 ? json<{ sections: Section[] }>(r).sections : null
  }

  const weighted = (xs: Section[]): Section => {
    let total = 0
    for (const s of xs) total += s.availableSeats
    let x = rand() * total
    for (const s of xs) { x -= s.availableSeats; if (x < 0) return s }
    return xs[xs.length - 1]
  }

  /** An admitted fan: an order of 1–4 seats (fewer when no block that size is left), then charge and pay. */
  async function shopFor (k: number, t: Ticket): Promise<void> {
    if (state[k] === St.Waiting || state[k] === St.Polling) waiting--
    state[k] = St.Shopping
    shopping++
    admitted++
    bump(timeline.admissions)
    pollsByAdmitted += polledBy[k]
    times.queued.add(since() - joinedAt[k])
    if (t.activeUntil !== null) times.learnt.add(Math.max(0, Date.now() - (Date.parse(t.activeUntil) - o.activeTtlMs)))
    const toldAt = since()
    const why = await buyOrder(k).catch((err: unknown) => `crashed: ${(err as Error).message}`)
    if (why === 'bought') times.journey.add(since() - toldAt)
    finish(k, why)
  }

  async function buyOrder (k: number): Promise<string> {
    let q = 1 + Math.floor(rand() * 4)
    const best = rand() < o.bestShare
    let sections = await readSections(k)
    if (sections === null) { await leave(k); return 'no sections' }
    // Sections whose map showed no block of q (availableSeats counts seats, not blocks).
    let noBlock = new Set<string>()
    for (let attempt = 0; attempt < 12 && !stopping; attempt++) {
      if (sections.every(s => s.availableSeats === 0)) { await leave(k); return 'lost: nothing left' }
      const open = sections.filter(s => s.availableSeats >= q && !noBlock.has(s.section))
      if (open.length === 0) {
        if (q === 1) { await leave(k); return 'lost: no seat it could take' }
        q--
        noBlock = new Set()
        continue
      }
      let h: WireReply
      let kind: string
      if (best) {
        const named = rand() < o.sectionShare ? weighted(open).section : undefined
        kind = named === undefined ? 'best available' : 'best available in a section'
        h = await call(k, 'best', { method: 'POST', path: '/reservations', headers: withToken(k), body: JSON.stringify({ date: o.date, quantity: q, ...(named === undefined ? {} : { section: named }) }) }, 'shop')
        if (h.status === 409) {
          if (named !== undefined) noBlock.add(named)
          else { q = Math.max(1, q - 1); noBlock = new Set() }
          sections = (await readSections(k)) ?? sections
          continue
        }
      } else {
        const section = weighted(open).section
        const m = await call(k, 'seats', { method: 'GET', path: `/concerts/${o.date}/seats?section=${encodeURIComponent(section)}`, headers: withToken(k) }, 'shop')
        if (m.status !== 200) { await leave(k); return `no seat map (${m.status})` }
        const blocks = blocksOf(json<{ seats: MapSeat[] }>(m).seats, q, o.noSingleSeatGaps)
        if (blocks.length === 0) { noBlock.add(section); continue }
        kind = 'picked'
        h = await call(k, 'hold', { method: 'POST', path: '/reservations', headers: withToken(k), body: JSON.stringify({ date: o.date, seatNos: blocks[Math.floor(rand() * blocks.length)] }) }, 'shop')
        if (h.status === 409) continue // taken meanwhile (or a gap it now leaves): look again
      }
      if (h.status !== 201) { await leave(k); return `hold failed (${h.status})` }
      const order = json<{ id: string, price: number, seatNos: number[] }>(h)
      const userId = `${o.userPrefix}${globalIndex(k)}`
      const c = await call(k, 'charge', { method: 'POST', path: `/users/${userId}/points/charge`, headers: { authorization: bearer(k), 'idempotency-key': randomUUID() }, body: JSON.stringify({ amount: order.price }) }, 'shop')
      const p = c.status === 200 ? await call(k, 'pay', { method: 'POST', path: `/reservations/${order.id}/pay`, headers: { authorization: bearer(k), 'idempotency-key': randomUUID() } }, 'shop') : null
      if (p?.status === 200) {
        orders++
        tickets += order.seatNos.length
        bump(timeline.tickets, order.seatNos.length)
        orderSizes.add(String(order.seatNos.length))
        orderKinds.add(kind)
        return 'bought'
      }
      // Give the seats back at once rather than let the hold lapse minutes later.
      await call(k, 'cancel', { method: 'DELETE', path: `/reservations/${order.id}`, headers: { authorization: bearer(k) } }, 'shop')
      await leave(k)
      return `failed to pay (${codeOf(p ?? c) ?? (p ?? c).status})`
    }
    await leave(k)
    return 'gave up after 12 tries'
  }

  let nextJoin = 0
  function tick (): void {
    if (stopping) return
    const now = since()
    // Joins on the schedule: fan g at g × spread / fans.
    while (nextJoin < n && (soldOut || globalIndex(nextJoin) * o.joinSpreadMs / o.fans <= now)) {
      const k = nextJoin++
      if (soldOut) { finish(k, 'never joined: sold out'); continue }
      void join(k)
    }
    const upTo = Math.floor(now / WHEEL_MS)
    for (; wheelAt <= upTo; wheelAt++) {
      const due = wheel.get(wheelAt)
      if (!due) continue
      wheel.delete(wheelAt)
      for (const k of due) {
        if (state[k] !== St.Waiting) continue
        if (soldOut) finish(k, 'left at the sold-out notice')
        else void poll(k)
      }
    }
    if (finished >= n) void end()
  }

  const progress = (): void => {
    const queued = [...room, ...shop].reduce((a, p) => a + p.queued, 0)
    const msg: FanWorkerProgress = { type: 'progress', joined, waiting, shopping, finished, admitted, orders, tickets, polls: latency.poll.count, requests, errors: errors.total(), serverErrors, queued }
    process.send?.(msg)
  }

  // CPU time from the start of the rush (the process's start-up is not the generator's cost per request).
  let cpuAtStart: NodeJS.CpuUsage | undefined
  let ended = false
  let ticker: NodeJS.Timeout | undefined
  let reporter: NodeJS.Timeout | undefined
  async function end (): Promise<void> {
    if (ended) return
    ended = true
    clearInterval(ticker)
    clearInterval(reporter)
    progress()
    stopping = true
    for (const p of [...room, ...shop]) p.close()
    const cpu = process.cpuUsage(cpuAtStart)
    const result: FanWorkerResult = {
      fans: n, joined, admitted, orders, tickets,
      outcomes: Object.fromEntries(ARENA_STEPS.map(s => [s, outcomes[s].counts])) as FanWorkerResult['outcomes'],
      errors: errors.counts, serverErrors, byFan: byFan.counts, timeline, orderSizes: orderSizes.counts, orderKinds: orderKinds.counts,
      polls: { total: latency.poll.count, byAdmitted: pollsByAdmitted }, paysSent, cpuMs: (cpu.user + cpu.system) / 1000, lastJoinAt
    }
    for (const s of ARENA_STEPS) writeFileSync(`${o.out}.${s}.lat`, Buffer.from(latency[s].samples().buffer))
    for (const s of FAN_TIMES) writeFileSync(`${o.out}.${s}.lat`, Buffer.from(times[s].samples().buffer))
    writeFileSync(o.out, JSON.stringify(result))
    const done: FanWorkerDone = { type: 'done', file: o.out }
    process.send?.(done, () => process.exit(0))
  }

  process.on('message', (m: ParentMessage) => {
    if (m.type === 'start') {
      cpuAtStart = process.cpuUsage()
      startAt = performance.now() + (m.startAt - Date.now())
      ticker = setInterval(tick, 10)
      reporter = setInterval(progress, 500)
    } else if (m.type === 'soldout') {
      // The site's notice: every waiting fan closes the tab now (no request); those mid-poll do on the reply.
      soldOut = true
      for (let k = 0; k < n; k++) if (state[k] === St.Waiting) finish(k, 'left at the sold-out notice')
      wheel.clear()
    } else void end()
  })
  process.on('disconnect', () => process.exit(0))
  process.send?.({ type: 'ready' })
}

main()

// One mode of the bench (embedded, MySQL + Redis ×1 or ×2): fresh stores, the service started, a warm-up,
// the rush, every endpoint scenario, the invariant checks, and what the service processes cost meanwhile.

import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import type { Ceiling } from './baselines/ceilings.js'
import { redisActiveSampler } from './lib/active.js'
import { checkInvariants, type Check, type InvariantInput } from './invariants.js'
import { createConcert } from './lib/api.js'
import { createMysqlDb, flushRedis, redisUsedMemory } from './lib/backends.js'
import { HttpClient, forEachLimited } from './lib/http.js'
import { bearerCache, signBearer } from './lib/jwt.js'
import { accountCpu } from './lib/machine.js'
import { cpuWindow, memoryOf } from './lib/procfs.js'
import { summarizeProfile, type ProfileSummary } from './lib/profile.js'
import { round } from './lib/stats.js'
import { startSite, type Mode, type Site } from './lib/service.js'
import type { LoadRunner } from './load/run-load.js'
import type { Part, Profile } from './options.js'
import { Fixtures, SCENARIOS } from './scenarios/endpoints.js'
import { pacingLabel, runRush, type RushResult } from './scenarios/rush.js'
import { letRelayGo } from './scenarios/outbox.js'
import { calibrateJourney, runArena, sizeQueue, type ArenaResult, type QueueSizing } from './scenarios/arena.js'
import { isSuccess, runScenarios, type EndpointResult } from './scenarios/scenario.js'

export interface EndpointRow extends EndpointResult {
  ceiling: { instances: number, rps: number, cpuMsPerRequest: number | null } | null
  hello: { instances: number, rps: number } | null
  ratioToCeiling: number | null
  ratioToHello: number | null
}

export interface ModeReport {
  mode: Mode
  settings: Record<string, string | number>
  /** The rush with paced polling, then the same with polling at a fixed interval. */
  rushes: RushRun[]
  arena: ArenaResult | null
  /** Service CPU time over the arena: per request of the fans and per ticket sold. */
  arenaCpu: RushRun['cpu'] | null
  endpoints: EndpointRow[]
  invariants: Check[]
  serverErrors: number
  profiles: ProfileSummary[]
  error: string | null
  seconds: number
  /** Where the machine's CPU time went during this mode: bench + service, MariaDB + Redis, anything else. */
  cpu: { ownPercent: number, storesPercent: number, othersPercent: number } | null
  /** Each service process at the end of the mode: resident set and its peak (VmHWM), MiB. */
  memory: Array<{ instance: number, pid: number, rssMiB: number, peakMiB: number }>
}

/** QUEUE_ACTIVE_TTL of the arena's instances, set so that a fan can tell when it was admitted (activeUntil − TTL). */
const ARENA_ACTIVE_TTL_S = 600

export interface RushRun {
  result: RushResult
  /** Service CPU time over the whole rush: per request of the driver and per ticket sold. */
  cpu: { totalMs: number, msPerRequest: number | null, msPerTicket: number | null }
}

export interface ModeOptions {
  root: string
  tmp: string
  mysqlUrl: string
  redisUrl: string
  entry: string[]
  cpuProfile: boolean
  keep: boolean
  parts: Set<Part>
  load: LoadRunner
  log: (line: string) => void
}

/** A short mixed warm-up (join, seat map, hold, charge, pay for a few users) so the rush does not meet a cold JIT. */
async function warmUp (client: HttpClient, admin: string, bearer: (u: string) => string, prefix: string): Promise<{ acknowledged: number, sent: number }> {
  let paid = 0
  let sent = 0
  const c = await createConcert(client, admin, { title: 'bench warm-up', shows: 1, seats: 150, price: 1000 })
  const users = Array.from({ length: 150 }, (_, i) => `${prefix}w${i}`)
  await forEachLimited(users, 20, async (u, i) => {
    const auth = { authorization: bearer(u) }
    const t = await client.request<{ token: string, status: string }>('POST', '/queue/tokens', { headers: auth, body: { concertId: c.id } })
    if (t.body.status !== 'ACTIVE') return
    const q = { ...auth, 'queue-token': t.body.token }
    await client.request('GET', '/queue/tokens/current', { headers: q })
    await client.request('GET', `/concerts/${c.dates[0]}/seats`, { headers: q })
    await client.request('GET', `/concerts/dates?concertId=${c.id}`)
    const h = await client.request<{ id: string }>('POST', '/reservations', { headers: q, body: { date: c.dates[0], seatNo: i + 1 } })
    if (h.status !== 201) return
    await client.request('POST', `/users/${u}/points/charge`, { headers: { ...auth, 'idempotency-key': `${prefix}wc${i}` }, body: { amount: 1000 } })
    sent++
    const p = await client.request('POST', `/reservations/${h.body.id}/pay`, { headers: { ...auth, 'idempotency-key': `${prefix}wp${i}` } })
    if (p.status === 200) paid++
  })
  return { acknowledged: paid, sent }
}

function ceilingOf (ceilings: Ceiling[], kind: Ceiling['kind'], instances: number): Ceiling | null {
  return ceilings.find(c => c.kind === kind && c.instances === instances) ?? ceilings.find(c => c.kind === kind && c.instances === 1) ?? null
}

function withRatios (mode: Mode, ceilings: Ceiling[], r: EndpointResult): EndpointRow {
  const c = ceilingOf(ceilings, r.ceilingKind, mode.instances)
  const h = ceilingOf(ceilings, 'hello', mode.instances)
  return {
    ...r,
    ceiling: c ? { instances: c.instances, rps: c.rps, cpuMsPerRequest: c.cpu.msPerRequest } : null,
    hello: h ? { instances: h.instances, rps: h.rps } : null,
    ratioToCeiling: c && c.rps > 0 ? round(r.rps / c.rps) : null,
    ratioToHello: h && h.rps > 0 ? round(r.rps / h.rps) : null
  }
}

export async function runMode (mode: Mode, profile: Profile, ceilings: Ceiling[], o: ModeOptions): Promise<ModeReport> {
  const t0 = performance.now()
  const cpu = accountCpu()
  const report: ModeReport = { mode, settings: {}, rushes: [], arena: null, arenaCpu: null, endpoints: [], invariants: [], serverErrors: 0, profiles: [], error: null, seconds: 0, cpu: null, memory: [] }
  const dir = join(o.tmp, mode.name)
  mkdirSync(dir, { recursive: true })
  const mysql = mode.database === 'mysql' ? await createMysqlDb(o.mysqlUrl, mode.name.replace(/-/g, '_')) : null
  const databaseUrl = mysql ? mysql.url : `sqlite:${join(dir, 'concert.db')}`
  const redisUrl = mode.redis ? o.redisUrl : undefined
  if (redisUrl) await flushRedis(redisUrl)
  const secret = randomBytes(32).toString('hex')
  const bearer = bearerCache(secret)
  const admin = `Bearer ${signBearer(secret, 'bench-admin', 'admin')}`
  const profileDir = o.cpuProfile ? join(dir, 'cpu-profiles') : undefined
  const run = randomBytes(2).toString('hex')
  report.settings = {
    database: mysql ? `mysql (${mysql.name})` : 'sqlite (temporary file)', redis: redisUrl ?? 'none (in-process queue)', instances: mode.instances,
    queueMaxActive: profile.rushMaxActive, holdTtlSeconds: 300, maxHoldsPerUser: 4, queueHeartbeatTimeoutSeconds: 60
  }
  let site: Site | null = null
  // Payments answered 200 to the bench, and payments it sent at all (warm-up, rush, pay run).
  const pays = { acknowledged: 0, sent: 0 }
  const acknowledge = (p: { acknowledged: number, sent: number }): void => { pays.acknowledged += p.acknowledged; pays.sent += p.sent }
  const concertIds: string[] = []
  // What the ACTIVE-count monitors of every rush saw (the cap must hold in each).
  const admission: InvariantInput['admission'] = []
  try {
    o.log(`${mode.name}: starting ${mode.instances} instance(s) (QUEUE_MAX_ACTIVE=${profile.rushMaxActive}) …`)
    site = await startSite({ root: o.root, tmp: dir, mode, phase: 'run', databaseUrl, redisUrl, secret, env: { QUEUE_MAX_ACTIVE: String(profile.rushMaxActive) }, seed: true, entry: o.entry, profileDir })
    let pids = site.procs.map(p => p.pid)
    let client = new HttpClient(site.ports, 64)
    try {
      acknowledge(await warmUp(client, admin, bearer, `${run}-`))
      const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1 }) : null
      try {
        // The same rush twice, each on a concert of its own: waiting users following refreshAfterMs, then polling at a fixed interval.
        const pacings = o.parts.has('rush') ? [{ kind: 'paced' } as const, { kind: 'fixed', everyMs: profile.rushFixedPollMs } as const] : []
        for (const pacing of pacings) {
          const rushConcert = await createConcert(client, admin, { title: `bench rush, ${pacingLabel(pacing)}`, shows: profile.rushShows, seats: profile.rushSeatsPerShow, price: 143_000, firstDay: 10 + 5 * report.rushes.length })
          concertIds.push(rushConcert.id)
          o.log(`${mode.name}: rush, polling ${pacingLabel(pacing)} — ${profile.rushUsers.toLocaleString('en-US')} users, ${profile.rushShows} dates × ${profile.rushSeatsPerShow} seats, ${profile.rushConcurrency} requests in flight at most (driver: node:http in the bench process)`)
          const userClient = new HttpClient(site.ports, profile.rushConcurrency)
          const monitor = new HttpClient(site.ports, 4)
          const rushWindow = cpuWindow(pids)
          let r: RushResult
          try {
            r = await runRush({
              users: profile.rushUsers,
              secret,
              userPrefix: `${run}-r${report.rushes.length}-`,
              concertId: rushConcert.id,
              dates: rushConcert.dates,
              seatsPerDate: profile.rushSeatsPerShow,
              maxActive: profile.rushMaxActive,
              client: userClient,
              monitor,
              adminBearer: admin,
              sampleActive: redis ? redisActiveSampler(redis, rushConcert.id) : undefined,
              timeoutMs: profile.rushTimeoutSec * 1000,
              pacing,
              pollMs: { near: 500, mid: 1000, far: 5000 },
              log: o.log
            })
          } finally {
            userClient.close()
            monitor.close()
          }
          const rc = rushWindow()
          const rushRequests = Object.values(r.steps).reduce((a, st) => a + st.count, 0)
          const rushCpu = { totalMs: round(rc.totalMs, 0), msPerRequest: rushRequests > 0 ? round(rc.totalMs / rushRequests, 4) : null, msPerTicket: r.bought > 0 ? round(rc.totalMs / r.bought, 2) : null }
          report.rushes.push({ result: r, cpu: rushCpu })
          admission.push({ label: `rush, ${pacingLabel(pacing)}`, maxSampled: r.activeSamples.max, cap: profile.rushMaxActive, samples: r.activeSamples.count, admitted: r.admitted })
          acknowledge({ acknowledged: r.bought, sent: r.steps.pay.count })
          o.log(`${mode.name}: rush done — ${r.soldOut ? `sold out in ${(r.timeToSellOutMs! / 1000).toFixed(2)} s` : 'NOT sold out'}, ${r.admitted} admitted (${r.admissionsPerSec}/s), ${r.holds} holds, ${r.bought} bought (${r.ticketsPerSec}/s), ` +
            `${r.steps.poll.count} polls (${r.pollsPerAdmitted ?? '–'} per admitted user), max active ${r.activeSamples.max}/${r.maxActive}, errors ${Object.values(r.errors).reduce((a, b) => a + b, 0)}, service CPU ${rushCpu.msPerTicket ?? '–'} ms per ticket`)
        }
      } finally {
        redis?.disconnect()
      }

      o.log(`${mode.name}: per endpoint, ${o.load.connections} connections, ${profile.durationSec} s each (after ${profile.warmupSec} s warm-up), generator ${o.load.generator.name}`)
      const hello = ceilingOf(ceilings, 'hello', mode.instances)?.rps ?? 10_000
      const fixtures = new Fixtures()
      const { results, failures } = await runScenarios({
        load: o.load, ports: site.ports, pids, client, secret, bearer, adminBearer: admin, userPrefix: `${run}-e`, production: mode.redis,
        databaseUrl, redisUrl, cpuWindow: () => { const w = cpuWindow(pids); return () => w().totalMs },
        durationSec: profile.durationSec, warmupSec: profile.warmupSec, pollUsers: profile.pollUsers, admittedUsers: profile.rushMaxActive,
        maxHolds: profile.maxHolds, minPayItems: profile.minPayItems, bigShowSeats: profile.bigShowSeats,
        redisMemoryBytes: redisUrl ? () => redisUsedMemory(redisUrl) : undefined,
        budget: share => Math.max(1000, Math.ceil(hello * share * (profile.durationSec + profile.warmupSec))),
        log: o.log
      }, o.parts.has('endpoints') ? SCENARIOS : [], fixtures)
      report.endpoints.push(...results.map(e => withRatios(mode, ceilings, e)))
      // Whatever happened to the held-off pay run, the relay is let go (a no-op unless the bench holds its lease).
      if (mysql) await letRelayGo(databaseUrl)
      if (failures.length > 0) report.error = `scenarios failed: ${failures.join('; ')}`
      concertIds.push(...fixtures.concertIds)
      acknowledge(fixtures.pays)

      if (profile.arena.fans > 0 && o.parts.has('arena')) {
        // The arena needs its own QUEUE_MAX_ACTIVE: measured, then the instances restarted with it on the same stores.
        const cal = await calibrateJourney({ client, adminBearer: admin, bearer, userPrefix: `${run}-`, log: o.log })
        concertIds.push(cal.concertId)
        acknowledge({ acknowledged: cal.paid, sent: cal.payRequests })
        const sizing: QueueSizing = profile.arenaMaxActive === null
          ? sizeQueue(results, profile.arena, cal.journeyMs, profile.rushMaxActive)
          : { maxActive: profile.arenaMaxActive, ordersPerSec: null, journeyMs: cal.journeyMs, slotMs: cal.journeyMs, how: `QUEUE_MAX_ACTIVE = ${profile.arenaMaxActive} (--arena-max-active)` }
        o.log(`${mode.name}: arena — ${sizing.how}; restarting ${mode.instances} instance(s) with it …`)
        client.close()
        await site.stop()
        site = await startSite({ root: o.root, tmp: dir, mode, phase: 'arena', databaseUrl, redisUrl, secret, env: { QUEUE_MAX_ACTIVE: String(sizing.maxActive), QUEUE_ACTIVE_TTL_SECONDS: String(ARENA_ACTIVE_TTL_S) }, seed: false, entry: o.entry, profileDir })
        pids = site.procs.map(p => p.pid)
        client = new HttpClient(site.ports, 64)
        const monitor = new HttpClient(site.ports, 4)
        const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1 }) : null
        const window = cpuWindow(pids)
        try {
          const { result: a, concert } = await runArena({
            root: o.root, tmp: dir, ports: site.ports, pids, secret, userPrefix: `${run}-a`, adminBearer: admin, client, monitor,
            sampleActive: redis ? id => redisActiveSampler(redis, id) : undefined,
            redisMemory: redisUrl ? () => redisUsedMemory(redisUrl) : undefined,
            spec: profile.arena, sizing, activeTtlMs: ARENA_ACTIVE_TTL_S * 1000, log: o.log
          })
          const w = window()
          report.arena = a
          report.arenaCpu = { totalMs: round(w.totalMs, 0), msPerRequest: a.requests > 0 ? round(w.totalMs / a.requests, 4) : null, msPerTicket: a.tickets > 0 ? round(w.totalMs / a.tickets, 2) : null }
          concertIds.push(concert.id)
          acknowledge(a.payments)
          admission.push({ label: 'arena', maxSampled: a.activeSamples.max, cap: sizing.maxActive, samples: a.activeSamples.count, admitted: a.admitted })
          o.log(`${mode.name}: arena done — ${a.soldOut ? `sold out in ${(a.timeToSellOutMs! / 1000).toFixed(2)} s` : 'NOT sold out'}, ${a.tickets} tickets in ${a.orders} orders (${a.ticketsPerSec}/s), ` +
            `${a.admitted} admitted, ${a.polls} polls (${a.pollsPerAdmitted ?? '–'} per admitted fan), ${a.requestsPerTicket ?? '–'} requests per ticket, worst shop p99 ${a.worstShopP99 ? `${a.worstShopP99.step} ${a.worstShopP99.ms} ms` : '–'}, ` +
            `5xx ${a.serverErrors}, service CPU ${report.arenaCpu.msPerTicket ?? '–'} ms per ticket, generator ${a.generator.msPerRequest ?? '–'} CPU ms per request`)
        } finally {
          redis?.disconnect()
          monitor.close()
        }
      }

      o.log(`${mode.name}: checking invariants …`)
      report.invariants = await checkInvariants({
        databaseUrl,
        client,
        adminBearer: admin,
        concertIds,
        pays,
        refunds: fixtures.refunds,
        redisUrl,
        admission
      })
      report.memory = site.procs.map((p, i) => ({ instance: i + 1, pid: p.pid, ...(memoryOf(p.pid) ?? { rssMiB: 0, peakMiB: 0 }) }))
    } finally {
      client.close()
    }
  } catch (err) {
    report.error = (err as Error).stack ?? String(err)
    o.log(`${mode.name}: FAILED — ${(err as Error).message}`)
  } finally {
    if (site) await site.stop()
    if (mysql && !o.keep) await mysql.drop().catch(() => {})
    if (redisUrl) await flushRedis(redisUrl).catch(() => {})
  }
  report.cpu = cpu()
  for (const c of report.invariants) o.log(`  ${c.ok ? 'ok    ' : 'BROKEN'} ${c.name}: ${c.detail}`)
  if (report.cpu) o.log(`${mode.name}: CPU time of the machine: bench + service + generator ${report.cpu.ownPercent}%, MariaDB + Redis ${report.cpu.storesPercent}%, other processes ${report.cpu.othersPercent}%`)
  report.serverErrors = report.rushes.reduce((a, x) => a + x.result.serverErrors, 0) + (report.arena?.serverErrors ?? 0) + report.endpoints.reduce((a, e) => a + Object.entries(e.outcomes).filter(([k]) => /^5\d\d/.test(k)).reduce((s, [, v]) => s + v, 0), 0)
  if (profileDir && existsSync(profileDir)) {
    for (const sub of readdirSync(profileDir)) {
      for (const f of readdirSync(join(profileDir, sub)).filter(x => x.endsWith('.cpuprofile'))) {
        const s = summarizeProfile(join(profileDir, sub, f))
        report.profiles.push({ ...s, file: `${sub}/${f}` })
      }
    }
  }
  report.seconds = round((performance.now() - t0) / 1000, 1)
  return report
}

/** Replies in an endpoint row that are not a success (4xx/5xx, network, timeout). */
export const failedReplies = (e: EndpointRow): number => Object.entries(e.outcomes).filter(([k]) => !isSuccess(k)).reduce((a, [, v]) => a + v, 0)

// `npm run bench` (quick, about a minute) and `npm run bench:full` (a few minutes): starts the service itself in
// each mode, measures the machine's ceilings, each endpoint at a fixed concurrency and a sell-out rush, checks
// the invariants after every mode, prints tables and writes bench/results/*.json. See docs/BENCHMARKS.md.

import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { BASELINE_LABELS, measureCeilings, type BaselineKind, type Ceiling } from './baselines/ceilings.js'
import { checkInvariants, type Check } from './invariants.js'
import { createConcert } from './lib/api.js'
import { createMysqlDb, dropAllMysqlDbs, flushRedis } from './lib/backends.js'
import { HttpClient, forEachLimited } from './lib/http.js'
import { bearerCache, signBearer } from './lib/jwt.js'
import { accountCpu, busyPercent, describeMachine, type Machine } from './lib/machine.js'
import { killAll } from './lib/processes.js'
import { summarizeProfile, type ProfileSummary } from './lib/profile.js'
import { ms, num, pct, table, type Target } from './lib/report.js'
import { MODES, serviceEntry, startSite, type Mode, type Site } from './lib/service.js'
import { benchEndpoints, type EndpointName, type EndpointResult } from './scenarios/endpoints.js'
import { RUSH_STEPS, runRush, type RushResult } from './scenarios/rush.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

interface Profile {
  name: 'quick' | 'full'
  connections: number
  durationSec: number
  warmupSec: number
  ceilingSec: number
  ceilingWarmupSec: number
  rushUsers: number
  rushConcurrency: number
  rushTimeoutSec: number
  rushShows: number
  rushSeatsPerShow: number
  rushMaxActive: number
  pollUsers: number
  /** Room for this many holds in the big concert (its number of shows follows). */
  maxHolds: number
  minPayItems: number
  /** Measure the ceilings with two server processes as well (for the two-instance mode's ratios). */
  ceilingsForTwo: boolean
}

const PROFILES: Record<'quick' | 'full', Profile> = {
  quick: {
    name: 'quick', connections: 50, durationSec: 1.2, warmupSec: 0.6, ceilingSec: 1.2, ceilingWarmupSec: 0.8,
    rushUsers: 2000, rushConcurrency: 200, rushTimeoutSec: 45, rushShows: 4, rushSeatsPerShow: 50, rushMaxActive: 100,
    pollUsers: 500, maxHolds: 8000, minPayItems: 1500, ceilingsForTwo: false
  },
  full: {
    name: 'full', connections: 50, durationSec: 8, warmupSec: 2, ceilingSec: 8, ceilingWarmupSec: 2,
    rushUsers: 10_000, rushConcurrency: 256, rushTimeoutSec: 120, rushShows: 4, rushSeatsPerShow: 50, rushMaxActive: 100,
    pollUsers: 2000, maxHolds: 40_000, minPayItems: 8000, ceilingsForTwo: true
  }
}

const HELP = `Usage: npm run bench [-- options]     (npm run bench:full for the full profile)

  --full                 full profile: 8 s per endpoint, 10,000-user rush (default: quick, about a minute)
  --modes a,b            modes to run: ${MODES.map(m => m.name).join(', ')} (default: all)
  --users N              rush users (quick 2,000; full 10,000)
  --concurrency N        rush requests in flight (quick 200; full 256)
  --connections N        per-endpoint connections (50)
  --duration S           seconds per endpoint and per ceiling
  --out FILE             also write the JSON here (always: bench/results/latest.json and <profile>.json)
  --profile              run the service with --cpu-prof and print where its CPU time went
  --strict               exit non-zero when a target is missed too (invariant breaks always do)
  --keep                 keep the temporary directory and the MySQL databases
Env: BENCH_MYSQL_URL (mysql://root@127.0.0.1:3306), BENCH_REDIS_URL (redis://127.0.0.1:6379/14, flushed!),
     BENCH_SERVICE_ENTRY (a file to run instead of dist/src/main.js)`

interface EndpointRow extends EndpointResult {
  ceiling: { kind: BaselineKind, instances: number, rps: number } | null
  hello: { instances: number, rps: number } | null
  ratioToCeiling: number | null
  ratioToHello: number | null
}

interface ModeReport {
  mode: Mode
  settings: Record<string, string | number>
  rush: RushResult | null
  endpoints: EndpointRow[]
  invariants: Check[]
  serverErrors: number
  profiles: ProfileSummary[]
  error: string | null
  seconds: number
  /** Where the machine's CPU time went during this mode: bench + service, MariaDB + Redis, anything else. */
  cpu: { ownPercent: number, storesPercent: number, othersPercent: number } | null
}

const started = performance.now()
const stamp = (): string => `[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s]`
const log = (line: string): void => { process.stdout.write(`${stamp()} ${line}\n`) }

function parse (): { profile: Profile, modes: Mode[], out: string | null, cpuProfile: boolean, strict: boolean, keep: boolean } {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      modes: { type: 'string' },
      users: { type: 'string' },
      concurrency: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) { process.stdout.write(`${HELP}\n`); process.exit(0) }
  const profile = { ...PROFILES[values.full ? 'full' : 'quick'] }
  const positive = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined
    const x = Number(v)
    if (!Number.isFinite(x) || x <= 0) throw new Error(`--${name} must be a positive number`)
    return x
  }
  profile.rushUsers = Math.round(positive(values.users, 'users') ?? profile.rushUsers)
  profile.rushConcurrency = Math.round(positive(values.concurrency, 'concurrency') ?? profile.rushConcurrency)
  profile.connections = Math.round(positive(values.connections, 'connections') ?? profile.connections)
  const d = positive(values.duration, 'duration')
  if (d !== undefined) { profile.durationSec = d; profile.ceilingSec = d }
  const names = values.modes?.split(',').map(s => s.trim()) ?? MODES.map(m => m.name)
  const modes = names.map((n) => {
    const m = MODES.find(x => x.name === n)
    if (!m) throw new Error(`unknown mode "${n}" (known: ${MODES.map(x => x.name).join(', ')})`)
    return m
  })
  return { profile, modes, out: values.out ?? null, cpuProfile: values.profile, strict: values.strict, keep: values.keep }
}

/**
 * Compiles src/ when dist/ is missing or older than any source file (the service runs compiled); false when
 * that fails, and the service then runs from source through tsx.
 */
function buildIfStale (): boolean {
  if (process.env.BENCH_SERVICE_ENTRY) return true
  const dist = join(ROOT, 'dist/src/main.js')
  const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = join(dir, e.name)
    return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }, 0)
  if (existsSync(dist) && statSync(dist).mtimeMs >= newest(join(ROOT, 'src'))) return true
  log('compiling the service (tsc -p tsconfig.build.json) …')
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' })
    return true
  } catch {
    log('WARNING: compiling failed; running the service from source through tsx instead')
    return false
  }
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

const MATCHING: Record<EndpointName, { embedded: BaselineKind, production: BaselineKind }> = {
  'queue join': { embedded: 'hello', production: 'redis-get' },
  'queue poll': { embedded: 'hello', production: 'redis-get' },
  dates: { embedded: 'sqlite-select', production: 'mysql-select' },
  'seats view': { embedded: 'sqlite-select', production: 'mysql-select' },
  hold: { embedded: 'sqlite-update', production: 'mysql-update' },
  pay: { embedded: 'sqlite-update', production: 'mysql-update' },
  charge: { embedded: 'sqlite-update', production: 'mysql-update' }
}
const ENDPOINT_ORDER: EndpointName[] = ['queue join', 'queue poll', 'dates', 'seats view', 'hold', 'pay', 'charge']

function ceilingOf (ceilings: Ceiling[], kind: BaselineKind, instances: number): Ceiling | null {
  return ceilings.find(c => c.kind === kind && c.instances === instances) ?? ceilings.find(c => c.kind === kind && c.instances === 1) ?? null
}

function withRatios (mode: Mode, ceilings: Ceiling[], r: EndpointResult): EndpointRow {
  const kind = MATCHING[r.endpoint][mode.redis ? 'production' : 'embedded']
  const c = ceilingOf(ceilings, kind, mode.instances)
  const h = ceilingOf(ceilings, 'hello', mode.instances)
  return {
    ...r,
    ceiling: c ? { kind, instances: c.instances, rps: c.rps } : null,
    hello: h ? { instances: h.instances, rps: h.rps } : null,
    ratioToCeiling: c && c.rps > 0 ? Math.round(100 * r.rps / c.rps) / 100 : null,
    ratioToHello: h && h.rps > 0 ? Math.round(100 * r.rps / h.rps) / 100 : null
  }
}

async function runMode (mode: Mode, profile: Profile, ceilings: Ceiling[], o: { tmp: string, mysqlUrl: string, redisUrl: string, entry: string[], cpuProfile: boolean, keep: boolean }): Promise<ModeReport> {
  const t0 = performance.now()
  const cpu = accountCpu()
  const report: ModeReport = { mode, settings: {}, rush: null, endpoints: [], invariants: [], serverErrors: 0, profiles: [], error: null, seconds: 0, cpu: null }
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
  try {
    log(`${mode.name}: starting ${mode.instances} instance(s) (QUEUE_MAX_ACTIVE=${profile.rushMaxActive}) …`)
    site = await startSite({ root: ROOT, tmp: dir, mode, phase: 'run', databaseUrl, redisUrl, secret, env: { QUEUE_MAX_ACTIVE: String(profile.rushMaxActive) }, seed: true, entry: o.entry, profileDir })
    const client = new HttpClient(site.ports, 64)
    try {
      acknowledge(await warmUp(client, admin, bearer, `${run}-`))
      const rushConcert = await createConcert(client, admin, { title: 'bench rush', shows: profile.rushShows, seats: profile.rushSeatsPerShow, price: 143_000, firstDay: 10 })
      concertIds.push(rushConcert.id)
      log(`${mode.name}: rush — ${profile.rushUsers.toLocaleString('en-US')} users, ${profile.rushShows} dates × ${profile.rushSeatsPerShow} seats, ${profile.rushConcurrency} requests in flight at most`)
      const userClient = new HttpClient(site.ports, profile.rushConcurrency)
      const monitor = new HttpClient(site.ports, 4)
      const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1 }) : null
      try {
        report.rush = await runRush({
          users: profile.rushUsers,
          secret,
          userPrefix: `${run}-r`,
          concertId: rushConcert.id,
          dates: rushConcert.dates,
          seatsPerDate: profile.rushSeatsPerShow,
          maxActive: profile.rushMaxActive,
          client: userClient,
          monitor,
          adminBearer: admin,
          // Straight from the Redis queue store's active set (its stats() counts the same: activeUntil > now).
          sampleActive: redis ? async () => Number(await redis.zcount(`queue:${rushConcert.id}:active`, `(${Date.now()}`, '+inf')) : undefined,
          timeoutMs: profile.rushTimeoutSec * 1000,
          pollMs: { near: 500, mid: 1000, far: 5000 },
          log
        })
      } finally {
        redis?.disconnect()
        userClient.close()
        monitor.close()
      }
      acknowledge({ acknowledged: report.rush.bought, sent: report.rush.steps.pay.count })
      const r = report.rush
      log(`${mode.name}: rush done — ${r.soldOut ? `sold out in ${(r.timeToSellOutMs! / 1000).toFixed(2)} s` : 'NOT sold out'}, ${r.admitted} admitted, ${r.holds} holds, ${r.bought} bought, max active ${r.activeSamples.max}/${r.maxActive}, errors ${Object.values(r.errors).reduce((a, b) => a + b, 0)}`)

      log(`${mode.name}: per endpoint, ${profile.connections} connections, ${profile.durationSec} s each (after ${profile.warmupSec} s warm-up)`)
      const endpoints = await benchEndpoints({
        ports: site.ports, client, secret, bearer, adminBearer: admin, userPrefix: `${run}-e`, connections: profile.connections,
        durationSec: profile.durationSec, warmupSec: profile.warmupSec, pollUsers: profile.pollUsers, admittedUsers: profile.rushMaxActive,
        maxHolds: profile.maxHolds, minPayItems: profile.minPayItems, log
      })
      report.endpoints.push(...endpoints.results.map(e => withRatios(mode, ceilings, e)))
      concertIds.push(...endpoints.concertIds)
      acknowledge(endpoints.pays)

      log(`${mode.name}: checking invariants …`)
      report.invariants = await checkInvariants({
        databaseUrl,
        client,
        adminBearer: admin,
        concertIds,
        pays,
        admission: { maxSampled: report.rush.activeSamples.max, cap: profile.rushMaxActive, samples: report.rush.activeSamples.count, admitted: report.rush.admitted }
      })
    } finally {
      client.close()
    }
  } catch (err) {
    report.error = (err as Error).stack ?? String(err)
    log(`${mode.name}: FAILED — ${(err as Error).message}`)
  } finally {
    if (site) await site.stop()
    if (mysql && !o.keep) await mysql.drop().catch(() => {})
    if (redisUrl) await flushRedis(redisUrl).catch(() => {})
  }
  report.cpu = cpu()
  for (const c of report.invariants) log(`  ${c.ok ? 'ok    ' : 'BROKEN'} ${c.name}: ${c.detail}`)
  if (report.cpu) log(`${mode.name}: CPU time of the machine: bench + service ${report.cpu.ownPercent}%, MariaDB + Redis ${report.cpu.storesPercent}%, other processes ${report.cpu.othersPercent}%`)
  report.serverErrors = (report.rush?.serverErrors ?? 0) + report.endpoints.reduce((a, e) => a + Object.entries(e.outcomes).filter(([k]) => /^5\d\d/.test(k)).reduce((s, [, v]) => s + v, 0), 0)
  if (profileDir && existsSync(profileDir)) {
    for (const sub of readdirSync(profileDir)) {
      for (const f of readdirSync(join(profileDir, sub)).filter(x => x.endsWith('.cpuprofile'))) {
        const s = summarizeProfile(join(profileDir, sub, f))
        report.profiles.push({ ...s, file: `${sub}/${f}` })
      }
    }
  }
  report.seconds = Math.round((performance.now() - t0) / 100) / 10
  return report
}

function evaluate (modes: ModeReport[]): Target[] {
  const targets: Target[] = []
  for (const m of modes) {
    const e = (name: EndpointName): EndpointRow | undefined => m.endpoints.find(x => x.endpoint === name)
    const join = e('queue join'); const seats = e('seats view'); const hold = e('hold')
    if (join?.ratioToHello != null) targets.push({ mode: m.mode.name, target: 'queue join ≥ 40% of hello', value: pct(join.ratioToHello), met: join.ratioToHello >= 0.4 })
    if (seats?.ratioToHello != null) targets.push({ mode: m.mode.name, target: 'seats view ≥ 50% of hello', value: pct(seats.ratioToHello), met: seats.ratioToHello >= 0.5 })
    if (hold?.ratioToCeiling != null) targets.push({ mode: m.mode.name, target: `hold ≥ 50% of ${hold.ceiling?.kind} ceiling`, value: pct(hold.ratioToCeiling), met: hold.ratioToCeiling >= 0.5 })
    if (m.rush) {
      const over = RUSH_STEPS.filter(s => m.rush!.steps[s].count > 0 && m.rush!.steps[s].p99 >= 50)
      const worst = RUSH_STEPS.filter(s => m.rush!.steps[s].count > 0).reduce((a, s) => Math.max(a, m.rush!.steps[s].p99), 0)
      targets.push({ mode: m.mode.name, target: 'rush p99 < 50 ms for every step', value: over.length ? `over: ${over.map(s => `${s} ${ms(m.rush!.steps[s].p99)}`).join(', ')}` : `worst ${ms(worst)} ms`, met: over.length === 0 })
    }
    targets.push({ mode: m.mode.name, target: 'zero 5xx', value: String(m.serverErrors), met: m.serverErrors === 0 && m.error === null })
    const broken = m.invariants.filter(c => !c.ok).length
    targets.push({ mode: m.mode.name, target: 'zero invariant breaks', value: m.invariants.length ? `${broken} of ${m.invariants.length} broken` : 'not checked', met: broken === 0 && m.invariants.length > 0 })
  }
  return targets
}

function print (machine: Machine, profile: Profile, entry: string, ceilings: Ceiling[], ceilingsCpu: ModeReport['cpu'], modes: ModeReport[], targets: Target[]): void {
  const out: string[] = []
  out.push('', `Concert reservation service — benchmark (${profile.name}), ${machine.date}`)
  out.push(`${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, MariaDB ${machine.mariadb}, Redis ${machine.redis}`)
  out.push(`service: ${entry}; CPU busy before the run: ${machine.busyBeforePercent ?? '?'}% (load ${machine.loadAverage.join(' ')})`)
  if ((machine.busyBeforePercent ?? 0) > 15) out.push('WARNING: the machine was busy with other work before the run: every figure below is lower than it should be.')

  out.push('', `Ceilings (tiny Fastify servers, ${profile.connections} connections, ${profile.ceilingSec} s)`)
  if (ceilingsCpu) out.push(`machine CPU meanwhile: bench + servers ${ceilingsCpu.ownPercent}%, MariaDB + Redis ${ceilingsCpu.storesPercent}%, other processes ${ceilingsCpu.othersPercent}%`)
  out.push(table(['ceiling', 'procs', 'req/s', 'p50 ms', 'p99 ms'], ceilings.map(c => [BASELINE_LABELS[c.kind], c.instances, num(c.rps), ms(c.latency.p50), ms(c.latency.p99)])))

  for (const m of modes) {
    out.push('', `${m.mode.label} — per endpoint (${profile.connections} connections, ${profile.durationSec} s)`)
    if (m.cpu) out.push(`machine CPU during this mode: bench + service ${m.cpu.ownPercent}%, MariaDB + Redis ${m.cpu.storesPercent}%, other processes ${m.cpu.othersPercent}%${m.cpu.othersPercent > 10 ? '  ← not a quiet machine: figures are low' : ''}`)
    if (m.error) out.push(`FAILED: ${m.error.split('\n')[0]}`)
    const rows = ENDPOINT_ORDER.map(name => m.endpoints.find(e => e.endpoint === name)).filter((e): e is EndpointRow => !!e)
    out.push(table(['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'matching ceiling', '× ceiling', '× hello'], rows.map(e => [
      e.endpoint, num(e.rps), ms(e.latency.p50), ms(e.latency.p99),
      String(Object.entries(e.outcomes).filter(([k]) => !/^2\d\d$/.test(k)).reduce((a, [, v]) => a + v, 0)),
      e.ceiling ? `${e.ceiling.kind}×${e.ceiling.instances} ${num(e.ceiling.rps)}` : '–', pct(e.ratioToCeiling), pct(e.ratioToHello)
    ])))
    const r = m.rush
    if (r) {
      out.push('', `${m.mode.label} — rush: ${num(r.users)} users, ${r.seats} seats, QUEUE_MAX_ACTIVE ${r.maxActive}, ≤ ${r.concurrency} in flight`)
      out.push(`sold out: ${r.soldOut ? `yes, in ${(r.timeToSellOutMs! / 1000).toFixed(2)} s` : 'NO'}; all joined in ${(r.joinedMs / 1000).toFixed(2)} s; rush over in ${(r.totalMs / 1000).toFixed(2)} s; ` +
        `admitted ${num(r.admitted)} (${r.admissionsPerSec}/s); holds ${r.holds} of ${r.holdAttempts} tries (${r.holdsPerSec}/s); bought ${r.bought}; ` +
        `max sampled ACTIVE ${r.activeSamples.max} (${r.activeSamples.count} samples)`)
      out.push(table(['step', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'outcomes'], RUSH_STEPS.filter(s => r.steps[s].count > 0).map(s => [
        s, num(r.steps[s].count), ms(r.steps[s].p50), ms(r.steps[s].p99), ms(r.steps[s].max),
        Object.entries(r.steps[s].outcomes).map(([k, v]) => `${k}×${v}`).join(' ')
      ])))
      const errs = Object.entries(r.errors)
      out.push(`errors by code: ${errs.length ? errs.map(([k, v]) => `${k} ×${v}`).join(', ') : 'none'} (409 SEAT_UNAVAILABLE is an expected outcome)`)
      out.push(`requests waited for a driver slot (not in the step latencies): p50 ${ms(r.driverWait.p50)} ms, p99 ${ms(r.driverWait.p99)} ms, max ${ms(r.driverWait.max)} ms`)
    }
    for (const p of m.profiles) {
      out.push('', `CPU profile ${p.file} (${num(p.totalMs)} ms on CPU): ${p.byPackage.slice(0, 8).map(x => `${x.name} ${x.percent}%`).join(', ')}`)
      out.push(...p.byFunction.slice(0, 12).map(f => `    ${String(f.percent).padStart(5)}%  ${f.name} ${f.where}`))
    }
  }
  out.push('', 'Invariants')
  out.push(table(['mode', 'invariant', 'ok', 'detail'], modes.flatMap(m => m.invariants.map(c => [m.mode.name, c.name, c.ok ? 'ok' : 'BROKEN', c.detail])), 2))
  out.push('', 'Targets')
  out.push(table(['mode', 'target', 'measured', 'met'], targets.map(t => [t.mode, t.target, t.value, t.met ? 'yes' : 'NO']), 3))
  process.stdout.write(`${out.join('\n')}\n`)
}

async function main (): Promise<void> {
  const opts = parse()
  const { profile, modes } = opts
  const mysqlUrl = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14'
  const tmp = mkdtempSync(join(os.tmpdir(), 'concert-bench-'))
  const cleanup = (): void => { killAll(); if (!opts.keep) rmSync(tmp, { recursive: true, force: true }) }
  // Never leave a service or baseline server behind, however the bench ends.
  process.on('exit', killAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanup()
      const keep = opts.keep ? Promise.resolve() : dropAllMysqlDbs()
      void Promise.race([keep, new Promise(resolve => setTimeout(resolve, 3000))]).finally(() => process.exit(130))
    })
  }

  log(`benchmark (${profile.name}): modes ${modes.map(m => m.name).join(', ')}; temporary files in ${tmp}`)
  const cpuAll = accountCpu()
  const machine = await describeMachine(mysqlUrl, redisUrl)
  log(`${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; CPU busy before start ${machine.busyBeforePercent ?? '?'}%`)
  const entry = serviceEntry(ROOT, !buildIfStale())
  log(`service: ${entry.description}`)

  const needProduction = modes.some(m => m.redis)
  const instanceCounts = [...new Set(modes.map(m => m.instances))].filter(n => n === 1 || profile.ceilingsForTwo).sort()
  if (!instanceCounts.includes(1)) instanceCounts.unshift(1)
  const runs: Array<{ kind: BaselineKind, instances: number }> = []
  for (const instances of instanceCounts) {
    runs.push({ kind: 'hello', instances })
    if (needProduction) runs.push({ kind: 'redis-get', instances }, { kind: 'mysql-select', instances }, { kind: 'mysql-update', instances })
  }
  if (modes.some(m => !m.redis)) runs.push({ kind: 'sqlite-select', instances: 1 }, { kind: 'sqlite-update', instances: 1 })
  log(`ceilings: ${runs.map(r => `${r.kind}×${r.instances}`).join(', ')}`)
  let ceilings: Ceiling[] = []
  let ceilingsCpu: ModeReport['cpu'] = null
  const reports: ModeReport[] = []
  try {
    const cpuCeilings = accountCpu()
    ceilings = await measureCeilings({ root: ROOT, tmp, mysqlServerUrl: mysqlUrl, redisUrl, runs, connections: profile.connections, durationSec: profile.ceilingSec, warmupSec: profile.ceilingWarmupSec, log })
    ceilingsCpu = cpuCeilings()
    for (const mode of modes) reports.push(await runMode(mode, profile, ceilings, { tmp, mysqlUrl, redisUrl, entry: entry.args, cpuProfile: opts.cpuProfile, keep: opts.keep }))
  } finally {
    cleanup()
  }

  const targets = evaluate(reports)
  print(machine, profile, entry.description, ceilings, ceilingsCpu, reports, targets)
  const busyAfter = await busyPercent()
  const cpuOfRun = cpuAll()
  const broken = reports.flatMap(m => m.invariants.filter(c => !c.ok).map(c => `${m.mode.name}: ${c.name}`))
  const failed = reports.filter(m => m.error !== null || m.invariants.length === 0).map(m => m.mode.name)
  const missed = targets.filter(t => !t.met)
  const result = {
    version: 1,
    profile: profile.name,
    settings: profile,
    machine: { ...machine, busyAfterPercent: busyAfter, cpuDuringRun: cpuOfRun },
    service: entry.description,
    ceilings: ceilings.map(c => ({ ...c, label: BASELINE_LABELS[c.kind] })),
    ceilingsCpu,
    modes: reports,
    targets,
    ok: broken.length === 0 && failed.length === 0,
    seconds: Math.round((performance.now() - started) / 1000)
  }
  const dir = join(ROOT, 'bench/results')
  mkdirSync(dir, { recursive: true })
  const latest = join(dir, 'latest.json')
  writeFileSync(latest, `${JSON.stringify(result, null, 2)}\n`)
  copyFileSync(latest, join(dir, `${profile.name}.json`))
  if (opts.out) writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`)
  log(`wrote ${relative(process.cwd(), latest)} and ${profile.name}.json (${result.seconds} s in all)`)

  if (broken.length > 0) process.stderr.write(`\nINVARIANTS BROKEN:\n${broken.map(b => `  - ${b}`).join('\n')}\n`)
  if (failed.length > 0) process.stderr.write(`\nMODES THAT DID NOT COMPLETE: ${failed.join(', ')}\n`)
  if (opts.strict && missed.length > 0) process.stderr.write(`\nTARGETS MISSED (--strict): ${missed.length}\n`)
  process.exitCode = broken.length > 0 || failed.length > 0 || (opts.strict && missed.length > 0) ? 1 : 0
}

main().catch((err: unknown) => {
  killAll()
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})

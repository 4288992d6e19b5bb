// One source tree in one mode for the before/after comparison: fresh stores, the tree's own service started,
// issue 12's endpoints measured one after another, the service stopped and its stores dropped.

import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { createMysqlDb, flushRedis } from '../lib/backends.js'
import { HttpClient } from '../lib/http.js'
import { bearerCache, signBearer } from '../lib/jwt.js'
import { accountCpu } from '../lib/machine.js'
import { cpuWindow, memoryOf } from '../lib/procfs.js'
import { summarizeProfile, type ProfileSummary } from '../lib/profile.js'
import { buildIfStale, startSite, type Mode, type Site } from '../lib/service.js'
import { round } from '../lib/stats.js'
import type { LoadRunner } from '../load/run-load.js'
import { runScenarios, type EndpointResult, type ScenarioContext } from '../scenarios/scenario.js'
import { COMPARE_SCENARIOS, CompareFixtures, HOLDS_PER_USER, POLL_ACTIVE, POLL_WAITING, READERS, BIG_SEATS } from './scenarios.js'

export type Role = 'before' | 'after'

/** A source tree to measure: where it is, which commit, and how its service is started. */
export interface Tree {
  role: Role
  dir: string
  commit: string | null
  subject: string | null
  /** Tracked files changed since the commit (the figures are then of uncommitted code). */
  dirty: boolean
  entry: string[]
  entryDescription: string
}

export type EntryChoice = 'auto' | 'source'

function git (dir: string, args: string[]): string | null {
  try { return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() } catch { return null }
}

/**
 * Checks that `dir` holds a service with its own node_modules and says how to start it: compiled (`dist`, built
 * with the tree's own TypeScript when stale) with `auto`, else `src/main.ts` through the tree's own tsx.
 */
export function prepareTree (role: Role, dir: string, entry: EntryChoice, log: (line: string) => void): Tree {
  if (!existsSync(join(dir, 'src/main.ts'))) throw new Error(`--${role} ${dir}: no src/main.ts there`)
  if (!existsSync(join(dir, 'node_modules/tsx')) || !existsSync(join(dir, 'node_modules/fastify'))) {
    throw new Error(`--${role} ${dir}: no node_modules with tsx and fastify there (a fresh worktree of an old commit: \`cp -al <this tree>/node_modules ${dir}/\`, or \`npm ci\` in it)`)
  }
  const dist = entry === 'auto' && buildIfStale(dir, log)
  const commit = git(dir, ['rev-parse', 'HEAD'])
  return {
    role,
    dir,
    commit,
    subject: commit ? git(dir, ['log', '-1', '--format=%s']) : null,
    dirty: commit !== null && (git(dir, ['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
    entry: dist ? [join(dir, 'dist/src/main.js')] : ['--import', 'tsx', join(dir, 'src/main.ts')],
    entryDescription: dist ? 'node dist/src/main.js (compiled)' : 'node --import tsx src/main.ts'
  }
}

/** The service settings both trees run with (every one of them known to both). */
export function serviceEnv (holders: number): Record<string, string> {
  return {
    // The hold concert's users fill it exactly: the poll run's extra joiners wait.
    QUEUE_MAX_ACTIVE: String(holders),
    // Long enough that no token or hold lapses during a run.
    QUEUE_ACTIVE_TTL_SECONDS: '3600',
    QUEUE_HEARTBEAT_TIMEOUT_SECONDS: '3600',
    HOLD_TTL_SECONDS: '3600',
    MAX_HOLDS_PER_USER: String(HOLDS_PER_USER),
    // The old service reads its admin bodies (all shows of a concert in one) under this limit too.
    BODY_LIMIT_BYTES: String(1024 * 1024)
  }
}

export interface TreeRun {
  tree: Role
  mode: string
  rows: EndpointResult[]
  failures: string[]
  error: string | null
  serverErrors: number
  /** Each service process at the end: resident set and its peak (VmHWM), MiB. */
  memory: Array<{ pid: number, rssMiB: number, peakMiB: number }>
  /** Where the machine's CPU time went meanwhile (others above 10 %: its rates are low). */
  cpu: { ownPercent: number, storesPercent: number, othersPercent: number } | null
  profiles: ProfileSummary[]
  seconds: number
}

export interface TreeRunOptions {
  tree: Tree
  mode: Mode
  load: LoadRunner
  tmp: string
  mysqlUrl: string
  redisUrl: string
  durationSec: number
  warmupSec: number
  /** How many requests a once-only run prepares for a share of the hello ceiling's rate. */
  budget: (shareOfHello: number) => number
  layout: { holds: number, shows: number, holders: number }
  cpuProfile: boolean
  keep: boolean
  log: (line: string) => void
}

export async function runTree (o: TreeRunOptions): Promise<TreeRun> {
  const t0 = performance.now()
  const cpu = accountCpu()
  const label = `${o.tree.role} ${o.mode.name}`
  const run: TreeRun = { tree: o.tree.role, mode: o.mode.name, rows: [], failures: [], error: null, serverErrors: 0, memory: [], cpu: null, profiles: [], seconds: 0 }
  const dir = join(o.tmp, `${o.tree.role}-${o.mode.name}`)
  mkdirSync(dir, { recursive: true })
  const mysql = o.mode.database === 'mysql' ? await createMysqlDb(o.mysqlUrl, `compare_${o.tree.role}`) : null
  const databaseUrl = mysql ? mysql.url : `sqlite:${join(dir, 'concert.db')}`
  const redisUrl = o.mode.redis ? o.redisUrl : undefined
  const secret = randomBytes(32).toString('hex')
  const profileDir = o.cpuProfile ? join(dir, 'cpu-profiles') : undefined
  let site: Site | null = null
  let client: HttpClient | null = null
  try {
    if (redisUrl) await flushRedis(redisUrl)
    o.log(`${label}: starting ${o.tree.entryDescription} in ${o.tree.dir} …`)
    site = await startSite({ root: o.tree.dir, tmp: dir, mode: o.mode, phase: o.tree.role, databaseUrl, redisUrl, secret, env: serviceEnv(o.layout.holders), seed: false, entry: o.tree.entry, profileDir })
    const pids = site.procs.map(p => p.pid)
    client = new HttpClient(site.ports, 64)
    const ctx: ScenarioContext = {
      load: o.load, ports: site.ports, pids, client, secret, bearer: bearerCache(secret), adminBearer: `Bearer ${signBearer(secret, 'bench-admin', 'admin')}`,
      userPrefix: `${randomBytes(2).toString('hex')}-`, production: o.mode.redis, databaseUrl, redisUrl,
      cpuWindow: () => { const w = cpuWindow(pids); return () => w().totalMs },
      durationSec: o.durationSec, warmupSec: o.warmupSec, pollUsers: POLL_ACTIVE + POLL_WAITING, admittedUsers: READERS,
      maxHolds: o.layout.holds, minPayItems: 0, bigShowSeats: BIG_SEATS, budget: o.budget, log: o.log
    }
    const scenarios = COMPARE_SCENARIOS.filter(s => s.afterOnly !== true || o.tree.role === 'after')
    const { results, failures } = await runScenarios(ctx, scenarios, new CompareFixtures(o.layout))
    run.rows = results
    run.failures = failures
    run.memory = site.procs.map(p => ({ pid: p.pid, ...(memoryOf(p.pid) ?? { rssMiB: 0, peakMiB: 0 }) }))
  } catch (err) {
    run.error = (err as Error).stack ?? String(err)
    o.log(`${label}: FAILED — ${(err as Error).message}`)
  } finally {
    client?.close()
    if (site) await site.stop()
    if (mysql && !o.keep) await mysql.drop().catch(() => {})
    if (redisUrl) await flushRedis(redisUrl).catch(() => {})
  }
  run.serverErrors = run.rows.reduce((a, r) => a + Object.entries(r.outcomes).filter(([k]) => /^5\d\d/.test(k)).reduce((s, [, v]) => s + v, 0), 0)
  run.cpu = cpu()
  if (run.cpu) o.log(`${label}: CPU time of the machine: bench + service + generator ${run.cpu.ownPercent}%, MariaDB + Redis ${run.cpu.storesPercent}%, other processes ${run.cpu.othersPercent}%`)
  if (profileDir && existsSync(profileDir)) {
    for (const sub of readdirSync(profileDir)) {
      for (const f of readdirSync(join(profileDir, sub)).filter(x => x.endsWith('.cpuprofile'))) run.profiles.push({ ...summarizeProfile(join(profileDir, sub, f)), file: `${sub}/${f}` })
    }
  }
  run.seconds = round((performance.now() - t0) / 1000, 1)
  return run
}

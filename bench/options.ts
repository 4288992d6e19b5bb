// The bench's profiles (quick, full) and its command line.

import { parseArgs } from 'node:util'
import type { GeneratorChoice } from './load/generator.js'
import type { ArenaSpec } from './scenarios/arena.js'
import { MODES, type Mode } from './lib/service.js'

export interface Profile {
  name: 'quick' | 'full'
  /** Connections of every load run (wrk -c), spread over the generator's threads (wrk -t). */
  connections: number
  threads: number
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
  /** The second rush's fixed poll interval (waiting users ignoring refreshAfterMs), ms. */
  rushFixedPollMs: number
  pollUsers: number
  /** Room for this many holds in the booking concert (its number of shows follows). */
  maxHolds: number
  minPayItems: number
  /** Seats of the show whose whole seat map is read. */
  bigShowSeats: number
  /** Measure the ceilings with two server processes as well (for the two-instance mode's ratios). */
  ceilingsForTwo: boolean
  /** The arena rush (0 fans: not run). */
  arena: ArenaSpec
  /** QUEUE_MAX_ACTIVE of the arena when given; else sized from the mode's measured capacity. */
  arenaMaxActive: number | null
}

const ARENA_DEFAULTS = { rowsPerSection: 20, seatsPerRow: 25, workers: 2, roomConnections: 32, bestShare: 0.5, sectionShare: 0.5, noSingleSeatGaps: true }

const PROFILES: Record<Profile['name'], Profile> = {
  quick: {
    name: 'quick', connections: 64, threads: 2, durationSec: 1.2, warmupSec: 0.6, ceilingSec: 1.2, ceilingWarmupSec: 0.8,
    rushUsers: 2000, rushConcurrency: 200, rushTimeoutSec: 45, rushShows: 4, rushSeatsPerShow: 50, rushMaxActive: 100, rushFixedPollMs: 1000,
    pollUsers: 500, maxHolds: 12_000, minPayItems: 1500, bigShowSeats: 15_000, ceilingsForTwo: false,
    // 10,000 fans for 2,000 seats (4 sections × 20 rows × 25).
    arena: { ...ARENA_DEFAULTS, fans: 10_000, sections: 4, joinSpreadSec: 2, timeoutSec: 60 },
    arenaMaxActive: null
  },
  full: {
    name: 'full', connections: 64, threads: 2, durationSec: 8, warmupSec: 2, ceilingSec: 8, ceilingWarmupSec: 2,
    rushUsers: 10_000, rushConcurrency: 256, rushTimeoutSec: 120, rushShows: 4, rushSeatsPerShow: 50, rushMaxActive: 100, rushFixedPollMs: 1000,
    pollUsers: 2000, maxHolds: 40_000, minPayItems: 8000, bigShowSeats: 15_000, ceilingsForTwo: true,
    // 100,000 fans for 15,000 seats (30 sections × 20 rows × 25), joining within 10 s.
    arena: { ...ARENA_DEFAULTS, fans: 100_000, sections: 30, joinSpreadSec: 10, timeoutSec: 300 },
    arenaMaxActive: null
  }
}

export const HELP = `Usage: npm run bench [-- options]     (npm run bench:full for the full profile)

  --full                 full profile: 8 s per endpoint, 10,000-user rushes, the 100,000-fan arena (default: quick)
  --modes a,b            modes to run: ${MODES.map(m => m.name).join(', ')} (default: all)
  --generator G          auto (default: wrk when installed, else autocannon), wrk, or autocannon
  --users N              rush users (quick 2,000; full 10,000)
  --concurrency N        rush requests in flight (quick 200; full 256)
  --connections N        connections of every load run (64)
  --threads N            generator threads (wrk -t) or autocannon processes (2)
  --duration S           seconds per endpoint and per ceiling (quick 1.2; full 8)
  --arena-fans N         fans of the arena rush (quick 10,000; full 100,000; 0: no arena)
  --arena-sections N     sections of 20 rows × 25 seats in the arena show (quick 4; full 30)
  --arena-max-active N   the arena's QUEUE_MAX_ACTIVE (default: sized from the mode's measured capacity)
  --only a,b             parts of each mode to run: rush, endpoints, arena (default: all; invariants always)
  --codes                label every reply by status and problem code, reads too (costs the generator a little)
  --out FILE             also write the JSON here
  --profile              run the service with --cpu-prof and print where its CPU time went
  --strict               exit non-zero when a target is missed too (invariant breaks always do)
  --keep                 keep the temporary directory and the MySQL databases
Results: bench/results/latest.{json,md}; an unchanged profile also writes bench/results/<quick|full>.{json,md}.
Env: BENCH_MYSQL_URL (mysql://root@127.0.0.1:3306), BENCH_REDIS_URL (redis://127.0.0.1:6379/14, flushed!),
     BENCH_SERVICE_ENTRY (a file to run instead of dist/src/main.js), BENCH_WRK (wrk's path)`

export const PARTS = ['rush', 'endpoints', 'arena'] as const
export type Part = typeof PARTS[number]

export interface Options {
  profile: Profile
  /** True when an option changed the profile's figures (its results then go to latest.* only). */
  customized: boolean
  modes: Mode[]
  generator: GeneratorChoice
  codes: boolean
  out: string | null
  cpuProfile: boolean
  /** The parts of each mode that run. */
  parts: Set<Part>
  strict: boolean
  keep: boolean
}

export function parseOptions (argv = process.argv.slice(2)): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      full: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      modes: { type: 'string' },
      generator: { type: 'string', default: 'auto' },
      users: { type: 'string' },
      concurrency: { type: 'string' },
      connections: { type: 'string' },
      threads: { type: 'string' },
      duration: { type: 'string' },
      'arena-fans': { type: 'string' },
      'arena-sections': { type: 'string' },
      'arena-max-active': { type: 'string' },
      only: { type: 'string' },
      codes: { type: 'boolean', default: false },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) return 'help'
  const profile = { ...PROFILES[values.full ? 'full' : 'quick'] }
  const positive = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined
    const x = Number(v)
    if (!Number.isFinite(x) || x <= 0) throw new Error(`--${name} must be a positive number`)
    return x
  }
  const whole = (v: string | undefined, name: string, fallback: number): number => Math.round(positive(v, name) ?? fallback)
  profile.rushUsers = whole(values.users, 'users', profile.rushUsers)
  profile.rushConcurrency = whole(values.concurrency, 'concurrency', profile.rushConcurrency)
  profile.connections = whole(values.connections, 'connections', profile.connections)
  profile.threads = whole(values.threads, 'threads', profile.threads)
  profile.arena = { ...profile.arena }
  if (values['arena-fans'] !== undefined) {
    const fans = Number(values['arena-fans'])
    if (!Number.isInteger(fans) || fans < 0) throw new Error('--arena-fans must be a whole number ≥ 0')
    profile.arena.fans = fans
  }
  profile.arena.sections = whole(values['arena-sections'], 'arena-sections', profile.arena.sections)
  if (values['arena-max-active'] !== undefined) profile.arenaMaxActive = whole(values['arena-max-active'], 'arena-max-active', 100)
  const d = positive(values.duration, 'duration')
  if (d !== undefined) { profile.durationSec = d; profile.ceilingSec = d }
  if (!['auto', 'wrk', 'autocannon'].includes(values.generator)) throw new Error('--generator must be auto, wrk or autocannon')
  const names = values.modes?.split(',').map(s => s.trim()) ?? MODES.map(m => m.name)
  const modes = names.map((n) => {
    const m = MODES.find(x => x.name === n)
    if (!m) throw new Error(`unknown mode "${n}" (known: ${MODES.map(x => x.name).join(', ')})`)
    return m
  })
  const base = PROFILES[profile.name]
  const changed = (k: keyof Profile): boolean => k === 'arena' ? JSON.stringify(base.arena) !== JSON.stringify(profile.arena) : base[k] !== profile[k]
  const parts = new Set<Part>()
  for (const x of values.only?.split(',').map(v => v.trim()) ?? PARTS) {
    if (!(PARTS as readonly string[]).includes(x)) throw new Error(`unknown part "${x}" for --only (known: ${PARTS.join(', ')})`)
    parts.add(x as Part)
  }
  const customized = values.only !== undefined || values.modes !== undefined || values.generator !== 'auto' || values.codes || (Object.keys(base) as Array<keyof Profile>).some(changed)
  return { profile, customized, modes, generator: values.generator as GeneratorChoice, codes: values.codes, out: values.out ?? null, cpuProfile: values.profile, parts, strict: values.strict, keep: values.keep }
}

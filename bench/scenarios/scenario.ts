// What an endpoint scenario is (its route, what it is compared with, its target, how it prepares its
// requests) and the loop that runs a list of them against one service site.

import type { BaselineKind } from '../baselines/ceilings.js'
import type { HttpClient } from '../lib/http.js'
import type { LoadResult, LoadRunner, LoadSpec } from '../load/run-load.js'

/** What issue 12 asks of an endpoint: a share of the hello ceiling, of its matching ceiling, or a rate. */
export type ScenarioTarget = { ofHello: number } | { ofCeiling: number } | { rps: number }

export interface ScenarioContext {
  load: LoadRunner
  ports: number[]
  /** The service's process ids (CPU time and memory are theirs). */
  pids: number[]
  client: HttpClient
  secret: string
  bearer: (userId: string) => string
  adminBearer: string
  /** Unique per mode, so user ids never collide with the rush's or the warm-up's. */
  userPrefix: string
  /** MySQL + Redis (else embedded): picks the matching ceiling. */
  production: boolean
  /** The mode's database (`sqlite:<file>` or a mysql:// URL), for what only the tables show. */
  databaseUrl: string
  /** Redis (production modes only). */
  redisUrl?: string
  /** Service CPU time of every instance from now until the returned function is called (ms). */
  cpuWindow: () => () => number
  durationSec: number
  warmupSec: number
  pollUsers: number
  /** Users admitted to the booking concerts: QUEUE_MAX_ACTIVE, as in production. */
  admittedUsers: number
  /** Holds the booking concert must have room for (its number of shows follows). */
  maxHolds: number
  /** The pay run is given at least this many holds. */
  minPayItems: number
  /** Bytes Redis uses now (production modes only). */
  redisMemoryBytes?: () => Promise<number>
  /** Seats of the big show whose whole seat map is read. */
  bigShowSeats: number
  /**
   * How many distinct requests a once-only scenario should prepare: what `shareOfHello` of the hello ceiling
   * would send over its warm-up and measured time (it ends early, flagged, if the endpoint is faster).
   */
  budget: (shareOfHello: number) => number
  log: (line: string) => void
}

export interface Plan extends Pick<LoadSpec, 'requests' | 'once' | 'codes' | 'capture' | 'connections'> {
  /** Warm-up seconds when not the profile's (0 when every item can be used once and is scarce). */
  warmupSec?: number
  /** What was prepared, for the report. */
  note: string
  /** Sees the result (e.g. to keep the holds it made for the pay scenario); may add figures of its own to the report. */
  after?: (r: LoadResult) => Promise<Figures | undefined> | Figures | undefined | void
}

export interface Scenario<Shared> {
  /** Short and unique: the row label and the key in the JSON. */
  name: string
  route: string
  /** The ceiling it is compared with: embedded mode, production mode. */
  matching: { embedded: BaselineKind, production: BaselineKind }
  target?: ScenarioTarget
  /** Runs in one kind of mode only (e.g. what needs the Redis Stream of production). */
  only?: 'production' | 'embedded'
  /** Prepares through the API (fixtures shared between scenarios live in `shared`) and says what to send. */
  plan: (ctx: ScenarioContext, shared: Shared) => Promise<Plan>
}

/** A scenario's own figures beside the standard ones (e.g. memory per waiting fan), by name. */
export type Figures = Record<string, number>

export interface EndpointResult extends LoadResult {
  figures: Figures
  endpoint: string
  route: string
  note: string
  ceilingKind: BaselineKind
  target: ScenarioTarget | null
}

/** A scenario issue 12 asks for whose route is not built yet: listed in the report, never measured. */
export interface PlannedScenario { name: string, route: string, target: string, waitsFor: string }

function logResult (ctx: ScenarioContext, r: EndpointResult): void {
  const odd = Object.entries(r.outcomes).filter(([k]) => !isSuccess(k)).map(([k, v]) => `${k}×${v}`)
  ctx.log(`  ${r.endpoint.padEnd(16)} ${r.rps.toLocaleString('en-US').padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  ` +
    `${r.cpu.msPerRequest ?? '–'} CPU ms/req${Object.entries(r.figures).map(([k, v]) => `  ${k} ${v}`).join('')}${odd.length ? `  (non-2xx: ${odd.join(', ')})` : ''}${r.exhausted ? '  [ran out of prepared requests]' : ''}${r.fewReplies ? `  [only ${r.requests} replies: too few for a rate]` : ''}`)
}

/** A reply label that counts as success: any 2xx or 3xx (a 304 is the point of revalidation). */
export const isSuccess = (label: string): boolean => /^[23]\d\d$/.test(label) || label === '2xx/3xx'

/** Runs the scenarios in order; one that fails to prepare is reported and the next one still runs. */
export async function runScenarios<Shared> (ctx: ScenarioContext, scenarios: Array<Scenario<Shared>>, shared: Shared): Promise<{ results: EndpointResult[], failures: string[] }> {
  const results: EndpointResult[] = []
  const failures: string[] = []
  for (const s of scenarios) {
    if (s.only && s.only !== (ctx.production ? 'production' : 'embedded')) continue
    try {
      const plan = await s.plan(ctx, shared)
      const r = await ctx.load.run({
        name: s.name, ports: ctx.ports, durationSec: ctx.durationSec, warmupSec: plan.warmupSec ?? ctx.warmupSec,
        requests: plan.requests, once: plan.once, codes: plan.codes, capture: plan.capture, connections: plan.connections, watch: ctx.pids
      })
      const figures = (await plan.after?.(r)) ?? {}
      const row: EndpointResult = { ...r, captured: [], figures, endpoint: s.name, route: s.route, note: plan.note, ceilingKind: s.matching[ctx.production ? 'production' : 'embedded'], target: s.target ?? null }
      logResult(ctx, row)
      results.push(row)
      if (r.requests === 0) failures.push(`${s.name}: no reply in the measured pass`)
    } catch (err) {
      failures.push(`${s.name}: ${(err as Error).message}`)
      ctx.log(`  ${s.name}: FAILED — ${(err as Error).message}`)
    }
  }
  return { results, failures }
}

// The bench's verdicts (issue 12's targets) and its summary: Markdown tables printed and written beside the JSON.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BASELINE_LABELS, type Ceiling, type GeneratorCheck } from './baselines/ceilings.js'
import { cpuMs, ms, num, pct, table } from './lib/format.js'
import type { Machine } from './lib/machine.js'
import type { ProfileSummary } from './lib/profile.js'
import { failedReplies, type EndpointRow, type ModeReport } from './mode.js'
import type { Profile } from './options.js'
import { PLANNED } from './scenarios/endpoints.js'
import { RUSH_STEPS, pacingLabel, type RushStep } from './scenarios/rush.js'
import { ARENA_STEPS } from './arena/protocol.js'
import type { ArenaResult } from './scenarios/arena.js'

export interface Target { mode: string, target: string, value: string, met: boolean }

/** The rush steps of a fan once admitted (issue 12: p99 under 100 ms); join and poll are reported, not judged. */
const ADMITTED_STEPS: RushStep[] = ['seats', 'dates', 'hold', 'charge', 'pay']
const RUSH_P99_MS = 100
const ARENA_TICKETS_PER_SEC = 1000
/** The bench's hello ceiling must reach this share of plain wrk's on the same server. */
export const GENERATOR_MIN_RATIO = 0.85

export interface RunSummary {
  machine: Machine
  profile: Profile
  service: string
  generator: { name: string, description: string, why: string, check: GeneratorCheck | null }
  ceilings: Ceiling[]
  ceilingsCpu: ModeReport['cpu']
  modes: ModeReport[]
}

function endpointTarget (e: EndpointRow): { label: string, value: string, met: boolean } | null {
  const t = e.target
  if (!t) return null
  if ('ofHello' in t) return e.ratioToHello === null ? null : { label: `≥ ${pct(t.ofHello)} of hello`, value: pct(e.ratioToHello), met: e.ratioToHello >= t.ofHello }
  if ('ofCeiling' in t) return e.ratioToCeiling === null ? null : { label: `≥ ${pct(t.ofCeiling)} of the ${e.ceilingKind} ceiling`, value: pct(e.ratioToCeiling), met: e.ratioToCeiling >= t.ofCeiling }
  return { label: `≥ ${num(t.rps)} req/s`, value: num(e.rps), met: e.rps >= t.rps }
}

export function evaluate (s: RunSummary): Target[] {
  const targets: Target[] = []
  const c = s.generator.check
  if (c) targets.push({ mode: 'all', target: `bench hello ≥ ${pct(GENERATOR_MIN_RATIO)} of plain wrk's`, value: `${num(c.benchRps)} / ${num(c.plainWrkRps)} = ${pct(c.ratio)}`, met: c.ratio >= GENERATOR_MIN_RATIO })
  for (const m of s.modes) {
    for (const e of m.endpoints) {
      const t = endpointTarget(e)
      if (t) targets.push({ mode: m.mode.name, target: `${e.endpoint} ${t.label}`, value: t.value, met: t.met })
    }
    for (const { result: r } of m.rushes) {
      const label = `rush (${pacingLabel(r.pacing)})`
      targets.push({ mode: m.mode.name, target: `${label} sold out`, value: r.soldOut ? `in ${(r.timeToSellOutMs! / 1000).toFixed(2)} s` : 'no', met: r.soldOut })
      // Judged on the rush whose clients behave as the service asks; the fixed-interval one is the comparison.
      if (r.pacing.kind !== 'paced') continue
      const steps = ADMITTED_STEPS.filter(st => r.steps[st].count > 0)
      const over = steps.filter(st => r.steps[st].p99 >= RUSH_P99_MS)
      const worst = steps.reduce((a, st) => Math.max(a, r.steps[st].p99), 0)
      targets.push({ mode: m.mode.name, target: `${label} p99 < ${RUSH_P99_MS} ms for every admitted fan's step`, value: over.length ? `over: ${over.map(st => `${st} ${ms(r.steps[st].p99)}`).join(', ')}` : `worst ${ms(worst)} ms`, met: over.length === 0 })
    }
    const a = m.arena
    if (a) {
      targets.push({ mode: m.mode.name, target: 'arena sold out', value: a.soldOut ? `in ${(a.timeToSellOutMs! / 1000).toFixed(2)} s` : `no (${num(a.tickets)} of ${num(a.seats)})`, met: a.soldOut })
      targets.push({ mode: m.mode.name, target: `arena ≥ ${num(ARENA_TICKETS_PER_SEC)} tickets/s sustained`, value: `${num(a.ticketsPerSec)} (median second ${num(a.ticketsPerSecMedian)})`, met: a.ticketsPerSec >= ARENA_TICKETS_PER_SEC })
      const w = a.worstShopP99
      targets.push({ mode: m.mode.name, target: `arena p99 < ${RUSH_P99_MS} ms for every admitted fan's step`, value: w ? `worst: ${w.step} ${ms(w.ms)} ms` : 'no step measured', met: w !== null && w.ms < RUSH_P99_MS })
      for (const [where, bytes] of [['in process (service RSS)', a.memory.serviceRssBytesPerFan], ['in Redis (used_memory)', a.memory.redisBytesPerFan]] as const) {
        // In process: what the embedded queue keeps; with Redis the queue lives there (the service's RSS is reported, not judged).
        if (bytes === null || (where.startsWith('in process') && m.mode.redis)) continue
        targets.push({ mode: m.mode.name, target: `arena waiting-room memory ≤ 1 KB per fan ${where}`, value: `${num(bytes)} B over ${num(a.memory.fansInRoom)} fans`, met: bytes <= 1024 })
      }
    }
    const unlabelled = m.endpoints.reduce((a, e) => a + (e.outcomes['4xx/5xx'] ?? 0), 0)
    targets.push({ mode: m.mode.name, target: 'zero 5xx', value: `${m.serverErrors}${unlabelled ? ` (+ ${unlabelled} replies ≥ 400 not labelled: rerun with --codes)` : ''}`, met: m.serverErrors === 0 && unlabelled === 0 && m.error === null })
    const broken = m.invariants.filter(x => !x.ok).length
    targets.push({ mode: m.mode.name, target: 'zero invariant breaks', value: m.invariants.length ? `${broken} of ${m.invariants.length} broken` : 'not checked', met: broken === 0 && m.invariants.length > 0 })
  }
  return targets
}

function modeSection (m: ModeReport, profile: Profile, connections: number): string[] {
  const out: string[] = ['', `## ${m.mode.label}`, '']
  if (m.cpu) out.push(`Machine CPU during this mode: bench + service + generator ${m.cpu.ownPercent}%, MariaDB + Redis ${m.cpu.storesPercent}%, other processes ${m.cpu.othersPercent}%${m.cpu.othersPercent > 10 ? ' — **not a quiet machine: figures are low**' : ''}.`)
  if (m.error) out.push('', `**FAILED**: ${m.error.split('\n')[0]}`)
  out.push('', `Per endpoint: ${connections} connections, ${profile.durationSec} s after ${profile.warmupSec} s of warm-up. CPU ms/req is the service's own (every instance, /proc utime + stime from idle before the measured pass to idle after it ÷ requests sent); gen. CPU ms/req the load generator's (÷ replies).`, '')
  out.push(table(['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'gen. CPU ms/req', 'not 2xx', 'matching ceiling', '× ceiling', '× hello', 'RSS MiB'], m.endpoints.map(e => [
    e.endpoint + (e.exhausted ? ' (ran out)' : '') + (e.fewReplies ? ' (few replies)' : '') + (e.connections !== connections ? ` (${e.connections} conn.)` : ''), num(e.rps), ms(e.latency.p50), ms(e.latency.p99), cpuMs(e.cpu.msPerRequest), cpuMs(e.cpu.generatorMsPerRequest), String(failedReplies(e)),
    e.ceiling ? `${e.ceilingKind}×${e.ceiling.instances} ${num(e.ceiling.rps)}` : '–', pct(e.ratioToCeiling), pct(e.ratioToHello),
    e.memory.map(x => x.rssMiB.toFixed(0)).join(' + ')
  ])))
  for (const e of m.endpoints.filter(x => Object.keys(x.figures).length > 0)) {
    out.push('', `${e.endpoint}: ${Object.entries(e.figures).map(([k, v]) => `${k} ${figure(v)}`).join('; ')}.`)
  }
  if (m.endpoints.some(e => Object.keys(e.figures).some(k => k.includes('RSS')))) out.push('', 'Memory growth is over the run ÷ requests sent; the resident set also holds garbage not yet collected: an upper bound.')
  if (m.memory.length) out.push('', `Peak RSS (VmHWM) of the service: ${m.memory.map(x => `instance ${x.instance} ${x.peakMiB.toFixed(0)} MiB`).join(', ')}.`)
  for (const { result: r, cpu } of m.rushes) {
    out.push('', `### Rush, polling ${pacingLabel(r.pacing)}: ${num(r.users)} users, ${r.seats} seats, QUEUE_MAX_ACTIVE ${r.maxActive}, ≤ ${r.concurrency} in flight`, '')
    out.push(`Sold out: ${r.soldOut ? `yes, in ${(r.timeToSellOutMs! / 1000).toFixed(2)} s` : '**NO**'}; all joined in ${(r.joinedMs / 1000).toFixed(2)} s; over in ${(r.totalMs / 1000).toFixed(2)} s; ` +
      `admitted ${num(r.admitted)} (${r.admissionsPerSec}/s); holds ${r.holds} of ${r.holdAttempts} tries (${r.holdsPerSec}/s); bought ${r.bought} (${r.ticketsPerSec} tickets/s); ` +
      `${r.requestsPerTicket ?? '–'} requests per ticket; ${num(r.steps.poll.count)} polls, ${r.pollsPerAdmitted ?? '–'} per admitted user, ${num(r.pollsPerSec)}/s; ` +
      `service CPU ${cpuMs(cpu.msPerRequest)} ms per request, ${cpuMs(cpu.msPerTicket)} ms per ticket; max sampled ACTIVE ${r.activeSamples.max} (${r.activeSamples.count} samples).`, '')
    out.push(table(['step', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'outcomes'], RUSH_STEPS.filter(st => r.steps[st].count > 0).map(st => [
      st, num(r.steps[st].count), ms(r.steps[st].p50), ms(r.steps[st].p99), ms(r.steps[st].max),
      Object.entries(r.steps[st].outcomes).map(([k, v]) => `${k}×${v}`).join(' ')
    ]), 1))
    const errs = Object.entries(r.errors)
    out.push('', `Errors by code: ${errs.length ? errs.map(([k, v]) => `${k} ×${v}`).join(', ') : 'none'} (409 SEAT_UNAVAILABLE is an expected outcome). ` +
      `Requests waited for a driver slot (not in the step latencies): p50 ${ms(r.driverWait.p50)} ms, p99 ${ms(r.driverWait.p99)} ms, max ${ms(r.driverWait.max)} ms.`)
  }
  if (m.rushes.length > 1) {
    out.push('', '### Waiting room: paced polling beside fixed-interval polling (issue 11), same run', '')
    out.push(table(['waiting users poll', 'polls', 'polls per admitted user', 'polls/s', 'admitted', 'admissions/s', 'sold out in s', 'service CPU ms per ticket', 'replies with refreshAfterMs'], m.rushes.map(({ result: r, cpu }) => [
      pacingLabel(r.pacing), num(r.steps.poll.count), r.pollsPerAdmitted ?? '–', num(r.pollsPerSec), num(r.admitted), r.admissionsPerSec,
      r.timeToSellOutMs === null ? 'not sold out' : (r.timeToSellOutMs / 1000).toFixed(2), cpuMs(cpu.msPerTicket), pct(r.advisedShare)
    ]), 1))
  }
  if (m.arena) out.push(...arenaSection(m.arena, m.arenaCpu))
  for (const p of m.profiles) out.push(...profileLines(p))
  return out
}

/** Where one service process's CPU time went (`--profile`): its top packages, then its top functions by self time. */
export function profileLines (p: ProfileSummary): string[] {
  return [
    '', `CPU profile ${p.file} (${num(p.totalMs)} ms on CPU): ${p.byPackage.slice(0, 8).map(x => `${x.name} ${x.percent}%`).join(', ')}`, '',
    ...p.byFunction.slice(0, 12).map(f => `    ${String(f.percent).padStart(5)}%  ${f.name} ${f.where}`)
  ]
}

/** A scenario's own figure: whole numbers as such, fractions with three significant digits. */
const figure = (v: number): string => Number.isInteger(v) ? num(v) : Math.abs(v) >= 100 ? num(v) : v.toPrecision(3)

function arenaSection (a: ArenaResult, cpu: ModeReport['arenaCpu']): string[] {
  const out: string[] = ['', `### Arena rush: ${num(a.fans)} fans, ${num(a.seats)} seats in ${a.sections} sections, QUEUE_MAX_ACTIVE ${a.maxActive}`, '']
  out.push(`${a.sizing.how}.`, '')
  out.push(`Sold out: ${a.soldOut ? `yes, in ${(a.timeToSellOutMs! / 1000).toFixed(2)} s` : `**NO** (${num(a.tickets)} of ${num(a.seats)} seats)`} from the first join; first ticket after ${a.firstTicketMs === null ? '–' : (a.firstTicketMs / 1000).toFixed(2)} s; ` +
    `all ${num(a.joined)} joins answered after ${(a.allJoinedMs / 1000).toFixed(2)} s; over in ${(a.totalMs / 1000).toFixed(2)} s. ` +
    `${num(a.tickets)} tickets in ${num(a.orders)} orders: **${num(a.ticketsPerSec)} tickets/s** (median second ${num(a.ticketsPerSecMedian)}); admitted ${num(a.admitted)} (${a.admissionsPerSec}/s); ` +
    `${num(a.requests)} requests, **${a.requestsPerTicket ?? '–'} per ticket**; ${num(a.polls)} polls, ${a.pollsPerAdmitted ?? '–'} per admitted fan; ` +
    `service CPU ${cpuMs(cpu?.msPerRequest)} ms per request, ${cpuMs(cpu?.msPerTicket)} ms per ticket; the ${a.generator.processes} fan processes used ${num(a.generator.cpuMs)} CPU ms (${cpuMs(a.generator.msPerRequest)} ms per request, ${pct(a.totalMs > 0 ? a.generator.cpuMs / a.totalMs : null)} of one core over the rush); ` +
    `max sampled ACTIVE ${a.activeSamples.max} (${a.activeSamples.count} samples).`, '')
  out.push(`Waiting-room memory at the fullest sampled moment (${num(a.memory.fansInRoom)} fans in the room): service RSS growth ${a.memory.serviceRssBytesPerFan === null ? '–' : `${num(a.memory.serviceRssBytesPerFan)} B`} per fan` +
    `${a.memory.redisBytesPerFan === null ? '' : `, Redis used_memory growth ${num(a.memory.redisBytesPerFan)} B per fan`}.`, '')
  out.push(table(['step', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'outcomes'], ARENA_STEPS.filter(st => a.steps[st].count > 0).map(st => [
    st, num(a.steps[st].count), ms(a.steps[st].p50), ms(a.steps[st].p99), ms(a.steps[st].max), Object.entries(a.steps[st].outcomes).map(([k, v]) => `${k}×${v}`).join(' ')
  ]), 1))
  const t = a.fanTimes
  out.push('', table(['per fan', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'], ([['joined → told ACTIVE', t.queued], ['admitted → told (learnt late)', t.learnt], ['told ACTIVE → paid', t.journey], ['poll sent after due (generator lag)', t.late], ['waited for a waiting-room socket', t.roomWait], ['waited for a shopping socket', t.shopWait]] as const).map(([label, x]) => [
    label, num(x.count), ms(x.p50), ms(x.p90), ms(x.p99), ms(x.max)
  ]), 1))
  const errs = Object.entries(a.errors)
  out.push('', `Orders by size: ${Object.entries(a.orderSizes).map(([k, v]) => `${k} seat${k === '1' ? '' : 's'} ×${num(v)}`).join(', ') || 'none'}; by how: ${Object.entries(a.orderKinds).map(([k, v]) => `${k} ×${num(v)}`).join(', ') || 'none'}. ` +
    `Fans: ${Object.entries(a.byFan).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ×${num(v)}`).join(', ')}. ` +
    `Errors: ${errs.length ? errs.map(([k, v]) => `${k} ×${v}`).join(', ') : 'none'}; 5xx ${a.serverErrors}.`)
  return out
}

/** The whole summary as Markdown. */
export function summarize (s: RunSummary, targets: Target[]): string {
  const { machine, profile } = s
  const out: string[] = [`# Benchmark (${profile.name}), ${machine.date}`, '']
  out.push(`${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, MariaDB ${machine.mariadb}, Redis ${machine.redis}.`)
  out.push(`Service: ${s.service}. CPU busy before the run: ${machine.busyBeforePercent ?? '?'}% (load ${machine.loadAverage.join(' ')}).`)
  if ((machine.busyBeforePercent ?? 0) > 15) out.push('**WARNING: the machine was busy with other work before the run: every figure below is lower than it should be.**')
  out.push(`Load generator: ${s.generator.description} (${s.generator.why}); ${s.ceilings[0]?.connections ?? profile.connections} connections.`)
  const c = s.generator.check
  out.push(c
    ? `Generator check: the bench's hello ceiling ${num(c.benchRps)} req/s vs plain \`wrk -t${profile.threads} -c${profile.connections} -d${c.seconds}s\` ${num(c.plainWrkRps)} req/s on the same server: ${pct(c.ratio)} (must be ≥ ${pct(GENERATOR_MIN_RATIO)}).`
    : 'Generator check: not made (needs wrk).')

  out.push('', `## Ceilings (tiny servers, ${profile.ceilingSec} s each)`, '')
  if (s.ceilingsCpu) out.push(`Machine CPU meanwhile: bench + servers + generator ${s.ceilingsCpu.ownPercent}%, MariaDB + Redis ${s.ceilingsCpu.storesPercent}%, other processes ${s.ceilingsCpu.othersPercent}%.`, '')
  out.push(table(['ceiling', 'procs', 'req/s', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'generator CPU ms/req'], s.ceilings.map(x => [
    BASELINE_LABELS[x.kind], x.instances, num(x.rps), ms(x.latency.p50), ms(x.latency.p99), cpuMs(x.cpu.msPerRequest), cpuMs(x.cpu.generatorMsPerRequest)
  ])))
  for (const m of s.modes) out.push(...modeSection(m, profile, s.ceilings[0]?.connections ?? profile.connections))

  if (PLANNED.length > 0) {
    out.push('', '## Not measured yet (issue 12; their routes are not built)', '')
    out.push(table(['scenario', 'route', 'target', 'waits for'], PLANNED.map(p => [p.name, p.route, p.target, p.waitsFor]), 4))
  }
  out.push('', '## Invariants', '')
  out.push(table(['mode', 'invariant', 'ok', 'detail'], s.modes.flatMap(m => m.invariants.map(x => [m.mode.name, x.name, x.ok ? 'ok' : 'BROKEN', x.detail])), 4))
  out.push('', '## Targets', '')
  out.push(table(['mode', 'target', 'measured', 'met'], targets.map(t => [t.mode, t.target, t.value, t.met ? 'yes' : 'NO']), 3))
  return `${out.join('\n')}\n`
}

/** Writes latest.{json,md}, and <profile>.{json,md} when the profile ran as defined; returns the files written. */
export function writeResults (root: string, profileName: string, asDefined: boolean, json: unknown, markdown: string, extra: string | null): string[] {
  const dir = join(root, 'bench/results')
  mkdirSync(dir, { recursive: true })
  const text = `${JSON.stringify(json, null, 2)}\n`
  const files: string[] = []
  for (const base of asDefined ? ['latest', profileName] : ['latest']) {
    writeFileSync(join(dir, `${base}.json`), text)
    writeFileSync(join(dir, `${base}.md`), markdown)
    files.push(`bench/results/${base}.json`, `bench/results/${base}.md`)
  }
  if (extra) { writeFileSync(extra, text); files.push(extra) }
  return files
}

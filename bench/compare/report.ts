// The before/after comparison's summary: issue 12's table with both trees' figures side by side, then each mode's
// detail (rates, latency, service CPU per request, after ÷ before), as Markdown beside the JSON.

import { BASELINE_LABELS, type Ceiling, type GeneratorCheck } from '../baselines/ceilings.js'
import { cpuMs, ms, num, table } from '../lib/format.js'
import type { Machine } from '../lib/machine.js'
import { round } from '../lib/stats.js'
import { profileLines } from '../report.js'
import { isSuccess, type EndpointResult } from '../scenarios/scenario.js'
import type { Role, Tree, TreeRun } from './run-tree.js'
import { COMPARE_SCENARIOS } from './scenarios.js'

export interface CompareSummary {
  machine: Machine
  settings: { durationSec: number, warmupSec: number, connections: number, threads: number, modes: string[], env: Record<string, string>, layout: { holds: number, shows: number, holders: number } }
  generator: { name: string, description: string, why: string, check: GeneratorCheck | null }
  trees: Record<Role, Tree>
  ceilings: Ceiling[]
  runs: TreeRun[]
}

/** after ÷ before, two decimals; null when either is missing or before is 0. */
export const ratio = (after: number | null | undefined, before: number | null | undefined): number | null =>
  after === null || after === undefined || before === null || before === undefined || before === 0 ? null : round(after / before)

const times = (x: number | null): string => x === null ? '–' : `×${x.toFixed(2)}`

const MODE_LABELS: Record<string, string> = { embedded: 'embedded (SQLite, in-process queue)', 'mysql-redis-1': 'MySQL + Redis, 1 instance' }

/** Replies that were not a success (4xx/5xx, network, timeout), as "409 SEAT_UNAVAILABLE×3". */
function oddReplies (r: EndpointResult): string {
  return Object.entries(r.outcomes).filter(([k]) => !isSuccess(k)).map(([k, v]) => `${k}×${v}`).join(' ')
}

function flags (r: EndpointResult | undefined): string {
  if (!r) return ''
  return [r.exhausted ? 'ran out' : '', r.fewReplies ? 'few replies' : '', oddReplies(r)].filter(Boolean).join(', ')
}

const rowOf = (runs: TreeRun[], role: Role, mode: string, name: string): EndpointResult | undefined =>
  runs.find(x => x.tree === role && x.mode === mode)?.rows.find(r => r.endpoint === name)

function treeLine (t: Tree): string {
  const at = t.commit ? `commit \`${t.commit.slice(0, 12)}\` "${t.subject ?? ''}"${t.dirty ? ' **plus uncommitted changes**' : ''}` : 'not a git tree'
  return `- **${t.role}**: \`${t.dir}\`, ${at}; ${t.entryDescription}`
}

/** Issue 12's table: one row per ceiling and endpoint, every mode's req/s and service CPU ms/req, before → after. */
function issueTable (s: CompareSummary): string {
  const modes = s.settings.modes
  const headers = ['what', ...modes.flatMap(m => [`${m} before`, `${m} after`, '×']), ...modes.flatMap(m => [`CPU ms/req ${m} before → after`])]
  const rows: Array<Array<string | number>> = []
  // A ceiling belongs to no tree: its figure stands under the modes it bounds, once.
  const bounds = (kind: Ceiling['kind'], mode: string): boolean => kind === 'hello' || (kind === 'sqlite-update' ? mode === 'embedded' : kind === 'mysql-update' && mode !== 'embedded')
  for (const c of s.ceilings) {
    rows.push([
      `ceiling: ${BASELINE_LABELS[c.kind]}`,
      ...modes.flatMap(m => bounds(c.kind, m) ? [num(c.rps), '', ''] : ['', '', '']),
      ...modes.map(m => bounds(c.kind, m) ? cpuMs(c.cpu.msPerRequest) : '')
    ])
  }
  for (const sc of COMPARE_SCENARIOS) {
    const cells = modes.map(m => ({ b: rowOf(s.runs, 'before', modeKey(m), sc.name), a: rowOf(s.runs, 'after', modeKey(m), sc.name) }))
    if (cells.every(x => !x.a && !x.b)) continue
    rows.push([
      `${sc.name}${sc.afterOnly ? ' (after only)' : ''}`,
      ...cells.flatMap(({ b, a }) => [b ? num(b.rps) : '–', a ? num(a.rps) : '–', times(ratio(a?.rps, b?.rps))]),
      ...cells.map(({ b, a }) => `${cpuMs(b?.cpu.msPerRequest)} → ${cpuMs(a?.cpu.msPerRequest)}`)
    ])
  }
  return table(headers, rows)
}

/** The modes' short names on the command line and their bench names. */
export const modeKey = (m: string): string => m === 'mysql-redis' ? 'mysql-redis-1' : m

function modeSection (s: CompareSummary, mode: string): string[] {
  const key = modeKey(mode)
  const runs = (['before', 'after'] as const).map(role => s.runs.find(x => x.tree === role && x.mode === key))
  const out: string[] = ['', `## ${MODE_LABELS[key] ?? key}`, '']
  for (const r of runs) {
    if (!r) continue
    if (r.error) out.push(`**${r.tree} FAILED**: ${r.error.split('\n')[0]}`, '')
    for (const f of r.failures) out.push(`**${r.tree}**: ${f}`, '')
    const peak = r.memory.map(x => `${x.peakMiB.toFixed(0)} MiB`).join(' + ')
    if (r.cpu) out.push(`- ${r.tree}: ${r.seconds} s; peak RSS of the service ${peak || '–'}; machine CPU: bench + service + generator ${r.cpu.ownPercent}%, MariaDB + Redis ${r.cpu.storesPercent}%, other processes ${r.cpu.othersPercent}%${r.cpu.othersPercent > 10 ? ' — **not a quiet machine: its rates are low**' : ''}; 5xx replies ${r.serverErrors}`)
  }
  out.push('', table(
    ['endpoint', 'req/s before', 'req/s after', 'after ÷ before', 'p50 / p99 ms before', 'p50 / p99 ms after', 'CPU ms/req before', 'CPU ms/req after', 'CPU after ÷ before', 'notes'],
    COMPARE_SCENARIOS.flatMap((sc) => {
      const b = rowOf(s.runs, 'before', key, sc.name)
      const a = rowOf(s.runs, 'after', key, sc.name)
      if (!a && !b) return []
      const notes = [sc.afterOnly ? 'after only' : '', b && flags(b) ? `before: ${flags(b)}` : '', a && flags(a) ? `after: ${flags(a)}` : ''].filter(Boolean).join('; ')
      return [[
        sc.name, b ? num(b.rps) : '–', a ? num(a.rps) : '–', times(ratio(a?.rps, b?.rps)),
        b ? `${ms(b.latency.p50)} / ${ms(b.latency.p99)}` : '–', a ? `${ms(a.latency.p50)} / ${ms(a.latency.p99)}` : '–',
        cpuMs(b?.cpu.msPerRequest), cpuMs(a?.cpu.msPerRequest), times(ratio(a?.cpu.msPerRequest, b?.cpu.msPerRequest)), notes
      ]]
    })
  ))
  out.push('', ...COMPARE_SCENARIOS.filter(sc => runs.some(r => r?.rows.some(x => x.endpoint === sc.name))).map((sc) => {
    const r = rowOf(s.runs, 'after', key, sc.name) ?? rowOf(s.runs, 'before', key, sc.name)
    return `- ${sc.name}: \`${sc.route}\` — ${r?.note ?? ''}`
  }))
  for (const r of runs) for (const p of r?.profiles ?? []) out.push(...profileLines({ ...p, file: `${r?.tree} ${p.file}` }))
  return out
}

export function compareMarkdown (s: CompareSummary): string {
  const { machine: m, settings: st } = s
  const out: string[] = [`# Before/after (issue 12), ${m.date}`, '']
  out.push(treeLine(s.trees.before), treeLine(s.trees.after), '')
  out.push(`${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, MariaDB ${m.mariadb}, Redis ${m.redis}. CPU busy before the run: ${m.busyBeforePercent ?? '?'}% (load ${m.loadAverage.join(' ')}).`)
  if ((m.busyBeforePercent ?? 0) > 15) out.push('**WARNING: the machine was busy with other work before the run: every rate below is lower than it should be (CPU ms/req much less so).**')
  out.push(`Load generator: ${s.generator.description} (${s.generator.why}); ${st.connections} connections, ${st.durationSec} s per endpoint and ceiling after ${st.warmupSec} s of warm-up. ` +
    'CPU ms/req is the service\'s own (/proc utime + stime from idle before the measured pass to idle after it ÷ requests sent). Each tree runs on fresh stores with the same requests; ' +
    `its service with ${Object.entries(st.env).map(([k, v]) => `${k}=${v}`).join(', ')}.`)
  const c = s.generator.check
  if (c) out.push(`Generator check: the bench's hello ${num(c.benchRps)} req/s vs plain \`wrk -t${st.threads} -c${st.connections}\` ${num(c.plainWrkRps)} req/s on the same server (${Math.round(100 * c.ratio)}%).`)
  out.push('', '## Issue 12\'s table, before and after (req/s; × = after ÷ before)', '', issueTable(s))
  out.push('', '## Ceilings (tiny servers, same generator, same run)', '')
  out.push(table(['ceiling', 'req/s', 'p50 ms', 'p99 ms', 'server CPU ms/req'], s.ceilings.map(x => [BASELINE_LABELS[x.kind], num(x.rps), ms(x.latency.p50), ms(x.latency.p99), cpuMs(x.cpu.msPerRequest)])))
  for (const mode of st.modes) out.push(...modeSection(s, mode))
  return `${out.join('\n')}\n`
}

// One load run at a fixed concurrency: a warm-up pass (figures dropped), then the measured pass, with the CPU
// time and memory of the watched server processes over exactly that pass (from /proc), per request.

import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { cpuWindow, memoryOf, waitForIdle } from '../lib/procfs.js'
import { round, type LatencySummary } from '../lib/stats.js'
import type { Generator, PassInput, PassOutput } from './generator.js'
import { renderRequest, sliceIndexes, writeSlices, type LoadRequest } from './requests.js'

export type { LoadRequest } from './requests.js'

export interface LoadSpec {
  name: string
  ports: number[]
  durationSec: number
  warmupSec: number
  /** Sent in this order, spread over the generator's slices; cycled unless `once`. */
  requests: LoadRequest[]
  /** Each request at most once over both passes (a distinct seat, a fresh key); the run ends early when all are sent. */
  once?: boolean
  /** Label every reply by status and problem code (costs the generator a little per reply). */
  codes?: boolean
  /** Keep the bodies of replies with this status, from both passes (e.g. 201 of holds, for the payments after). */
  capture?: number
  /** The server processes whose CPU time and memory are reported. */
  watch: number[]
  /** Connections when not the runner's (a slow endpoint gets a rate from fewer, in a short pass). */
  connections?: number
}

export interface LoadResult {
  name: string
  connections: number
  durationSec: number
  requests: number
  rps: number
  latency: LatencySummary
  /** Measured replies by label ("200", "409 SEAT_UNAVAILABLE", "2xx/3xx", "4xx/5xx", "network", "timeout"). */
  outcomes: Record<string, number>
  /** True when the prepared requests ran out before the time was up. */
  exhausted: boolean
  /** Fewer replies than connections × 2 in the measured pass: too few for a steady rate (use a longer --duration). */
  fewReplies: boolean
  /** Requests handed to the generator over both passes: at most this many reached the server. */
  sent: number
  /** Bodies of the replies with the `capture` status, both passes. */
  captured: string[]
  cpu: {
    /**
     * Service (watched processes) CPU ms per request of the measured pass, from /proc/<pid>/stat utime + stime:
     * from idle before the pass until idle after it (the requests still in flight at its end finished), ÷ every
     * request the pass sent.
     */
    msPerRequest: number | null
    totalMs: number
    byProcess: number[]
    /** The generator's own CPU ms per request (its processes, reaped at the end of the pass). */
    generatorMsPerRequest: number | null
  }
  /** Each watched process after the pass: resident set and its peak so far (VmHWM), MiB. */
  memory: Array<{ pid: number, rssMiB: number, peakMiB: number }>
}

export interface LoadRunner {
  generator: Generator
  connections: number
  run: (spec: LoadSpec) => Promise<LoadResult>
}

/** `forceCodes` labels every reply of every run (to see which 4xx/5xx a cheap read run counted). */
export function createLoadRunner (o: { generator: Generator, tmp: string, connections: number, forceCodes?: boolean }): LoadRunner {
  let runs = 0
  const g = o.generator

  async function pass (spec: LoadSpec, items: Buffer[], seconds: number, label: string): Promise<PassOutput> {
    const dataPrefix = join(o.tmp, `load-${runs}-${label}`)
    writeSlices(dataPrefix, items, g.slices, !spec.once)
    const input: PassInput = {
      name: `${spec.name} (${label})`, ports: spec.ports, connections: spec.connections ?? o.connections, seconds, dataPrefix,
      once: spec.once === true, codes: spec.codes === true || o.forceCodes === true, capture: spec.capture ?? 0
    }
    try {
      return await g.pass(input)
    } finally {
      for (let s = 0; s < g.slices; s++) rmSync(`${dataPrefix}.${s}`, { force: true })
      if (!await waitForIdle(spec.watch)) process.stdout.write(`  (${spec.name}: the server was still busy 30 s after the ${label} pass)\n`)
    }
  }

  async function run (spec: LoadSpec): Promise<LoadResult> {
    runs++
    let items = spec.requests.map(renderRequest)
    const captured: string[] = []
    let sent = 0
    if (spec.warmupSec > 0 && items.length > 0) {
      const w = await pass(spec, items, spec.warmupSec, 'warm-up')
      captured.push(...w.captured.map(b => b.toString('utf8')))
      sent += w.consumed.reduce((a, b) => a + b, 0)
      if (spec.once) {
        // Drop what the warm-up sent: slice s sent the first consumed[s] of its own items.
        const used = new Set<number>()
        w.consumed.forEach((c, s) => { for (const i of sliceIndexes(items.length, g.slices, s, false).slice(0, c)) used.add(i) })
        items = items.filter((_, i) => !used.has(i))
      }
    }
    const window = cpuWindow(spec.watch)
    const m = items.length > 0 ? await pass(spec, items, spec.durationSec, 'measured') : null
    const cpu = window()
    captured.push(...(m?.captured ?? []).map(b => b.toString('utf8')))
    const handedOut = m ? m.consumed.reduce((a, b) => a + b, 0) : 0
    sent += handedOut
    const requests = m?.requests ?? 0
    const connections = spec.connections ?? o.connections
    const perRequest = (ms: number, n: number): number | null => n > 0 ? round(ms / n, 4) : null
    return {
      name: spec.name,
      connections,
      durationSec: round((m?.elapsedMs ?? 0) / 1000),
      requests,
      rps: m && m.elapsedMs > 0 ? round(requests / (m.elapsedMs / 1000), 0) : 0,
      latency: m?.latency ?? { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 },
      outcomes: m?.outcomes ?? {},
      exhausted: m === null || m.exhausted,
      fewReplies: requests < 2 * connections,
      sent,
      captured,
      cpu: { msPerRequest: perRequest(cpu.totalMs, handedOut), totalMs: round(cpu.totalMs, 0), byProcess: cpu.byProcess.map(x => round(x, 0)), generatorMsPerRequest: perRequest(cpu.generatorMs, requests) },
      memory: spec.watch.map(pid => ({ pid, ...(memoryOf(pid) ?? { rssMiB: 0, peakMiB: 0 }) }))
    }
  }

  return { generator: g, connections: o.connections, run }
}

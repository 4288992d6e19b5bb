// Fixed-concurrency load with autocannon: every request may differ (a generator supplies them), every reply
// can be looked at, and latencies are kept exactly (Recorder) rather than in autocannon's integer histogram.

import autocannon from 'autocannon'
import { Recorder, Tally, outcomeLabel, round, type LatencySummary } from './stats.js'

export interface LoadRequest { method: 'GET' | 'POST' | 'DELETE', path: string, headers?: Record<string, string>, body?: string, tag?: unknown }

export interface LoadSpec {
  name: string
  ports: number[]
  connections: number
  durationSec: number
  warmupSec: number
  /** The next request to send; null when there is nothing left to send (the run then stops early). */
  next: () => LoadRequest | null
  /** Sees every reply of the warm-up and of the measured run (e.g. to collect the ids a later scenario needs). */
  onReply?: (status: number, body: string, request: LoadRequest) => void
  progress?: (line: string) => void
}

export interface LoadResult {
  name: string
  connections: number
  durationSec: number
  requests: number
  rps: number
  latency: LatencySummary
  /** Replies by status and problem code ("200", "409 SEAT_UNAVAILABLE"), plus "network" errors and "timeout"s. */
  outcomes: Record<string, number>
  /** True when the generator ran dry before the time was up. */
  exhausted: boolean
}

interface Pass { count: number, elapsedMs: number, latency: Recorder, outcomes: Tally, exhausted: boolean }

async function pass (spec: LoadSpec, seconds: number, onTick?: (count: number, elapsedMs: number) => void): Promise<Pass> {
  const latency = new Recorder()
  const outcomes = new Tally()
  let exhausted = false
  let lastExcluded = false
  let instance: autocannon.Instance | undefined
  let started = 0
  let count = 0

  const requests: autocannon.Request[] = [{
    setupRequest: (req, context) => {
      const ctx = context as { item?: LoadRequest | null }
      const next = exhausted ? null : spec.next()
      if (!next) {
        // Nothing left: stop, and let the connections still open send a harmless request that is not counted.
        if (!exhausted) { exhausted = true; setImmediate(() => instance?.stop()) }
        ctx.item = null
        return { ...req, method: 'GET', path: '/health', body: undefined }
      }
      ctx.item = next
      const headers: Record<string, string> = { ...(req.headers as Record<string, string> | undefined), ...next.headers }
      if (next.body !== undefined) headers['content-type'] = 'application/json'
      return { ...req, method: next.method, path: next.path, headers, body: next.body }
    },
    onResponse: (status, body, context) => {
      const item = (context as { item?: LoadRequest | null }).item
      lastExcluded = !item
      if (!item) return
      let parsed: unknown
      if (status >= 300) { try { parsed = JSON.parse(body) } catch { parsed = undefined } }
      outcomes.add(outcomeLabel(status, parsed))
      spec.onReply?.(status, body, item)
    }
  }]

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({
      url: spec.ports.map(p => `http://127.0.0.1:${p}`) as unknown as string, // autocannon spreads connections over several urls
      connections: spec.connections,
      pipelining: 1,
      duration: seconds,
      timeout: 10,
      requests
    }, (err, res) => err ? reject(err) : resolve(res))
    started = performance.now()
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      if (lastExcluded) return
      latency.add(ms)
      count++
    })
    if (onTick) instance.on('tick', () => onTick(count, performance.now() - started))
  })
  const elapsedMs = performance.now() - started
  if (result.errors > result.timeouts) outcomes.add('network', result.errors - result.timeouts)
  if (result.timeouts > 0) outcomes.add('timeout', result.timeouts)
  return { count, elapsedMs, latency, outcomes, exhausted }
}

/** A warm-up pass (replies are seen, figures dropped), then the measured pass. */
export async function runLoad (spec: LoadSpec): Promise<LoadResult> {
  if (spec.warmupSec > 0) await pass(spec, spec.warmupSec)
  let lastTick = 0
  const measured = await pass(spec, spec.durationSec, spec.progress && spec.durationSec >= 4
    ? (count, ms) => {
        if (ms - lastTick < 2000) return
        lastTick = ms
        spec.progress?.(`  … ${spec.name}: ${Math.round(count / (ms / 1000)).toLocaleString('en-US')} req/s so far (${(ms / 1000).toFixed(0)} s)`)
      }
    : undefined)
  return {
    name: spec.name,
    connections: spec.connections,
    durationSec: round(measured.elapsedMs / 1000),
    requests: measured.count,
    rps: round(measured.count / (measured.elapsedMs / 1000), 0),
    latency: measured.latency.summary(),
    outcomes: measured.outcomes.counts,
    exhausted: measured.exhausted
  }
}

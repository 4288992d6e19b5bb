// One autocannon process of the fallback generator (bench/load/autocannon.ts): sends its slice file's requests
// to one port, then writes its figures (JSON), its latencies (float64 ms) and the captured bodies next to `out`.
// Usage: node --import tsx bench/load/autocannon-worker.ts '<json of WorkerInput>'

import { writeFileSync } from 'node:fs'
import autocannon from 'autocannon'
import { Recorder, Tally, outcomeLabel } from '../lib/stats.js'
import { parseRequest, readRecords } from './requests.js'

export interface WorkerInput { port: number, connections: number, seconds: number, slice: string, once: boolean, codes: boolean, capture: number, out: string }
export interface WorkerOutput { requests: number, elapsedMs: number, consumed: number, exhausted: boolean, outcomes: Record<string, number> }

async function main (): Promise<void> {
  const o = JSON.parse(process.argv[2]) as WorkerInput
  // autocannon writes Host and Content-Length itself: a second Content-Length would make the request a 400.
  const items = readRecords(o.slice).map(parseRequest).map(({ headers: { host: _h, 'content-length': _l, ...headers }, body, ...rest }) => ({ ...rest, headers, body: body?.toString('utf8') }))
  const latency = new Recorder()
  const outcomes = new Tally()
  const captured: Buffer[] = []
  let next = 0
  let consumed = 0
  let exhausted = false
  let lastCounted = false
  let instance: autocannon.Instance | undefined
  const look = o.codes || o.capture !== 0

  const requests: autocannon.Request[] = [{
    setupRequest: (req, context) => {
      const ctx = context as { counted?: boolean }
      if (next >= items.length) {
        if (o.once || items.length === 0) {
          // Nothing left: stop, and let the connections still open send a harmless request that is not counted.
          if (!exhausted) { exhausted = true; setImmediate(() => instance?.stop()) }
          ctx.counted = false
          return { ...req, method: 'GET', path: '/health', headers: {}, body: undefined }
        }
        next = 0
      }
      const it = items[next++]
      consumed++
      ctx.counted = true
      return { ...req, method: it.method as 'GET', path: it.path, headers: it.headers, body: it.body }
    },
    onResponse: (status, body, context) => {
      lastCounted = (context as { counted?: boolean }).counted === true
      if (!lastCounted || !look) return
      let parsed: unknown
      if (status >= 300) { try { parsed = JSON.parse(body) } catch { parsed = undefined } }
      outcomes.add(outcomeLabel(status, parsed))
      if (status === o.capture) captured.push(Buffer.from(body))
    }
  }]

  let started = 0
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({ url: `http://127.0.0.1:${o.port}`, connections: o.connections, pipelining: 1, duration: o.seconds, timeout: 10, requests }, (err, res) => err ? reject(err) : resolve(res))
    started = performance.now()
    // autocannon calls onResponse just before this event: the filler requests are left out of both.
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => { if (lastCounted) latency.add(ms) })
  })
  const elapsedMs = performance.now() - started
  if (!look) {
    const failed = result.non2xx - (result['3xx'] ?? 0)
    outcomes.add('2xx/3xx', latency.count - failed)
    if (failed > 0) outcomes.add('4xx/5xx', failed)
  }
  if (result.errors > result.timeouts) outcomes.add('network', result.errors - result.timeouts)
  if (result.timeouts > 0) outcomes.add('timeout', result.timeouts)
  const out: WorkerOutput = { requests: latency.count, elapsedMs, consumed, exhausted, outcomes: outcomes.counts }
  writeFileSync(`${o.out}.lat`, Buffer.from(latency.samples().buffer))
  writeFileSync(`${o.out}.captured`, Buffer.concat(captured.flatMap(b => [Buffer.from(`${b.length}\n`), b])))
  writeFileSync(o.out, JSON.stringify(out))
}

main().catch((err: unknown) => {
  process.stderr.write(`autocannon worker failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})

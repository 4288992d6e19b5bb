// The fallback generator when wrk is missing: autocannon in N child processes (one per slice, ports spread
// over them), their figures merged: latencies exactly (every sample), outcomes summed, rate over the longest.

import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Recorder } from '../lib/stats.js'
import { readRecords } from './requests.js'
import type { Generator, PassInput, PassOutput } from './generator.js'
import type { WorkerInput, WorkerOutput } from './autocannon-worker.js'

function runWorker (root: string, input: WorkerInput): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/load/autocannon-worker.ts'), JSON.stringify(input)], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', code => code === 0 ? resolve() : reject(new Error(`autocannon worker ended with code ${code}: ${stderr.trim()}`)))
  })
}

export function createAutocannonGenerator (o: { processes: number, tmp: string, root: string }): Generator {
  let run = 0
  return {
    name: 'autocannon',
    description: `autocannon (node), ${o.processes} child processes of bench/load/autocannon-worker.ts`,
    slices: o.processes,

    async pass (p: PassInput): Promise<PassOutput> {
      const n = ++run
      const inputs: WorkerInput[] = Array.from({ length: o.processes }, (_, s) => ({
        port: p.ports[s % p.ports.length],
        connections: Math.max(1, Math.floor(p.connections / o.processes)),
        seconds: p.seconds,
        slice: `${p.dataPrefix}.${s}`,
        once: p.once,
        codes: p.codes,
        capture: p.capture,
        out: join(o.tmp, `autocannon-${n}-${s}.json`)
      }))
      await Promise.all(inputs.map(i => runWorker(o.root, i)))
      const latency = new Recorder()
      const outcomes: Record<string, number> = {}
      const results = inputs.map((i) => {
        const w = JSON.parse(readFileSync(i.out, 'utf8')) as WorkerOutput
        const lat = readFileSync(`${i.out}.lat`)
        latency.addAll(new Float64Array(lat.buffer.slice(lat.byteOffset, lat.byteOffset + lat.byteLength)))
        for (const [k, v] of Object.entries(w.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v
        return { ...w, captured: readRecords(`${i.out}.captured`) }
      })
      return {
        requests: results.reduce((a, r) => a + r.requests, 0),
        elapsedMs: Math.max(...results.map(r => r.elapsedMs)),
        latency: latency.summary(),
        outcomes,
        consumed: results.map(r => r.consumed),
        exhausted: results.some(r => r.exhausted),
        captured: results.flatMap(r => r.captured)
      }
    }
  }
}

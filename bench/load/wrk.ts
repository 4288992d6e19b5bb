// The wrk generator: one wrk process per pass (C, multi-threaded, epoll) running bench/load/wrk.lua, stopped
// with SIGINT when the time is up (wrk itself only takes whole seconds) or when every thread ran out.

import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readRecords } from './requests.js'
import type { Generator, PassInput, PassOutput } from './generator.js'

interface WrkJson {
  requests: number
  durationUs: number
  errors: { connect: number, read: number, write: number, status: number, timeout: number }
  latencyUs: { mean: number, max: number, p50: number, p90: number, p99: number }
  threads: Array<{ consumed: number, exhausted: boolean, counts: Record<string, number> }>
}

/** Runs wrk until `seconds` have passed or `stopWhen` says so (from its stdout lines); returns its stdout. */
function runWrk (binary: string, args: string[], env: Record<string, string>, seconds: number, stopWhen: (line: string) => boolean = () => false): Promise<{ stdout: string, stderr: string, code: number | null }> {
  // -d is a safety net only: the SIGINT below ends the run (wrk then prints and calls done() as usual).
  const child = spawn(binary, ['-d', `${Math.ceil(seconds) + 5}s`, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let stopped = false
  const stop = (): void => { if (!stopped) { stopped = true; child.kill('SIGINT') } }
  const timer = setTimeout(stop, seconds * 1000)
  let partial = '' // a line not yet ended
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
    const lines = (partial + c.toString()).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) if (stopWhen(line)) stop()
  })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => { clearTimeout(timer); resolve({ stdout, stderr, code }) })
  })
}

export function createWrkGenerator (o: { binary: string, threads: number, tmp: string, root: string }): Generator {
  const script = join(o.root, 'bench/load/wrk.lua')
  const version = /wrk\s+(\S+)/.exec(spawnSync(o.binary, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 'unknown version'
  let run = 0
  return {
    name: 'wrk',
    description: `wrk ${version} (${o.binary}), ${o.threads} threads, Lua script bench/load/wrk.lua`,
    slices: o.threads,

    async pass (p: PassInput): Promise<PassOutput> {
      const out = join(o.tmp, `wrk-${++run}.json`)
      const connections = Math.max(p.connections, o.threads)
      let exhaustedThreads = 0
      const r = await runWrk(o.binary, ['-t', String(o.threads), '-c', String(connections), '--timeout', '10s', '-s', script, `http://127.0.0.1:${p.ports[0]}/`], {
        BENCH_WRK_DATA: p.dataPrefix,
        BENCH_WRK_PORTS: p.ports.join(','),
        BENCH_WRK_ONCE: p.once ? '1' : '0',
        BENCH_WRK_CODES: p.codes ? '1' : '0',
        BENCH_WRK_CAPTURE: String(p.capture),
        BENCH_WRK_OUT: out
      }, p.seconds, line => line.startsWith('bench-wrk: exhausted') && ++exhaustedThreads >= o.threads)
      if (!existsSync(out)) throw new Error(`wrk (${p.name}) ended with code ${r.code} and no results: ${r.stderr.trim() || r.stdout.trim()}`)
      const w = JSON.parse(readFileSync(out, 'utf8')) as WrkJson
      const outcomes: Record<string, number> = {}
      const add = (k: string, n: number): void => { if (n > 0) outcomes[k] = (outcomes[k] ?? 0) + n }
      if (p.codes || p.capture) for (const t of w.threads) for (const [k, v] of Object.entries(t.counts)) add(k, v)
      else { add('2xx/3xx', w.requests - w.errors.status); add('4xx/5xx', w.errors.status) }
      add('network', w.errors.connect + w.errors.read + w.errors.write)
      add('timeout', w.errors.timeout)
      const ms = (us: number): number => Math.round(us / 10) / 100
      return {
        requests: w.requests,
        elapsedMs: w.durationUs / 1000,
        latency: { count: w.requests, mean: ms(w.latencyUs.mean), p50: ms(w.latencyUs.p50), p90: ms(w.latencyUs.p90), p99: ms(w.latencyUs.p99), max: ms(w.latencyUs.max) },
        outcomes,
        consumed: w.threads.map(t => t.consumed),
        exhausted: w.threads.some(t => t.exhausted),
        captured: p.capture ? readRecords(`${out}.captured`) : []
      }
    },

    async reference (port: number, connections: number, seconds: number): Promise<number> {
      const r = await runWrk(o.binary, ['-t', String(o.threads), '-c', String(connections), `http://127.0.0.1:${port}/`], {}, seconds)
      const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout)
      if (!m) throw new Error(`plain wrk printed no Requests/sec (code ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`)
      return Math.round(Number(m[1]))
    }
  }
}

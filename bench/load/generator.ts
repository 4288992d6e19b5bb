// The load generator port: one timed pass of prepared requests at a fixed number of connections, run in
// processes of its own (wrk, else autocannon in child processes), never in the bench's own event loop.

import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { LatencySummary } from '../lib/stats.js'
import { createAutocannonGenerator } from './autocannon.js'
import { createWrkGenerator } from './wrk.js'

export interface PassInput {
  name: string
  ports: number[]
  connections: number
  seconds: number
  /** Slice s of the requests is the file `<dataPrefix>.<s>` (see requests.ts), one slice per thread or process. */
  dataPrefix: string
  /** Send every request at most once (the slice's thread stops when it has sent its last); else cycle. */
  once: boolean
  /** Look at every reply (status and problem code); else only wrk's own count of replies ≥ 400 (cheaper). */
  codes: boolean
  /** Keep the bodies of replies with this status (0: none). */
  capture: number
}

export interface PassOutput {
  requests: number
  elapsedMs: number
  latency: LatencySummary
  /** Replies by label: "201", "409 SEAT_UNAVAILABLE", or without `codes` "2xx/3xx" and "4xx/5xx"; plus "network" and "timeout". */
  outcomes: Record<string, number>
  /** Requests each slice handed out (sent or about to be), in slice order. */
  consumed: number[]
  /** A slice ran out of requests before the time was up (only with `once`). */
  exhausted: boolean
  captured: Buffer[]
}

export interface Generator {
  name: 'wrk' | 'autocannon'
  /** How it runs, for the report ("wrk 4.1.0, 2 threads, Lua script bench/load/wrk.lua"). */
  description: string
  /** Slices of a pass: wrk threads, or autocannon processes. */
  slices: number
  pass: (input: PassInput) => Promise<PassOutput>
  /** Plain `wrk -t<threads> -c<connections>` with no script against one server (wrk only): the yardstick for the bench's own hello. */
  reference?: (port: number, connections: number, seconds: number) => Promise<number>
}

export type GeneratorChoice = 'auto' | 'wrk' | 'autocannon'

/** The first executable `name` on PATH, or null. */
export function onPath (name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    try { accessSync(join(dir, name), constants.X_OK); return join(dir, name) } catch { /* not here */ }
  }
  return null
}

/**
 * wrk when it is installed (BENCH_WRK, or `wrk` on PATH), else autocannon in `threads` child processes; never
 * installs anything. `choice` forces one (and fails with how to get wrk when it is asked for and missing).
 */
export function chooseGenerator (o: { choice: GeneratorChoice, threads: number, tmp: string, root: string }): { generator: Generator, why: string } {
  const wrk = process.env.BENCH_WRK ?? onPath('wrk')
  if (o.choice === 'wrk' && !wrk) throw new Error('--generator wrk: wrk is not installed (Debian/Ubuntu: apt-get install wrk; or set BENCH_WRK to its path)')
  if (wrk && o.choice !== 'autocannon') return { generator: createWrkGenerator({ binary: wrk, threads: o.threads, tmp: o.tmp, root: o.root }), why: o.choice === 'wrk' ? 'asked for' : 'found on PATH' }
  const why = o.choice === 'autocannon' ? 'asked for' : 'wrk is not installed (apt-get install wrk gives the stronger generator)'
  return { generator: createAutocannonGenerator({ processes: o.threads, tmp: o.tmp, root: o.root }), why }
}

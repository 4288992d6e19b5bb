// What /proc says about one process: CPU time used (utime + stime) and memory (VmRSS, VmHWM), for the service's cost per request.

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

let ticksPerSecond: number | null = null

/** The kernel's clock tick (USER_HZ) in which /proc/<pid>/stat counts CPU time; 100 on nearly every Linux. */
export function clockTicks (): number {
  if (ticksPerSecond === null) {
    try { ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100 } catch { ticksPerSecond = 100 }
  }
  return ticksPerSecond
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces): index 0 is field 3, `state`. */
export function statFields (pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch { return null }
}

/** CPU time of a process in ms (user + system, all its threads, dead ones included); null once it is gone. */
export function cpuMsOf (pid: number): number | null {
  const f = statFields(pid)
  return f ? (Number(f[11]) + Number(f[12])) * 1000 / clockTicks() : null
}

/** CPU time in ms of this process's children that have exited and been waited for (the load generators). */
export function reapedChildrenCpuMs (): number {
  const f = statFields('self')
  return f ? (Number(f[13]) + Number(f[14])) * 1000 / clockTicks() : 0
}

/** The resident set now and its peak (VmHWM) in MiB; null when the process is gone. */
export function memoryOf (pid: number): { rssMiB: number, peakMiB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0)
    return { rssMiB: Math.round(kib('VmRSS') / 102.4) / 10, peakMiB: Math.round(kib('VmHWM') / 102.4) / 10 }
  } catch { return null }
}

export interface CpuWindow {
  /** CPU ms each watched process used since the window opened, in the order given. */
  byProcess: number[]
  totalMs: number
  /** CPU ms of the load generator processes that ended inside the window. */
  generatorMs: number
}

/** Opens a window over the CPU time of `pids` (and of the generator children reaped meanwhile); call the result to close it. */
export function cpuWindow (pids: number[]): () => CpuWindow {
  const before = pids.map(cpuMsOf)
  const generatorBefore = reapedChildrenCpuMs()
  return () => {
    const byProcess = pids.map((pid, i) => {
      const a = before[i]
      const b = cpuMsOf(pid)
      return a === null || b === null ? 0 : b - a
    })
    return { byProcess, totalMs: byProcess.reduce((s, x) => s + x, 0), generatorMs: reapedChildrenCpuMs() - generatorBefore }
  }
}

/**
 * Waits until the processes have stopped working off earlier requests (together under `busyShare` of one core
 * over 200 ms), at most `maxMs`; false when they were still busy then. A load run that stops leaves up to one
 * request per connection in the server, which would otherwise be counted against the next run.
 */
export async function waitForIdle (pids: number[], maxMs = 30_000, busyShare = 0.1): Promise<boolean> {
  const deadline = Date.now() + maxMs
  const total = (): number => pids.reduce((a, pid) => a + (cpuMsOf(pid) ?? 0), 0)
  for (;;) {
    const before = total()
    await new Promise(resolve => setTimeout(resolve, 200))
    if (total() - before <= 200 * busyShare) return true
    if (Date.now() > deadline) return false
  }
}

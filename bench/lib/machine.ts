// What the figures were measured on: CPU, memory, versions, and how busy the machine was besides the bench.

import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import os from 'node:os'
import { mysqlVersion, redisVersion } from './backends.js'
import { sleep } from './processes.js'
import { statFields } from './procfs.js'

export interface Machine {
  date: string
  cpus: number
  cpuModel: string
  memoryGiB: number
  os: string
  node: string
  mariadb: string
  redis: string
  /** CPU busy share (all cores) over one second before the run; others' load distorts every figure. */
  busyBeforePercent: number | null
  loadAverage: number[]
}

function cpuTimes (): { idle: number, total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]
    const v = line.trim().split(/\s+/).slice(1).map(Number)
    const idle = v[3] + (v[4] ?? 0)
    return { idle, total: v.reduce((a, b) => a + b, 0) }
  } catch { return null }
}

/** Share of CPU time spent busy across all cores over `ms`. */
export async function busyPercent (ms = 1000): Promise<number | null> {
  const a = cpuTimes()
  await sleep(ms)
  const b = cpuTimes()
  if (!a || !b || b.total === a.total) return null
  return Math.round(100 * (1 - (b.idle - a.idle) / (b.total - a.total)))
}

export async function describeMachine (mysqlServerUrl: string, redisUrl: string): Promise<Machine> {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown'
  try {
    const m = /Model name:\s*(.+)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))
    if (m) cpuModel = m[1].trim()
  } catch { /* lscpu missing: keep os.cpus() */ }
  return {
    date: new Date().toISOString(),
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    mariadb: await mysqlVersion(mysqlServerUrl),
    redis: await redisVersion(redisUrl),
    busyBeforePercent: await busyPercent(),
    loadAverage: os.loadavg().map(x => Math.round(x * 100) / 100)
  }
}

interface CpuSnapshot { total: number, busy: number, own: number, stores: number }

/** utime + stime in clock ticks (and, for this process, its reaped children's: the service and generators). */
function jiffiesOf (pid: string | number): number {
  const f = statFields(pid)
  return f ? Number(f[11]) + Number(f[12]) + (pid === 'self' ? Number(f[13]) + Number(f[14]) : 0) : 0
}

function storePids (): string[] {
  try {
    return readdirSync('/proc').filter(p => /^\d+$/.test(p)).filter((p) => {
      try { return /^(mysqld|mariadbd|redis-server)$/.test(readFileSync(`/proc/${p}/comm`, 'utf8').trim()) } catch { return false }
    })
  } catch { return [] }
}

function snapshot (): CpuSnapshot | null {
  const t = cpuTimes()
  if (!t) return null
  return { total: t.total, busy: t.total - t.idle, own: jiffiesOf('self'), stores: storePids().reduce((a, p) => a + jiffiesOf(p), 0) }
}

/**
 * Starts accounting the machine's CPU time; the returned function tells, for the time since, how much went to
 * the bench and the service (this process and its children), to MariaDB and Redis, and to anything else.
 */
export function accountCpu (): () => { ownPercent: number, storesPercent: number, othersPercent: number } | null {
  const a = snapshot()
  return () => {
    const b = snapshot()
    if (!a || !b || b.total === a.total) return null
    const share = (x: number): number => Math.max(0, Math.round(1000 * x / (b.total - a.total)) / 10)
    const own = b.own - a.own
    const stores = b.stores - a.stores
    return { ownPercent: share(own), storesPercent: share(stores), othersPercent: share((b.busy - a.busy) - own - stores) }
  }
}

// The service under test: one or two instances of the real entry point as child processes, per mode and phase.

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, startNode, type Proc } from './processes.js'

export type ModeName = 'embedded' | 'mysql-redis-1' | 'mysql-redis-2'

export interface Mode { name: ModeName, label: string, database: 'sqlite' | 'mysql', redis: boolean, instances: number }

export const MODES: Mode[] = [
  { name: 'embedded', label: 'embedded (SQLite, in-process queue), 1 instance', database: 'sqlite', redis: false, instances: 1 },
  { name: 'mysql-redis-1', label: 'MySQL + Redis, 1 instance', database: 'mysql', redis: true, instances: 1 },
  { name: 'mysql-redis-2', label: 'MySQL + Redis, 2 instances', database: 'mysql', redis: true, instances: 2 }
]

/**
 * How to start the service: BENCH_SERVICE_ENTRY (a .js file, or a .ts/.mts file run through tsx) if set,
 * else the compiled dist/src/main.js, else src/main.ts through tsx.
 */
export function serviceEntry (root: string, fromSource = false): { args: string[], description: string } {
  const override = process.env.BENCH_SERVICE_ENTRY
  if (override) {
    return /\.m?ts$/.test(override)
      ? { args: ['--import', 'tsx', override], description: `${override} (tsx, BENCH_SERVICE_ENTRY)` }
      : { args: [override], description: `${override} (BENCH_SERVICE_ENTRY)` }
  }
  const dist = join(root, 'dist/src/main.js')
  if (existsSync(dist) && !fromSource) return { args: [dist], description: 'node dist/src/main.js (compiled)' }
  return { args: ['--import', 'tsx', join(root, 'src/main.ts')], description: 'node --import tsx src/main.ts' }
}

/**
 * Compiles `<root>/src` with that tree's own TypeScript (`tsc -p tsconfig.build.json`) when `dist/src/main.js` is
 * missing or older than any source file (the service runs compiled); false when that fails, and the service then
 * runs from source through tsx.
 */
export function buildIfStale (root: string, log: (line: string) => void): boolean {
  const dist = join(root, 'dist/src/main.js')
  const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = join(dir, e.name)
    return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }, 0)
  if (existsSync(dist) && statSync(dist).mtimeMs >= newest(join(root, 'src'))) return true
  log(`compiling the service in ${root} (tsc -p tsconfig.build.json) …`)
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' })
    return true
  } catch {
    log(`WARNING: compiling ${root} failed; running its service from source through tsx instead`)
    return false
  }
}

export interface SiteOptions {
  root: string
  tmp: string
  mode: Mode
  phase: string
  databaseUrl: string
  redisUrl?: string
  secret: string
  /** Settings of this phase (QUEUE_MAX_ACTIVE, ...). */
  env: Record<string, string>
  /** Load the demo concert (first instance only, so two instances do not both seed it). */
  seed: boolean
  entry: string[]
  /** When set, each instance runs with --cpu-prof and writes its profile here on exit. */
  profileDir?: string
}

export interface Site { ports: number[], procs: Proc[], stop: () => Promise<void> }

export async function startSite (o: SiteOptions): Promise<Site> {
  const procs: Proc[] = []
  const stop = async (): Promise<void> => { for (const p of procs) await p.stop() }
  try {
    for (let i = 0; i < o.mode.instances; i++) {
      const port = await freePort()
      const logFile = join(o.tmp, `service-${o.mode.name}-${o.phase}-${i + 1}.log`)
      writeFileSync(logFile, '')
      const prof: string[] = []
      if (o.profileDir) {
        const dir = join(o.profileDir, `${o.mode.name}-${o.phase}-${i + 1}`)
        mkdirSync(dir, { recursive: true })
        prof.push('--cpu-prof', `--cpu-prof-dir=${dir}`)
      }
      procs.push(await startNode({
        name: `service ${o.mode.name} #${i + 1}`,
        nodeArgs: [...prof, ...o.entry],
        env: {
          DATABASE_URL: o.databaseUrl,
          ...(o.redisUrl ? { REDIS_URL: o.redisUrl } : {}),
          JWT_SECRET: o.secret,
          AUTH_DEV_LOGIN: 'true',
          LOG_LEVEL: 'warn',
          SEED_DEMO: o.seed && i === 0 ? 'true' : 'false',
          ...o.env
        },
        port,
        logFile,
        cwd: o.root,
        healthPath: '/ready',
        timeoutMs: 60_000
      }))
    }
  } catch (err) {
    await stop()
    throw err
  }
  return { ports: procs.map(p => p.port), procs, stop }
}

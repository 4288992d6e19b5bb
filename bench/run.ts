// `npm run bench` (quick, about two minutes) and `npm run bench:full`: the machine's ceilings, then each mode
// (bench/mode.ts), then the verdicts and the summary (bench/report.ts). See docs/BENCHMARKS.md.

import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BASELINE_LABELS, measureCeilings, type BaselineKind, type Ceiling, type GeneratorCheck } from './baselines/ceilings.js'
import { dropAllMysqlDbs } from './lib/backends.js'
import { accountCpu, busyPercent, describeMachine } from './lib/machine.js'
import { killAll } from './lib/processes.js'
import { buildIfStale, serviceEntry } from './lib/service.js'
import { chooseGenerator } from './load/generator.js'
import { createLoadRunner } from './load/run-load.js'
import { runMode, type ModeReport } from './mode.js'
import { HELP, parseOptions, type Profile } from './options.js'
import { evaluate, summarize, writeResults } from './report.js'
import { PLANNED } from './scenarios/endpoints.js'
import type { Mode } from './lib/service.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

const started = performance.now()
const stamp = (): string => `[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s]`
const log = (line: string): void => { process.stdout.write(`${stamp()} ${line}\n`) }

/** Which ceilings the chosen modes are compared with, each with as many server processes as a mode has instances. */
function ceilingRuns (modes: Mode[], profile: Profile): Array<{ kind: BaselineKind, instances: number }> {
  const counts = [...new Set([1, ...modes.map(m => m.instances)])].filter(n => n === 1 || profile.ceilingsForTwo).sort()
  const runs: Array<{ kind: BaselineKind, instances: number }> = []
  for (const instances of counts) {
    runs.push({ kind: 'hello', instances })
    if (modes.some(m => m.redis)) runs.push({ kind: 'redis-get', instances }, { kind: 'mysql-select', instances }, { kind: 'mysql-update', instances })
  }
  if (modes.some(m => !m.redis)) runs.push({ kind: 'sqlite-select', instances: 1 }, { kind: 'sqlite-update', instances: 1 })
  return runs
}

async function main (): Promise<void> {
  const opts = parseOptions()
  if (opts === 'help') { process.stdout.write(`${HELP}\n`); return }
  const { profile, modes } = opts
  const mysqlUrl = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14'
  const tmp = mkdtempSync(join(os.tmpdir(), 'concert-bench-'))
  const cleanup = (): void => { killAll(); if (!opts.keep) rmSync(tmp, { recursive: true, force: true }) }
  // Never leave a service, baseline server or generator behind, however the bench ends.
  process.on('exit', killAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanup()
      const keep = opts.keep ? Promise.resolve() : dropAllMysqlDbs()
      void Promise.race([keep, new Promise(resolve => setTimeout(resolve, 3000))]).finally(() => process.exit(130))
    })
  }

  log(`benchmark (${profile.name}${opts.customized ? ', changed by options' : ''}): modes ${modes.map(m => m.name).join(', ')}; temporary files in ${tmp}`)
  const cpuAll = accountCpu()
  const machine = await describeMachine(mysqlUrl, redisUrl)
  log(`${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; CPU busy before start ${machine.busyBeforePercent ?? '?'}%`)
  // BENCH_SERVICE_ENTRY runs a file of its own: nothing to compile.
  const entry = serviceEntry(ROOT, !(process.env.BENCH_SERVICE_ENTRY ? true : buildIfStale(ROOT, log)))
  log(`service: ${entry.description}`)
  const { generator, why } = chooseGenerator({ choice: opts.generator, threads: profile.threads, tmp, root: ROOT })
  log(`load generator: ${generator.description} (${why})`)
  const load = createLoadRunner({ generator, tmp, connections: profile.connections, forceCodes: opts.codes })

  const runs = ceilingRuns(modes, profile)
  log(`ceilings: ${runs.map(r => `${r.kind}×${r.instances}`).join(', ')}`)
  let ceilings: Ceiling[] = []
  let check: GeneratorCheck | null = null
  let ceilingsCpu: ModeReport['cpu'] = null
  const reports: ModeReport[] = []
  try {
    const cpuCeilings = accountCpu()
    const measured = await measureCeilings({ root: ROOT, tmp, mysqlServerUrl: mysqlUrl, redisUrl, runs, load, reference: generator.reference, durationSec: profile.ceilingSec, warmupSec: profile.ceilingWarmupSec, log })
    ceilings = measured.ceilings
    check = measured.check
    ceilingsCpu = cpuCeilings()
    for (const mode of modes) reports.push(await runMode(mode, profile, ceilings, { root: ROOT, tmp, mysqlUrl, redisUrl, entry: entry.args, cpuProfile: opts.cpuProfile, keep: opts.keep, parts: opts.parts, load, log }))
  } finally {
    cleanup()
  }

  const summary = { machine, profile, service: entry.description, generator: { name: generator.name, description: generator.description, why, check }, ceilings, ceilingsCpu, modes: reports }
  const targets = evaluate(summary)
  const markdown = summarize(summary, targets)
  process.stdout.write(`\n${markdown}`)
  const busyAfter = await busyPercent()
  const broken = reports.flatMap(m => m.invariants.filter(c => !c.ok).map(c => `${m.mode.name}: ${c.name}`))
  const failed = reports.filter(m => m.error !== null || m.invariants.length === 0).map(m => m.mode.name)
  const missed = targets.filter(t => !t.met)
  const json = {
    version: 2,
    profile: profile.name,
    customized: opts.customized,
    settings: profile,
    machine: { ...machine, busyAfterPercent: busyAfter, cpuDuringRun: cpuAll() },
    service: entry.description,
    generator: summary.generator,
    ceilings: ceilings.map(c => ({ ...c, label: BASELINE_LABELS[c.kind] })),
    ceilingsCpu,
    modes: reports,
    planned: PLANNED,
    targets,
    ok: broken.length === 0 && failed.length === 0,
    seconds: Math.round((performance.now() - started) / 1000)
  }
  const files = writeResults(ROOT, profile.name, !opts.customized, json, markdown, opts.out)
  log(`wrote ${files.join(', ')} (${json.seconds} s in all)`)

  if (broken.length > 0) process.stderr.write(`\nINVARIANTS BROKEN:\n${broken.map(b => `  - ${b}`).join('\n')}\n`)
  if (failed.length > 0) process.stderr.write(`\nMODES THAT DID NOT COMPLETE: ${failed.join(', ')}\n`)
  if (opts.strict && missed.length > 0) process.stderr.write(`\nTARGETS MISSED (--strict): ${missed.length}\n`)
  process.exitCode = broken.length > 0 || failed.length > 0 || (opts.strict && missed.length > 0) ? 1 : 0
}

main().catch((err: unknown) => {
  killAll()
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})

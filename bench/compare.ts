// `npm run bench:compare -- --before <dir>`: issue 12's table measured on two source trees in one run with the
// same generator, ceilings, fixtures and settings (bench/compare/); writes bench/results/compare.{json,md}.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { BASELINE_LABELS, measureCeilings, type BaselineKind } from './baselines/ceilings.js'
import { dropAllMysqlDbs } from './lib/backends.js'
import { accountCpu, busyPercent, describeMachine } from './lib/machine.js'
import { killAll } from './lib/processes.js'
import { MODES } from './lib/service.js'
import { chooseGenerator, type GeneratorChoice } from './load/generator.js'
import { createLoadRunner } from './load/run-load.js'
import { compareMarkdown, modeKey, type CompareSummary } from './compare/report.js'
import { prepareTree, runTree, serviceEnv, type EntryChoice, type TreeRun } from './compare/run-tree.js'
import { holdLayout } from './compare/scenarios.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const COMPARE_MODES = ['embedded', 'mysql-redis']

const HELP = `Usage: npm run bench:compare -- --before <dir> [options]

  --before DIR       the tree to compare with (e.g. a worktree of 84787b5 with node_modules: see docs/BENCHMARKS.md)
  --after DIR        the tree compared (default: this one, ${ROOT})
  --duration S       seconds per endpoint and per ceiling (default 8)
  --warmup S         warm-up seconds before each (default: a quarter of --duration, at most 2)
  --modes a,b        ${COMPARE_MODES.join(', ')} (default: both)
  --connections N    connections of every load run (64)
  --threads N        generator threads (wrk -t) or autocannon processes (2)
  --generator G      auto (wrk when installed, else autocannon), wrk, or autocannon
  --entry E          auto: each tree compiled (dist/, built with its own tsc when stale), else from source;
                     source: src/main.ts through each tree's own tsx (no build)   (default auto)
  --out DIR          where compare.{json,md} go (default bench/results)
  --profile          run each service with --cpu-prof and print where its CPU time went
  --keep             keep the temporary directory and the MySQL databases
Env: BENCH_MYSQL_URL (mysql://root@127.0.0.1:3306), BENCH_REDIS_URL (redis://127.0.0.1:6379/14, flushed!), BENCH_WRK`

interface Options {
  before: string
  after: string
  durationSec: number
  warmupSec: number
  modes: string[]
  connections: number
  threads: number
  generator: GeneratorChoice
  entry: EntryChoice
  out: string
  cpuProfile: boolean
  keep: boolean
}

function parseOptions (argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      before: { type: 'string' },
      after: { type: 'string' },
      duration: { type: 'string', default: '8' },
      warmup: { type: 'string' },
      modes: { type: 'string', default: COMPARE_MODES.join(',') },
      connections: { type: 'string', default: '64' },
      threads: { type: 'string', default: '2' },
      generator: { type: 'string', default: 'auto' },
      entry: { type: 'string', default: 'auto' },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) return 'help'
  if (!values.before) throw new Error('--before <dir> is required (the tree to compare with)')
  const positive = (v: string, name: string): number => {
    const x = Number(v)
    if (!Number.isFinite(x) || x <= 0) throw new Error(`--${name} must be a positive number, got "${v}"`)
    return x
  }
  const durationSec = positive(values.duration, 'duration')
  const modes = values.modes.split(',').map(m => m.trim())
  for (const m of modes) if (!COMPARE_MODES.includes(m)) throw new Error(`unknown mode "${m}" (known: ${COMPARE_MODES.join(', ')})`)
  if (!['auto', 'wrk', 'autocannon'].includes(values.generator)) throw new Error('--generator must be auto, wrk or autocannon')
  if (!['auto', 'source'].includes(values.entry)) throw new Error('--entry must be auto or source')
  return {
    before: resolve(values.before),
    after: resolve(values.after ?? ROOT),
    durationSec,
    warmupSec: values.warmup === undefined ? Math.min(2, durationSec / 4) : positive(values.warmup, 'warmup'),
    modes,
    connections: Math.round(positive(values.connections, 'connections')),
    threads: Math.round(positive(values.threads, 'threads')),
    generator: values.generator as GeneratorChoice,
    entry: values.entry as EntryChoice,
    out: resolve(values.out ?? join(ROOT, 'bench/results')),
    cpuProfile: values.profile,
    keep: values.keep
  }
}

const started = performance.now()
const log = (line: string): void => { process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`) }

async function main (): Promise<void> {
  const o = parseOptions(process.argv.slice(2))
  if (o === 'help') { process.stdout.write(`${HELP}\n`); return }
  const mysqlUrl = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14'
  const tmp = mkdtempSync(join(os.tmpdir(), 'concert-compare-'))
  const cleanup = (): void => { killAll(); if (!o.keep) rmSync(tmp, { recursive: true, force: true }) }
  process.on('exit', killAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanup()
      void Promise.race([o.keep ? Promise.resolve() : dropAllMysqlDbs(), new Promise(resolve => setTimeout(resolve, 3000))]).finally(() => process.exit(130))
    })
  }

  log(`before/after comparison: modes ${o.modes.join(', ')}; ${o.durationSec} s per run after ${o.warmupSec} s warm-up; temporary files in ${tmp}`)
  const trees = { before: prepareTree('before', o.before, o.entry, log), after: prepareTree('after', o.after, o.entry, log) }
  for (const t of Object.values(trees)) log(`${t.role}: ${t.dir} at ${t.commit?.slice(0, 12) ?? '(no git)'}${t.dirty ? ' + uncommitted changes' : ''} — ${t.entryDescription}`)
  if (trees.before.entryDescription !== trees.after.entryDescription) log('WARNING: the two trees run differently (one compiled, one through tsx): start-up differs, steady-state figures barely')
  const machine = await describeMachine(mysqlUrl, redisUrl)
  log(`${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}; CPU busy before start ${machine.busyBeforePercent ?? '?'}%`)
  const { generator, why } = chooseGenerator({ choice: o.generator, threads: o.threads, tmp, root: ROOT })
  log(`load generator: ${generator.description} (${why})`)
  const load = createLoadRunner({ generator, tmp, connections: o.connections })

  const runs: TreeRun[] = []
  const cpuAll = accountCpu()
  let summary: CompareSummary
  try {
    const kinds: BaselineKind[] = ['hello', ...(o.modes.includes('embedded') ? ['sqlite-update' as const] : []), ...(o.modes.includes('mysql-redis') ? ['mysql-update' as const] : [])]
    log(`ceilings: ${kinds.map(k => BASELINE_LABELS[k]).join(', ')}`)
    const { ceilings, check } = await measureCeilings({
      root: ROOT, tmp, mysqlServerUrl: mysqlUrl, redisUrl, runs: kinds.map(kind => ({ kind, instances: 1 })), load,
      reference: generator.reference, durationSec: o.durationSec, warmupSec: o.warmupSec, log
    })
    const hello = ceilings.find(c => c.kind === 'hello')?.rps ?? 10_000
    const budget = (share: number): number => Math.max(1000, Math.ceil(hello * share * (o.durationSec + o.warmupSec)))
    // Holds for 15 % of hello's rate: runs that are faster run out early (flagged; the rate is of the time they ran).
    const layout = holdLayout(Math.max(2000, budget(0.15)))
    log(`holds prepared: ${layout.holds.toLocaleString('en-US')} on ${layout.shows} show(s) by ${layout.holders} users (QUEUE_MAX_ACTIVE)`)
    for (const mode of o.modes) {
      const m = MODES.find(x => x.name === modeKey(mode))
      if (!m) throw new Error(`no bench mode ${mode}`)
      for (const tree of [trees.before, trees.after]) {
        runs.push(await runTree({ tree, mode: m, load, tmp, mysqlUrl, redisUrl, durationSec: o.durationSec, warmupSec: o.warmupSec, budget, layout, cpuProfile: o.cpuProfile, keep: o.keep, log }))
      }
    }
    summary = {
      machine,
      settings: { durationSec: o.durationSec, warmupSec: o.warmupSec, connections: o.connections, threads: o.threads, modes: o.modes, env: serviceEnv(layout.holders), layout },
      generator: { name: generator.name, description: generator.description, why, check },
      trees,
      ceilings: ceilings.map(c => ({ ...c, captured: [] })),
      runs
    }
  } finally {
    cleanup()
  }

  const markdown = compareMarkdown(summary)
  process.stdout.write(`\n${markdown}`)
  const incomplete = runs.flatMap(r => [...(r.error ? [`${r.tree} ${r.mode}: ${r.error.split('\n')[0]}`] : []), ...r.failures.map(f => `${r.tree} ${r.mode}: ${f}`)])
  const json = {
    version: 1,
    ...summary,
    ceilings: summary.ceilings.map(c => ({ ...c, label: BASELINE_LABELS[c.kind] })),
    machine: { ...machine, busyAfterPercent: await busyPercent(), cpuDuringRun: cpuAll() },
    ok: incomplete.length === 0,
    seconds: Math.round((performance.now() - started) / 1000)
  }
  mkdirSync(o.out, { recursive: true })
  writeFileSync(join(o.out, 'compare.json'), `${JSON.stringify(json, null, 2)}\n`)
  writeFileSync(join(o.out, 'compare.md'), markdown)
  log(`wrote ${join(o.out, 'compare.json')} and compare.md (${json.seconds} s in all)`)
  if (incomplete.length > 0) process.stderr.write(`\nRUNS THAT DID NOT COMPLETE:\n${incomplete.map(x => `  - ${x}`).join('\n')}\n`)
  process.exitCode = incomplete.length > 0 ? 1 : 0
}

main().catch((err: unknown) => {
  killAll()
  process.stderr.write(`bench:compare failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})

// The before/after comparison tool (bench/compare.ts) run very briefly on this tree as both trees: its report has every row, each answered.

import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isSuccess } from '../../bench/scenarios/scenario.js'
import { COMPARE_SCENARIOS } from '../../bench/compare/scenarios.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')

interface Row { endpoint: string, requests: number, outcomes: Record<string, number>, cpu: { msPerRequest: number | null } }
interface Report {
  ok: boolean
  trees: Record<'before' | 'after', { dir: string, commit: string | null }>
  ceilings: Array<{ kind: string, rps: number }>
  runs: Array<{ tree: 'before' | 'after', mode: string, rows: Row[], error: string | null, failures: string[] }>
}

describe('bench:compare', () => {
  let out: string
  let report: Report
  let markdown: string
  let stdout: string

  beforeAll(async () => {
    out = mkdtempSync(join(os.tmpdir(), 'bench-compare-test-'))
    const run = await promisify(execFile)(process.execPath, [
      '--import', 'tsx', join(ROOT, 'bench/compare.ts'), '--before', ROOT, '--after', ROOT, '--duration', '1', '--modes', 'embedded', '--entry', 'source', '--out', out
    ], { cwd: ROOT, env: { ...process.env, BENCH_REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/14' }, maxBuffer: 64 * 1024 * 1024, timeout: 280_000 })
    stdout = run.stdout
    report = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as Report
    markdown = readFileSync(join(out, 'compare.md'), 'utf8')
  }, 300_000)

  afterAll(() => { if (out) rmSync(out, { recursive: true, force: true }) })

  it('measures both trees in the mode asked for, with the hello and UPDATE ceilings of the same run', () => {
    expect(report.ok).toBe(true)
    expect(report.trees.before.dir).toBe(report.trees.after.dir)
    expect(report.runs.map(r => `${r.tree} ${r.mode}`)).toEqual(['before embedded', 'after embedded'])
    expect(report.runs.every(r => r.error === null && r.failures.length === 0)).toBe(true)
    expect(report.ceilings.map(c => c.kind)).toEqual(['hello', 'sqlite-update'])
    expect(report.ceilings.every(c => c.rps > 0)).toBe(true)
  })

  it('has every endpoint row for each tree (the section map for "after" only), each with successful replies and none refused', () => {
    for (const run of report.runs) {
      const expected = COMPARE_SCENARIOS.filter(s => s.afterOnly !== true || run.tree === 'after').map(s => s.name)
      expect(run.rows.map(r => r.endpoint)).toEqual(expected)
      for (const row of run.rows) {
        const ok = Object.entries(row.outcomes).filter(([k]) => isSuccess(k)).reduce((a, [, v]) => a + v, 0)
        const refused = Object.entries(row.outcomes).filter(([k]) => /^[45]/.test(k)).reduce((a, [, v]) => a + v, 0)
        expect({ run: run.tree, row: row.endpoint, ok: ok > 0, refused, cpu: (row.cpu.msPerRequest ?? 0) > 0 }).toEqual({ run: run.tree, row: row.endpoint, ok: true, refused: 0, cpu: true })
        expect(row.requests).toBeGreaterThan(0)
      }
    }
  })

  it('prints and writes the side-by-side table with the ratio after ÷ before', () => {
    for (const s of COMPARE_SCENARIOS) expect(markdown).toMatch(new RegExp(`^\\| ${s.name}${s.afterOnly ? ' \\(after only\\)' : ''} +\\|`, 'm'))
    expect(markdown).toMatch(/^\| seat map 12k +\| +[\d,]+ +\| +[\d,]+ +\| +×\d+\.\d\d +\|/m)
    expect(stdout).toContain('# Before/after (issue 12)')
  })
})

// The machine's ceilings: each tiny baseline server (bench/baselines/server.ts) under the same load as the endpoints.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { createConnection } from 'mysql2/promise'
import { Redis } from 'ioredis'
import { createMysqlDb, type MysqlDb } from '../lib/backends.js'
import type { LoadResult, LoadRunner } from '../load/run-load.js'
import { freePort, startNode, type Proc } from '../lib/processes.js'
import { round } from '../lib/stats.js'

export type BaselineKind = 'hello' | 'redis-get' | 'mysql-select' | 'mysql-update' | 'sqlite-select' | 'sqlite-update'

export const BASELINE_LABELS: Record<BaselineKind, string> = {
  hello: 'Fastify hello (no I/O)',
  'redis-get': 'one Redis GET',
  'mysql-select': 'one MySQL primary-key SELECT',
  'mysql-update': 'one MySQL single-row conditional UPDATE (autocommit)',
  'sqlite-select': 'one SQLite primary-key SELECT',
  'sqlite-update': 'one SQLite single-row conditional UPDATE'
}

export interface Ceiling extends LoadResult { kind: BaselineKind, instances: number }

/** The bench's own hello ceiling against plain `wrk -t<threads> -c<connections>` on the same server, same run. */
export interface GeneratorCheck { benchRps: number, plainWrkRps: number, ratio: number, seconds: number }

export interface CeilingOptions {
  root: string
  tmp: string
  mysqlServerUrl: string
  redisUrl: string
  /** Which ceilings to measure, each with how many server processes. */
  runs: Array<{ kind: BaselineKind, instances: number }>
  load: LoadRunner
  /** Plain wrk against one server (when wrk is the generator): measured right after hello ×1. */
  reference?: (port: number, connections: number, seconds: number) => Promise<number>
  durationSec: number
  warmupSec: number
  log: (line: string) => void
}

const ROWS = 10_000

async function prepareMysql (serverUrl: string): Promise<MysqlDb> {
  const db = await createMysqlDb(serverUrl, 'baseline')
  const conn = await createConnection({ uri: db.url })
  try {
    await conn.query('CREATE TABLE bench_kv (id INT PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB')
    const values = Array.from({ length: ROWS }, (_, i) => `(${i + 1},0)`)
    for (let i = 0; i < values.length; i += 2000) await conn.query(`INSERT INTO bench_kv (id, v) VALUES ${values.slice(i, i + 2000).join(',')}`)
  } finally {
    await conn.end()
  }
  return db
}

function prepareSqlite (file: string): void {
  const db = new SqliteDatabase(file)
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE bench_kv (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)')
  const insert = db.prepare('INSERT INTO bench_kv (id, v) VALUES (?, 0)')
  db.transaction(() => { for (let i = 1; i <= ROWS; i++) insert.run(i) })()
  db.close()
}

async function prepareRedis (url: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 })
  try { await redis.set('bench:baseline', 'x'.repeat(64)) } finally { redis.disconnect() }
}

export async function measureCeilings (o: CeilingOptions): Promise<{ ceilings: Ceiling[], check: GeneratorCheck | null }> {
  const needs = (prefix: string): boolean => o.runs.some(r => r.kind.startsWith(prefix))
  const mysql = needs('mysql') ? await prepareMysql(o.mysqlServerUrl) : null
  const sqliteFile = join(o.tmp, 'baseline.db')
  if (needs('sqlite')) prepareSqlite(sqliteFile)
  if (needs('redis')) await prepareRedis(o.redisUrl)
  const results: Ceiling[] = []
  let check: GeneratorCheck | null = null
  // Start every server first, all at once (start-up is most of a short run's cost), then load them one by one.
  const procs = new Map<string, Proc[]>()
  const key = (r: { kind: BaselineKind, instances: number }): string => `${r.kind}×${r.instances}`
  try {
    await Promise.all(o.runs.map(async (run) => {
      const list: Proc[] = []
      procs.set(key(run), list)
      for (let i = 0; i < run.instances; i++) {
        const port = await freePort()
        const logFile = join(o.tmp, `baseline-${run.kind}-${run.instances}-${i}.log`)
        writeFileSync(logFile, '')
        list.push(await startNode({
          name: `baseline ${run.kind} #${i + 1}`,
          nodeArgs: ['--import', 'tsx', join(o.root, 'bench/baselines/server.ts'), run.kind],
          env: { MYSQL_URL: mysql?.url ?? '', REDIS_URL: o.redisUrl, SQLITE_FILE: sqliteFile, ROWS: String(ROWS) },
          port,
          logFile,
          cwd: o.root
        }))
      }
    }))
    for (const run of o.runs) {
      const list = procs.get(key(run)) ?? []
      const r = await o.load.run({
        name: key(run),
        ports: list.map(p => p.port),
        durationSec: o.durationSec,
        warmupSec: o.warmupSec,
        requests: [{ method: 'GET', path: '/' }],
        watch: list.map(p => p.pid)
      })
      results.push({ ...r, kind: run.kind, instances: run.instances })
      o.log(`  ceiling ${run.kind.padEnd(13)} ×${run.instances}: ${r.rps.toLocaleString('en-US').padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  ${r.cpu.msPerRequest ?? '–'} CPU ms/req`)
      if (run.kind === 'hello' && run.instances === 1 && o.reference) {
        const plain = await o.reference(list[0].port, o.load.connections, o.durationSec)
        check = { benchRps: r.rps, plainWrkRps: plain, ratio: round(r.rps / plain), seconds: o.durationSec }
        o.log(`  plain wrk on the same hello server: ${plain.toLocaleString('en-US')} req/s; the bench's generator reached ${Math.round(100 * check.ratio)}% of it`)
      }
      for (const p of list) await p.stop() // an idle server costs nothing, but stop each once measured anyway
    }
  } finally {
    for (const list of procs.values()) for (const p of list) await p.stop()
    await mysql?.drop()
  }
  return { ceilings: results, check }
}

// A tiny Fastify server per machine ceiling: `hello` (no I/O), one Redis GET, one MySQL or SQLite primary-key
// SELECT, or one single-row conditional UPDATE per request. Started by bench/run.ts as a child process.
// Usage: node --import tsx bench/baselines/server.ts <kind>   (env: PORT, MYSQL_URL, REDIS_URL, SQLITE_FILE, ROWS)

import Fastify from 'fastify'
import SqliteDatabase from 'better-sqlite3'
import { createPool } from 'mysql2'
import { Redis } from 'ioredis'

async function main (): Promise<void> {
  const kind = process.argv[2]
  const rows = Number(process.env.ROWS ?? 10_000)
  const randomId = (): number => 1 + Math.floor(Math.random() * rows)
  const app = Fastify({ logger: false })
  app.get('/health', async () => ({ status: 'ok' }))

  switch (kind) {
    case 'hello':
      app.get('/', async () => ({ hello: 'world' }))
      break
    case 'redis-get': {
      // One connection, as the service has one command connection per instance.
      const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/14', { enableOfflineQueue: true })
      app.get('/', async () => ({ value: await redis.get('bench:baseline') }))
      break
    }
    case 'mysql-select':
    case 'mysql-update': {
      // The service's pool size and driver (mysql2), without Kysely.
      const pool = createPool({ uri: process.env.MYSQL_URL, connectionLimit: 20, supportBigNumbers: true, decimalNumbers: true }).promise()
      if (kind === 'mysql-select') {
        app.get('/', async () => {
          const [r] = await pool.query('SELECT id, v FROM bench_kv WHERE id = ?', [randomId()])
          return { row: (r as unknown[])[0] }
        })
      } else {
        // The shape of a hold: a conditional UPDATE of one row, checked by its affected-row count (autocommit).
        app.get('/', async () => {
          const [r] = await pool.query('UPDATE bench_kv SET v = v + 1 WHERE id = ? AND v >= 0', [randomId()])
          return { changed: (r as { affectedRows: number }).affectedRows }
        })
      }
      break
    }
    case 'sqlite-select':
    case 'sqlite-update': {
      // The service's pragmas (WAL, synchronous=NORMAL) on one connection.
      const db = new SqliteDatabase(process.env.SQLITE_FILE ?? '')
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma('busy_timeout = 5000')
      const select = db.prepare('SELECT id, v FROM bench_kv WHERE id = ?')
      const update = db.prepare('UPDATE bench_kv SET v = v + 1 WHERE id = ? AND v >= 0')
      if (kind === 'sqlite-select') app.get('/', async () => ({ row: select.get(randomId()) }))
      else app.get('/', async () => ({ changed: update.run(randomId()).changes }))
      break
    }
    default:
      throw new Error(`unknown baseline kind "${String(kind)}"`)
  }

  process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline server failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})

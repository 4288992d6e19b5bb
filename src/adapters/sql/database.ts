// Opens the SQL database named by DATABASE_URL (SQLite file/memory or MySQL/MariaDB), migrates it, and offers transactions.

import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { createPool } from 'mysql2'
import { Kysely, Migrator, MysqlDialect, SqliteDialect, sql, type Transaction } from 'kysely'
import { migrationProvider } from './migrations/index.js'
import type { DB } from './schema.js'

export type Dialect = 'sqlite' | 'mysql'

export interface SqlDatabase {
  db: Kysely<DB>
  dialect: Dialect
  /** Runs `fn` in one transaction; on MySQL a deadlock or lock timeout is retried a few times. */
  transact<T> (fn: (tx: Transaction<DB>) => Promise<T>): Promise<T>
  migrate (): Promise<void>
  ping (): Promise<void>
  close (): Promise<void>
}

// Attempts per error: a deadlock victim usually goes through at once; a lock wait that timed out means a lock
// held for seconds, so it is retried once only and the request fails (503) instead of hanging on.
const MYSQL_ATTEMPTS: Record<number, number> = { 1213: 5, 1205: 2 } // ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT

/** MySQL's lock wait for our sessions (its default, 50 s, is longer than any client waits). */
export const DEFAULT_LOCK_WAIT_SECONDS = 2

/** Opens a database from a URL: `sqlite:<file>`, `sqlite::memory:` or `mysql://user:pass@host:port/db`. */
export function openDatabase (url: string, options: { poolSize?: number, lockWaitSeconds?: number } = {}): SqlDatabase {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length))
  if (url.startsWith('mysql://')) return openMysql(url, options.poolSize ?? 20, options.lockWaitSeconds ?? DEFAULT_LOCK_WAIT_SECONDS)
  throw new Error(`unsupported DATABASE_URL: ${url}`)
}

function openSqlite (file: string): SqlDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const sqlite = new SqliteDatabase(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  // Kysely's SQLite driver runs every query on this one connection behind a mutex,
  // so transactions are serialised: the embedded mode's correctness does not depend on row locks.
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
  return wrap(db, 'sqlite', fn => db.transaction().execute(fn))
}

const STATEMENT_CACHE_MAX = 500

/**
 * Kysely's SQLite driver prepares every query afresh; preparing was the largest cost of a payment in a
 * CPU profile. Statements are reusable, and our queries are parameterised, so the distinct texts are few.
 */
function withStatementCache (sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>()
  return new Proxy(sqlite, {
    get (target, prop, receiver) {
      if (prop !== 'prepare') return Reflect.get(target, prop, receiver)
      return (source: string) => {
        let stmt = cache.get(source)
        if (!stmt) {
          if (cache.size >= STATEMENT_CACHE_MAX) cache.clear()
          stmt = target.prepare(source)
          cache.set(source, stmt)
        }
        return stmt
      }
    }
  })
}

function openMysql (url: string, poolSize: number, lockWaitSeconds: number): SqlDatabase {
  const pool = createPool({
    uri: url,
    connectionLimit: poolSize,
    charset: 'utf8mb4',
    decimalNumbers: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: true,
    timezone: 'Z',
    connectTimeout: 5000,
    enableKeepAlive: true
  })
  // READ COMMITTED: conditional UPDATEs re-read the latest committed row and no gap locks are taken.
  // A short lock wait keeps a request stalled behind someone else's lock well inside the idempotency lease and
  // any client's timeout; the statement then fails (ER_LOCK_WAIT_TIMEOUT) and the request answers 503.
  pool.on('connection', (conn) => {
    conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED')
    conn.query(`SET SESSION innodb_lock_wait_timeout = ${Math.max(1, Math.floor(lockWaitSeconds))}`)
  })
  const db = new Kysely<DB>({ dialect: new MysqlDialect({ pool }) })
  return wrap(db, 'mysql', async (fn) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute(fn)
      } catch (err) {
        const errno = (err as { errno?: number }).errno
        if (errno === undefined || attempt >= (MYSQL_ATTEMPTS[errno] ?? 1)) throw err
        await new Promise(resolve => setTimeout(resolve, 5 * attempt + Math.random() * 20))
      }
    }
  })
}

function wrap (db: Kysely<DB>, dialect: Dialect, transact: SqlDatabase['transact']): SqlDatabase {
  return {
    db,
    dialect,
    transact,
    async migrate () {
      const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest()
      if (error) {
        const failed = results?.find(r => r.status === 'Error')?.migrationName
        throw new Error(`migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`)
      }
    },
    async ping () { await sql`select 1`.execute(db) },
    async close () { await db.destroy() }
  }
}

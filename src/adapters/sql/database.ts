// Opens the SQL database named by DATABASE_URL (SQLite file/memory or MySQL/MariaDB), migrates it, and offers transactions.

import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { createPool, type Pool, type PoolConnection } from 'mysql2'
import { Kysely, Migrator, MysqlDialect, SqliteDialect, sql, type Transaction } from 'kysely'
import { migrationProvider } from './migrations/index.js'
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer.js'
import type { DB } from './schema.js'

export type Dialect = 'sqlite' | 'mysql'

interface SqlDatabaseBase {
  db: Kysely<DB>
  /** Runs `fn` in one transaction; on MySQL a deadlock or lock timeout is retried a few times. */
  transact<T> (fn: (tx: Transaction<DB>) => Promise<T>): Promise<T>
  migrate (): Promise<void>
  ping (): Promise<void>
  close (): Promise<void>
}

/** The embedded database: Kysely for most queries, and synchronous transactions for the hot writes. */
export interface SqliteSqlDatabase extends SqlDatabaseBase {
  dialect: 'sqlite'
  sqlite: SyncSqlite
  /** A file database's WAL checkpoints, run by a worker thread (none in memory). */
  checkpointer: Checkpointer | null
}
/** MySQL/MariaDB: Kysely for most queries, and stored procedure calls for the hot writes. */
export interface MysqlSqlDatabase extends SqlDatabaseBase { dialect: 'mysql', mysql: MysqlCalls }
export type SqlDatabase = SqliteSqlDatabase | MysqlSqlDatabase

/**
 * Synchronous better-sqlite3 transactions with statements prepared once: nothing else runs on the one
 * connection while one of them does, and no query is compiled per request.
 */
export interface SyncSqlite {
  /** The statement for this text, prepared on first use. */
  prepare (source: string): SqliteDatabase.Statement
  /**
   * Runs `fn` (synchronous: it must not await) as one transaction; a throw rolls it back. A Kysely
   * transaction is never joined: if one is open on the connection (it is between two of its awaits),
   * this waits for its end.
   */
  transaction<T> (fn: () => T): Promise<T>
}

/** Rows of a procedure's result sets, in order. */
export type ResultSets = Array<Array<Record<string, unknown>>>

/** Stored procedure calls: one round trip each (src/adapters/sql/migrations/0008-write-procedures.ts). */
export interface MysqlCalls {
  /**
   * CALL name(args…) as one round trip on any pooled connection; a deadlock or lock wait timeout is retried
   * like `transact` (every procedure here is one whole transaction, rolled back on any error).
   */
  call (name: string, args: unknown[]): Promise<ResultSets>
  /**
   * Several calls on one connection, for a transaction a first call leaves open (the service decides between
   * the calls): `fn` ends it with a committing call or `rollback()`; if it throws, the transaction is rolled
   * back. Retried whole on a deadlock or lock wait timeout.
   */
  session<T> (fn: (s: MysqlSession) => Promise<T>): Promise<T>
}

export interface MysqlSession {
  call (name: string, args: unknown[]): Promise<ResultSets>
  rollback (): Promise<void>
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
  // The worker thread checkpoints; the commit that crosses this many pages still does, should it fall behind.
  const checkpointer = file === ':memory:' ? null : startCheckpointer(file)
  if (checkpointer) sqlite.pragma('wal_autocheckpoint = 10000')
  // Kysely's SQLite driver runs every query on this one connection behind a mutex,
  // so transactions are serialised: the embedded mode's correctness does not depend on row locks.
  const cached = withStatementCache(sqlite)
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: cached }) })
  const sync: SyncSqlite = {
    prepare: source => cached.prepare(source),
    async transaction (fn) {
      // Kysely runs its transactions on this same connection, across awaits: one may be open right now. Its
      // statements and ours must not mix, so wait for the connection (Kysely hands it out after the commit).
      if (!sqlite.inTransaction) return sqlite.transaction(fn)()
      return db.connection().execute(async () => sqlite.transaction(fn)())
    }
  }
  const base = wrap(db, fn => db.transaction().execute(fn))
  return {
    ...base,
    dialect: 'sqlite',
    sqlite: sync,
    checkpointer,
    async close () {
      await checkpointer?.stop()
      await base.close()
    }
  }
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
  const mysql: MysqlCalls = {
    call: (name, args) => retried(() => query(pool, name, args)),
    session: <T>(fn: (s: MysqlSession) => Promise<T>) => retried(async () => {
      const conn = await new Promise<PoolConnection>((resolve, reject) => pool.getConnection((err, c) => { if (err) reject(err); else resolve(c) }))
      let value: T
      try {
        value = await fn({ call: (name, args) => query(conn, name, args), rollback: async () => { await rawQuery(conn, 'ROLLBACK') } })
      } catch (err) {
        // Never hand the next request a connection in the middle of a transaction (or a broken one).
        await rawQuery(conn, 'ROLLBACK').then(() => conn.release(), () => conn.destroy())
        throw err
      }
      conn.release()
      return value
    })
  }
  return { ...wrap(db, fn => retried(() => db.transaction().execute(fn))), dialect: 'mysql', mysql }
}

async function retried<T> (fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (err) {
      const errno = (err as { errno?: number }).errno
      if (errno === undefined || attempt >= (MYSQL_ATTEMPTS[errno] ?? 1)) throw err
      await new Promise(resolve => setTimeout(resolve, 5 * attempt + Math.random() * 20))
    }
  }
}

type Queryable = Pick<Pool, 'query'>

function rawQuery (on: Queryable, text: string, values: unknown[] = []): Promise<unknown> {
  return new Promise((resolve, reject) => on.query(text, values, (err, res) => { if (err) reject(err); else resolve(res) }))
}

/** CALL name(?, …): mysql2 answers with every result set, then the call's own status (dropped here). */
async function query (on: Queryable, name: string, args: unknown[]): Promise<ResultSets> {
  const res = await rawQuery(on, `CALL ${name}(${args.map(() => '?').join(', ')})`, args)
  return (Array.isArray(res) ? res : []).filter((r): r is Array<Record<string, unknown>> => Array.isArray(r))
}

function wrap (db: Kysely<DB>, transact: SqlDatabaseBase['transact']): SqlDatabaseBase {
  return {
    db,
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

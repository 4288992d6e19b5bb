// Real backing stores for tests: a fresh MariaDB/MySQL database and a flushed Redis logical database per test file.

import { randomBytes } from 'node:crypto'
import { createConnection } from 'mysql2/promise'
import { Redis } from 'ioredis'
import { openDatabase, type SqlDatabase } from '../../src/adapters/sql/database.js'

/** The server tests use; override with TEST_MYSQL_URL (no database path). */
export const MYSQL_SERVER_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'
export const REDIS_SERVER_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Creates an empty MySQL database for this test file and returns its URL and a drop function. */
export async function createMysqlDatabase (label = 'test'): Promise<{ url: string, drop: () => Promise<void> }> {
  const name = `concert_${label.replace(/[^a-z0-9_]/gi, '_')}_${randomBytes(4).toString('hex')}`
  const conn = await createConnection({ uri: MYSQL_SERVER_URL })
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
  await conn.end()
  return {
    url: `${MYSQL_SERVER_URL}/${name}`,
    async drop () {
      const c = await createConnection({ uri: MYSQL_SERVER_URL })
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await c.end()
    }
  }
}

export type SqlBackend = 'sqlite' | 'mysql'
export const SQL_BACKENDS: SqlBackend[] = (process.env.TEST_SQL_BACKENDS?.split(',') as SqlBackend[] | undefined) ?? ['sqlite', 'mysql']

/** A migrated database of the given kind, fresh for the caller; `close` also drops the MySQL database. */
export async function openTestDatabase (backend: SqlBackend, label = 'test'): Promise<{ database: SqlDatabase, url: string, close: () => Promise<void> }> {
  if (backend === 'sqlite') {
    const database = openDatabase('sqlite::memory:')
    await database.migrate()
    return { database, url: 'sqlite::memory:', close: () => database.close() }
  }
  const { url, drop } = await createMysqlDatabase(label)
  const database = openDatabase(url, { poolSize: 30 })
  await database.migrate()
  return { database, url, close: async () => { await database.close(); await drop() } }
}

/**
 * A Redis logical database for this test worker (1–15, by worker id), flushed first. Workers run files
 * one at a time, so files never share a database while they run.
 */
export async function openTestRedis (): Promise<{ url: string, redis: Redis, close: () => Promise<void> }> {
  const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1)
  const db = 1 + (worker % 15)
  const url = `${REDIS_SERVER_URL}/${db}`
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 })
  await redis.flushdb()
  return { url, redis, close: async () => { redis.disconnect() } }
}

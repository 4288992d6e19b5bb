// The backing stores of a run: a fresh MySQL database per mode (dropped afterwards) and a flushed Redis logical database.

import { randomBytes } from 'node:crypto'
import { createConnection } from 'mysql2/promise'
import { Redis } from 'ioredis'

export interface MysqlDb { name: string, url: string, drop: () => Promise<void> }

const created = new Set<MysqlDb>()

/** Drops every database this run created and has not dropped yet (for exit paths). */
export async function dropAllMysqlDbs (): Promise<void> {
  await Promise.all([...created].map(db => db.drop().catch(() => {})))
}

export async function createMysqlDb (serverUrl: string, label: string): Promise<MysqlDb> {
  const name = `concert_bench_${label.replace(/[^a-z0-9_]/gi, '_')}_${randomBytes(3).toString('hex')}`
  const conn = await createConnection({ uri: serverUrl })
  try {
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`)
  } finally {
    await conn.end()
  }
  const db: MysqlDb = {
    name,
    url: `${serverUrl.replace(/\/$/, '')}/${name}`,
    async drop () {
      created.delete(db)
      const c = await createConnection({ uri: serverUrl })
      try { await c.query(`DROP DATABASE IF EXISTS \`${name}\``) } finally { await c.end() }
    }
  }
  created.add(db)
  return db
}

export async function flushRedis (url: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true })
  try {
    await redis.connect()
    await redis.flushdb()
  } finally {
    redis.disconnect()
  }
}

/** Redis's `used_memory` (bytes): what the queue keeps there, before and after a run. */
export async function redisUsedMemory (url: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true })
  try {
    await redis.connect()
    return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0)
  } finally {
    redis.disconnect()
  }
}

export async function mysqlVersion (serverUrl: string): Promise<string> {
  try {
    const conn = await createConnection({ uri: serverUrl })
    try {
      const [rows] = await conn.query('SELECT version() AS v, @@innodb_flush_log_at_trx_commit AS f, @@innodb_buffer_pool_size AS b')
      const r = (rows as Array<{ v: string, f: number, b: number }>)[0]
      return `${r.v} (innodb_flush_log_at_trx_commit=${r.f}, buffer pool ${Math.round(Number(r.b) / 1048576)} MiB)`
    } finally { await conn.end() }
  } catch (err) {
    return `unavailable (${(err as Error).message})`
  }
}

export async function redisVersion (url: string): Promise<string> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true })
  try {
    await redis.connect()
    const info = await redis.info('server')
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown'
  } catch (err) {
    return `unavailable (${(err as Error).message})`
  } finally {
    redis.disconnect()
  }
}

// Real backing stores for tests: a fresh MariaDB/MySQL database per test file, and a clean Redis (one server or a private Cluster).

import { randomBytes } from 'node:crypto'
import { createConnection } from 'mysql2/promise'
import { Redis } from 'ioredis'
import { openDatabase, type SqlDatabase } from '../../src/adapters/sql/database.js'
import { connectRedis, redisReady, type RedisClient } from '../../src/adapters/redis/redis.js'
import { acquireSharedRedisCluster } from './redis-cluster.js'

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
 * `standalone`: a logical database of the Redis at TEST_REDIS_URL; `cluster`: a private Redis Cluster
 * (3 masters + 3 replicas) started for the test file. TEST_REDIS_BACKENDS=standalone,cluster picks them.
 */
export type RedisBackend = 'standalone' | 'cluster'
export const REDIS_BACKENDS: RedisBackend[] = (process.env.TEST_REDIS_BACKENDS?.split(',').map(s => s.trim()).filter(Boolean) as RedisBackend[] | undefined) ?? ['standalone', 'cluster']

export interface TestRedis<C extends RedisClient = RedisClient> {
  backend: RedisBackend
  /** What REDIS_URL would be: `redis://host:port/db` or `redis-cluster://host:port,...`. */
  url: string
  /** A connected client for checks and clean-up. */
  redis: C
  /** Empties it: FLUSHDB on the logical database, FLUSHALL on every master of the cluster. */
  flush (): Promise<void>
  close (): Promise<void>
}

/**
 * A clean Redis for this test file. `standalone` takes a logical database of TEST_REDIS_URL (1–15, by worker
 * id; workers run files one at a time, so files never share one while they run), flushed first; `cluster`
 * a private cluster shared by the file's callers and stopped once the last one closes it.
 */
export async function openTestRedis (): Promise<TestRedis<Redis>>
export async function openTestRedis (backend: RedisBackend): Promise<TestRedis>
export async function openTestRedis (backend: RedisBackend = 'standalone'): Promise<TestRedis> {
  if (backend === 'cluster') {
    const { cluster, release } = await acquireSharedRedisCluster()
    const redis = connectRedis(cluster.url, 'test-checks')
    await redisReady(redis, 10_000)
    await cluster.flushAll()
    return {
      backend,
      url: cluster.url,
      redis,
      flush: () => cluster.flushAll(),
      close: async () => { redis.disconnect(); await release() }
    }
  }
  const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1)
  const db = 1 + (worker % 15)
  const url = `${REDIS_SERVER_URL}/${db}`
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 })
  await redis.flushdb()
  return { backend, url, redis, flush: async () => { await redis.flushdb() }, close: async () => { redis.disconnect() } }
}
